"""The terminal report: findings grouped by area, then registry, then image, and a verdict.

Made for a person reading a terminal or a CI log. Each area (``wave``, ``credentials``,
``pull`` …) is a heading, in the order the checks reported; inside it, findings about one
registry and one image (``details["registry"]``, ``details["image"]``) sit under their own
headings so that everything wrong with one registry reads together; a registry heading names
its family (``details["kind"]``: ``dockerhub``, ``ghcr``, ``quay`` …) when its findings do. A
failing finding shows its place (``file:line``) and its remedy under it. The last line is the
verdict with counts.

Colour is ANSI and only when asked (``color=True``; the CLI asks when stdout is a terminal), so
the same report is clean in a log file. Text that came from servers is stripped of control
characters first, so it cannot repaint the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from preflight.model import Finding, Report, Status
from preflight.report.facts import counts_phrase, detail_text, file_line, printable, source_line
from preflight.report.progress import Progress

MARKS: dict[Status, str] = {
    Status.PASS: "pass",
    Status.SKIP: "skip",
    Status.WARN: "warn",
    Status.FAIL: "FAIL",
    Status.ERROR: "ERROR",
}
MARK_WIDTH = max(len(m) for m in MARKS.values())

# SGR codes: green, dim, yellow, red, bold red.
_SGR: dict[Status, str] = {
    Status.PASS: "32",
    Status.SKIP: "2",
    Status.WARN: "33",
    Status.FAIL: "31",
    Status.ERROR: "1;31",
}
_BOLD = "1"
_DIM = "2"


def _paint(text: str, sgr: str, color: bool) -> str:
    return f"\x1b[{sgr}m{text}\x1b[0m" if color and text else text


@dataclass
class _Area:
    """One area's findings: loose ones, then by registry ('' = none) and image ('' = none)."""

    loose: list[Finding] = field(default_factory=list)
    registries: dict[str, dict[str, list[Finding]]] = field(default_factory=dict)


def _group(findings: Iterable[Finding]) -> dict[str, _Area]:
    areas: dict[str, _Area] = {}
    for finding in findings:
        area = areas.setdefault(finding.check, _Area())
        registry = detail_text(finding, "registry")
        image = detail_text(finding, "image")
        if not registry and not image:
            area.loose.append(finding)
        else:
            area.registries.setdefault(registry, {}).setdefault(image, []).append(finding)
    return areas


def _finding_lines(finding: Finding, indent: int, heading: str, color: bool) -> list[str]:
    """The finding's mark and message, then its place and remedy, aligned under the message."""
    pad = " " * indent
    hang = " " * (indent + MARK_WIDTH + 1)
    subject = printable(finding.subject)
    message = printable(finding.message)
    head = message if subject in ("", heading, finding.check) else f"{subject}: {message}"
    first, *rest = head.split("\n")
    mark = _paint(MARKS[finding.status].ljust(MARK_WIDTH), _SGR[finding.status], color)
    lines = [f"{pad}{mark} {first}".rstrip()]
    lines.extend(f"{hang}{line}".rstrip() for line in rest)
    if finding.location is not None and finding.status is not Status.PASS:
        place = printable(file_line(finding.location))
        if place not in head:  # a subject or message that names the place says it once
            lines.append(f"{hang}{_paint(f'at {place}', _DIM, color)}")
    if finding.remedy and finding.status is not Status.PASS:
        remedy_first, *remedy_rest = printable(finding.remedy).split("\n")
        lines.append(f"{hang}→ {remedy_first}".rstrip())
        lines.extend(f"{hang}  {line}".rstrip() for line in remedy_rest)
    return lines


def _kind_of(images: dict[str, list[Finding]]) -> str:
    """The registry family its findings name (``details["kind"]``), for the heading."""
    kinds = {detail_text(f, "kind") for findings in images.values() for f in findings}
    kinds.discard("")
    return printable(kinds.pop()) if len(kinds) == 1 else ""


def _area_lines(name: str, area: _Area, color: bool) -> list[str]:
    lines = [_paint(printable(name) or "(unnamed)", _BOLD, color)]
    for finding in area.loose:
        lines.extend(_finding_lines(finding, 2, "", color))
    for registry, images in area.registries.items():
        depth = 2
        if registry:
            kind = _kind_of(images)
            lines.append(f"  {registry}" + (f"  ({kind})" if kind else ""))
            depth = 4
        for image, findings in images.items():
            inner = depth
            if image:
                lines.append(f"{' ' * depth}{image}")
                inner = depth + 2
            for finding in findings:
                lines.extend(_finding_lines(finding, inner, image or registry, color))
    return lines


def _images_lines(report: Report, color: bool) -> list[str]:
    if not report.images and not report.unresolved:
        return []
    acr = [use for use in report.images if use.acr]
    lines = [_paint("images used", _BOLD, color)]
    lines.append(
        f"  {len(report.images)} image{'s' if len(report.images) != 1 else ''}, "
        f"{len(acr)} from Azure Container Registry"
    )
    for use in acr:
        used_by = f"  ← {printable(', '.join(use.processes))}" if use.processes else ""
        lines.append(f"  acr  {printable(use.image)}{used_by}")
    for item in report.unresolved:
        where = f" ({printable(file_line(item.source))})" if item.source else ""
        mark = _paint("unresolved", _SGR[Status.WARN], color)
        lines.append(f"  {mark}  {printable(item.process)}: {printable(item.reason)}{where}")
    return lines


def render(report: Report, *, color: bool = False) -> str:
    """The report as terminal text ending in a newline; ANSI colour only when ``color``."""
    blocks: list[list[str]] = []
    if report.source is not None:
        blocks.append([_paint(f"preflight: {printable(source_line(report))}", _BOLD, color)])
    elif report.pipeline:
        blocks.append([_paint(f"preflight: {printable(report.pipeline)}", _BOLD, color)])
    blocks.extend(_area_lines(name, area, color) for name, area in _group(report.findings).items())
    images = _images_lines(report, color)
    if images:
        blocks.append(images)
    word = "PASS" if report.passed else "FAIL"
    tone = _SGR[Status.PASS] if report.passed else "1;31"
    blocks.append([f"{_paint(word, tone, color)}: {counts_phrase(report)}"])
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


__all__ = ["MARKS", "Progress", "render"]
