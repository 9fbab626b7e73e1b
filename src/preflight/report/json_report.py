"""The machine-readable report: the JSON contract wrapper scripts and CI steps depend on.

Top level, in this order: ``schema_version``, ``status`` (``pass``/``fail``), ``pipeline``,
``counts`` (findings per status), ``findings``, ``images``, ``unresolved``. A finding has
``check``, ``status``, ``subject``, ``message``, ``remedy``, then ``location`` (``file:line:col``,
or ``file:line`` when the column is unknown) and ``details`` only when it has them. An image
has ``image``, ``registry``, ``repository``, ``tag``, ``digest``, ``acr``, ``processes`` and
``source`` (``file:line`` or null); an unresolved process has ``process``, ``reason``,
``source``.

Fields are only ever added; a change that removes or retypes one bumps ``schema_version``.
Key order is fixed and ``details`` keys are sorted, so the same report gives the same bytes.
Non-ASCII is escaped: the output is plain ASCII whatever the terminal's or file's encoding.
Secrets in ``details`` come out as ``<hidden>`` (see :mod:`preflight.report.facts`).
"""

from __future__ import annotations

import json
from typing import Any

from preflight.model import SCHEMA_VERSION, Finding, ImageUse, Location, Report, Status, Unresolved
from preflight.report.facts import file_line, plain_details


def _source(location: Location | None) -> str | None:
    return file_line(location) if location is not None else None


def finding_object(finding: Finding) -> dict[str, Any]:
    """One finding as the contract's object."""
    obj: dict[str, Any] = {
        "check": finding.check,
        "status": finding.status.value,
        "subject": finding.subject,
        "message": finding.message,
        "remedy": finding.remedy,
    }
    if finding.location is not None:
        obj["location"] = str(finding.location)
    details = plain_details(finding)
    if details:
        obj["details"] = details
    return obj


def image_object(use: ImageUse) -> dict[str, Any]:
    """One image the run will pull, as the contract's object."""
    return {
        "image": use.image,
        "registry": use.registry,
        "repository": use.repository,
        "tag": use.tag,
        "digest": use.digest,
        "acr": use.acr,
        "processes": list(use.processes),
        "source": _source(use.source),
    }


def unresolved_object(item: Unresolved) -> dict[str, Any]:
    """One process whose container could not be resolved, as the contract's object."""
    return {"process": item.process, "reason": item.reason, "source": _source(item.source)}


def report_object(report: Report) -> dict[str, Any]:
    """The whole report as the contract's object (what :func:`render` serialises)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "status": report.status.value,
        "pipeline": report.pipeline,
        "counts": {status.value: report.count(status) for status in Status},
        "findings": [finding_object(f) for f in report.findings],
        "images": [image_object(u) for u in report.images],
        "unresolved": [unresolved_object(u) for u in report.unresolved],
    }


def render(report: Report, *, color: bool = False) -> str:
    """The report as indented JSON ending in a newline; ``color`` is accepted and ignored."""
    del color  # machines read this
    return json.dumps(report_object(report), indent=2, ensure_ascii=True, allow_nan=False) + "\n"
