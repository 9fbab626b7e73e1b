"""The Wave part of ``fix``: plan and apply the smallest ``nextflow.config`` edit turning Wave on.

A thin seam over :mod:`preflight.nextflow.config.editor`, so ``fix`` speaks of a plan step like the
credential steps and the editor stays the one place that knows how to edit a config file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from preflight.pipeline import PipelineSpec

if TYPE_CHECKING:
    from preflight.nextflow.config.editor import WaveEdit


def plan_wave(spec: PipelineSpec) -> WaveEdit | None:
    """The edit that makes Wave effective, or ``None`` when it already is."""
    from preflight.nextflow.config.editor import plan_wave_injection

    return plan_wave_injection(spec)


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
