"""The Wave part of ``fix``: plan and apply the smallest ``nextflow.config`` edit turning Wave on.

A thin seam over :mod:`preflight.nextflow.config.editor`, so ``fix`` speaks of a plan step like the
credential steps and the editor stays the one place that knows how to edit a config file.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from preflight.pipeline import PipelineSource, PipelineSpec

if TYPE_CHECKING:
    from preflight.nextflow.config.editor import WaveEdit


def plan_wave(spec: PipelineSpec) -> WaveEdit | None:
    """The edit that makes Wave effective, or ``None`` when it already is.

    A remote pipeline's checkout is preflight's read-only copy of one commit: the edit is never
    made there. It comes back blocked, saying where to make it instead.
    """
    from preflight.nextflow.config.editor import plan_wave_injection

    edit = plan_wave_injection(spec)
    if edit is None or spec.source is None:
        return edit
    return _elsewhere(edit, spec.source)


def _elsewhere(edit: WaveEdit, source: PipelineSource) -> WaveEdit:
    """The planned edit, blocked, with the places a user can make it for a remote pipeline."""
    at = (
        f" at line {edit.location.line}" if edit.location is not None and edit.location.line else ""
    )
    change = "set wave.enabled = true" if edit.kind == "flip" else "add wave { enabled = true }"
    return replace(
        edit,
        kind="blocked",
        new_bytes=edit.original,
        blocked_reason=f"{source.repository} is a remote pipeline (commit {source.commit[:12]}); "
        "preflight does not edit its read-only copy",
        alternatives=(
            f"in the repository {source.url}, {change} in {edit.shown}{at} "
            f"and launch the new revision (this one is {source.revision})",
            f"or launch this revision with Wave on: nextflow run {source.repository} "
            f"-r {source.revision} -with-wave",
            "or pass a config file that sets wave.enabled = true: nextflow run … -c wave.config",
        ),
    )


def apply_wave(edit: WaveEdit) -> None:
    """Write the edit (atomically; refused when the file changed since it was planned)."""
    from preflight.nextflow.config.editor import apply_wave_edit

    apply_wave_edit(edit)


def wave_dict(edit: WaveEdit | None) -> dict[str, Any]:
    """The Wave step for the JSON plan."""
    if edit is None:
        return {"outcome": "ready", "reason": "Wave is already enabled"}
    if edit.blocked:
        return {
            "outcome": "blocked",
            "reason": edit.blocked_reason,
            "alternatives": list(edit.alternatives),
            "file": edit.shown,
        }
    return {"outcome": "planned", "kind": edit.kind, "file": edit.shown, "diff": edit.diff()}


def describe_wave(edit: WaveEdit | None) -> list[str]:
    """The Wave step for people: what changes, as a diff, or why nothing can."""
    if edit is None:
        return ["wave: ready — Wave is already enabled"]
    if edit.blocked:
        lines = [f"wave: blocked — {edit.blocked_reason}"]
        lines.extend(f"  → {alternative}" for alternative in edit.alternatives)
        return lines
    verb = {"flip": "set wave.enabled = true in", "create": "create"}.get(edit.kind, "append to")
    return [f"wave: planned — {verb} {edit.shown}", *edit.diff().splitlines()]
