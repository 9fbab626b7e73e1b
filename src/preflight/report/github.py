"""The report as GitHub Actions workflow commands: annotations on the lines that need fixing.

Each finding that needs attention becomes one command — ``::error`` for ``fail`` and ``error``,
``::warning`` for ``warn``, ``::notice`` for ``skip`` — with ``file``, ``line`` and ``col`` when
the finding has a place, so the pull request shows it on that line of ``nextflow.config`` (the
runner makes absolute paths inside the checkout relative to it; a relative path must be relative
to the repository root). Passing findings make no annotation. The last line is a plain verdict
with counts.

Finding locations are relative to the pipeline directory; an annotation's ``file`` is the
pipeline directory joined with it (absolute when the report's pipeline is, as the CLI gives
it), so a pipeline in a sub-directory of the repository annotates the right file.

Escaping follows the runner: in the message ``%``, ``\\r`` and ``\\n`` become ``%25``, ``%0D``,
``%0A``; in properties ``:`` and ``,`` become ``%3A`` and ``%2C`` as well. Because newlines are
escaped, no text from a finding can start a command of its own.
"""

from __future__ import annotations

import posixpath

from preflight.model import Finding, Report, Status
from preflight.report.facts import printable, source_line, verdict

COMMANDS: dict[Status, str] = {
    Status.FAIL: "error",
    Status.ERROR: "error",
    Status.WARN: "warning",
    Status.SKIP: "notice",
}


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, pipeline: str = "") -> str | None:
    """The workflow command for one finding, or ``None`` for a pass; ``pipeline`` is the
    directory the finding's location is relative to."""
    command = COMMANDS.get(finding.status)
    if command is None:
        return None
    props: list[tuple[str, str]] = []
    if finding.location is not None:
        props.append(("file", _annotated_file(finding.location.file, pipeline)))
        props.append(("line", str(finding.location.line)))
        if finding.location.col:
            props.append(("col", str(finding.location.col)))
    title = f"preflight {finding.check}"
    if finding.subject:
        title = f"{title}: {finding.subject}"
    props.append(("title", title))
    message = finding.message
    if finding.remedy:
        message = f"{message}\nFix: {finding.remedy}"
    rendered = ",".join(f"{key}={escape_property(printable(value))}" for key, value in props)
    return f"::{command} {rendered}::{escape_data(printable(message))}"


def _annotated_file(file: str, pipeline: str) -> str:
    if not pipeline or posixpath.isabs(file):
        return file
    return posixpath.normpath(posixpath.join(pipeline.replace("\\", "/"), file))


def render(report: Report, *, color: bool = False) -> str:
    """Annotations for every finding that is not a pass, then ``preflight: PASS|FAIL: counts``."""
    del color  # the runner reads this
    lines = [
        line
        for line in (annotation(f, report.pipeline or "") for f in report.findings)
        if line is not None
    ]
    if report.source is not None:
        lines.append(
            f"::notice title=preflight checked::{escape_data(printable(source_line(report)))}"
        )
    lines.append(f"preflight: {verdict(report)}")
    return "\n".join(lines) + "\n"
