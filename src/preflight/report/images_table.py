"""``preflight images`` output: a table for people and the JSON contract for machines.

Pure functions: a resolution in, text out. The JSON document carries ``schema_version``,
``status``, ``pipeline``, ``source`` (a remote pipeline only: repository, revision, commit …),
``engine``, then ``images`` (each: ``image``, ``registry``,
``repository``, ``tag``, ``digest``, ``acr``, ``processes``, ``source``), ``unresolved``
(``process``, ``reason``, ``source``), ``findings`` — the same objects as the full report — and
``processes``: per process what will run, what ``nextflow inspect`` would report, and why —
including processes defined but never called (``reached: false``), which ``images`` leaves out.
"""

from __future__ import annotations

import json
from typing import Any

from preflight.images.resolve import ImageResolution, Outcome, ProcessImage
from preflight.model import SCHEMA_VERSION, PipelineSource, Report, Status
from preflight.report.facts import source_fields
from preflight.report.json_report import finding_object, image_object, unresolved_object

_STATUS_WORD = {
    Status.PASS: "ok",
    Status.SKIP: "skip",
    Status.WARN: "warn",
    Status.FAIL: "FAIL",
    Status.ERROR: "ERROR",
}


def passed(resolution: ImageResolution) -> bool:
    """Whether no finding blocks (an invalid or upper-case image, two engines enabled)."""
    return Report(findings=resolution.findings).passed


def _selected(resolution: ImageResolution, acr_only: bool) -> tuple[Any, list[ProcessImage]]:
    uses = resolution.acr_uses if acr_only else resolution.uses
    processes = [
        p
        for p in resolution.processes
        if not acr_only
        or (p.image is not None and p.image.is_acr)
        or p.outcome is Outcome.UNRESOLVED
    ]
    return uses, processes


def render_json(
    resolution: ImageResolution,
    pipeline: str,
    *,
    acr_only: bool = False,
    source: PipelineSource | None = None,
) -> str:
    """The JSON contract, indented, ASCII only, ending in a newline."""
    uses, processes = _selected(resolution, acr_only)
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "status": (Status.PASS if passed(resolution) else Status.FAIL).value,
        "pipeline": pipeline,
    }
    if source is not None:  # a remote pipeline: the repository and commit read
        document["source"] = source_fields(source)
    document |= {
        "engine": resolution.engine,
        "images": [image_object(u) for u in uses],
        "unresolved": [unresolved_object(u) for u in resolution.unresolved],
        "findings": [finding_object(f) for f in resolution.findings],
        "processes": [_process_object(p) for p in processes],
    }
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def _process_object(process: ProcessImage) -> dict[str, Any]:
    return {
        "process": process.process,
        "declared": process.declared,
        "alias": process.alias,
        "labels": list(process.labels),
        "reached": process.reached,
        "outcome": process.outcome.value,
        "image": str(process.image) if process.image is not None else None,
        "inspect_image": process.inspect_image,
        "set_by": process.origin or None,
        "source": f"{process.source.file}:{process.source.line}" if process.source else None,
        "reason": process.reason or None,
    }


def render_text(
    resolution: ImageResolution,
    pipeline: str,
    *,
    acr_only: bool = False,
    source: PipelineSource | None = None,
) -> str:
    """A table of image → processes, then unresolved processes, the processes defined but not
    called (their images are not checked: the run will not pull them), then findings."""
    uses, processes = _selected(resolution, acr_only)
    acr_count = len(resolution.acr_uses)
    if source is not None:
        pipeline = f"{source.repository}@{source.revision}, commit {source.commit}"
    lines = [
        f"Images for {pipeline} (engine: {resolution.engine}): "
        f"{len(resolution.uses)} image(s), {acr_count} on ACR"
        + (" — showing ACR only" if acr_only else ""),
        "",
    ]
    if uses:
        width = min(max(len(u.image) for u in uses), 80)
        lines.append(f"{'IMAGE':<{width}}  ACR  PROCESSES")
        for use in uses:
            flag = "yes" if use.acr else "no "
            for index, process in enumerate(use.processes):
                image = use.image if index == 0 else ""
                mark = flag if index == 0 else "   "
                lines.append(f"{image:<{width}}  {mark}  {process}")
    else:
        lines.append("No images." if not acr_only else "No ACR images.")
    if resolution.unresolved:
        lines += ["", "Not known before the run:"]
        for item in resolution.unresolved:
            where = f"  ({item.source})" if item.source else ""
            lines.append(f"  {item.process}: {item.reason}{where}")
    uncalled = [p for p in processes if not p.reached]
    if uncalled:
        lines += ["", "Not called (not checked):"]
        for process in uncalled:
            what = (
                str(process.image)
                if process.image is not None
                else (process.reason or process.outcome.value)
            )
            if process.excluded_by:
                what += " (a branch these params do not take)"
            lines.append(f"  {process.process}: {what}")
    if resolution.findings:
        lines += ["", "Findings:"]
        for finding in resolution.findings:
            where = f" [{finding.location}]" if finding.location else ""
            lines.append(
                f"  {_STATUS_WORD[finding.status]:<5} {finding.subject}: {finding.message}{where}"
            )
            if finding.remedy:
                lines.append(f"        → {finding.remedy}")
    return "\n".join(lines) + "\n"
