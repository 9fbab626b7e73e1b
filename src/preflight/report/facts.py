"""What every report format says the same way: plain details, safe text, the verdict counts.

Reporters never print a finding's ``details`` as they are: :func:`plain` turns them into values
JSON can hold, and replaces any :class:`~preflight.secret.Secret` — wherever it hides, in a
nested mapping or list — with ``<hidden>``. A check that wrongly puts a secret in its details
therefore still yields a complete report, and the secret stays out of it. Redaction rather than
refusal: a gate that crashes on a bug in one check would hide every other finding.

Text from findings may come from servers we do not control (error bodies, registry messages):
:func:`printable` drops control characters so that it cannot move the cursor, recolour a
terminal or break a line-oriented format.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping, Set
from pathlib import PurePath
from typing import Any

from preflight.model import Finding, Location, PipelineSource, Report, Status
from preflight.secret import REDACTED, Secret

# C0 controls but tab and newline, DEL, and the C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Status order in the verdict line: what blocks first, then the rest.
VERDICT_ORDER: tuple[tuple[Status, str, str], ...] = (
    (Status.FAIL, "failed", "failed"),
    (Status.ERROR, "error", "errors"),
    (Status.WARN, "warning", "warnings"),
    (Status.PASS, "passed", "passed"),
    (Status.SKIP, "skipped", "skipped"),
)


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: secrets hidden, mappings with sorted string keys.

    Strings, numbers, booleans and ``None`` pass through; mappings become dicts (keys as strings,
    sorted, so the output does not depend on insertion order); sequences become lists; sets become
    sorted lists; enums their value; paths and anything else their ``str``. Non-finite floats
    become strings because JSON cannot hold them.
    """
    if isinstance(value, Secret):
        return REDACTED
    if isinstance(value, enum.Enum):  # before str and int: Status is a str
        return plain(value.value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, Set):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Location):
        return str(value)
    if isinstance(value, PurePath):
        return str(value)
    return str(value)


def plain_details(finding: Finding) -> dict[str, Any]:
    """The finding's details, made plain by :func:`plain` (an empty dict when there are none)."""
    result: dict[str, Any] = plain(finding.details or {})
    return result


def detail_text(finding: Finding, key: str) -> str:
    """One detail as a display string ('' when absent or empty); secrets come back hidden."""
    value = plain(finding.details.get(key)) if finding.details else None
    if value is None or value == "":
        return ""
    return printable(value if isinstance(value, str) else str(value))


def printable(text: str) -> str:
    """``text`` without control characters (tab and newline kept; ``\\r\\n`` becomes ``\\n``)."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n"))


def file_line(location: Location) -> str:
    """``file:line`` — how people and most editors want a place pointed at."""
    return f"{location.file}:{location.line}"


def counts_phrase(report: Report) -> str:
    """``2 failed, 1 error, 1 warning, 3 passed`` — non-zero counts only, blocking ones first."""
    parts = []
    for status, one, many in VERDICT_ORDER:
        n = report.count(status)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts) if parts else "no findings"


def verdict(report: Report) -> str:
    """The one-line verdict every format ends with: ``FAIL: 2 failed, 3 passed``."""
    return f"{'PASS' if report.passed else 'FAIL'}: {counts_phrase(report)}"


def source_line(report: Report) -> str:
    """A remote pipeline's repository, revision and commit, in one line ('' for a local one)."""
    source = report.source
    if source is None:
        return ""
    return f"{source.repository}@{source.revision}, commit {source.commit} ({source.url})"


def source_fields(source: PipelineSource) -> dict[str, str]:
    """Where a remote pipeline came from, field by field (the JSON ``source`` object)."""
    return {
        "repository": source.repository,
        "url": source.url,
        "revision": source.revision,
        "commit": source.commit,
        "read_from": source.read_from,
        "provider": source.provider,
    }
