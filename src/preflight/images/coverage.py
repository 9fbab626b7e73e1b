"""Which processes were checked: the findings about processes the run does not reach.

A process included but never invoked is not checked (the run never pulls its image); one that a
condition false under these params keeps from running is listed apart, with the condition; a
main script that defines or includes processes but reaches none is never a silent pass; and
``-entry``, which preflight does not model, is named where it matters.
"""

from __future__ import annotations

from preflight.images.results import CHECK, ProcessImage
from preflight.model import Finding, Status
from preflight.nextflow.script.scan import PipelineScripts


def entry_finding(scripts: PipelineScripts) -> Finding | None:
    """Without an unnamed workflow the run must pick one with ``-entry``, which is not modelled."""
    followed = scripts.entries_followed
    if len(followed) < 2:
        return None
    return Finding(
        check=CHECK,
        status=Status.WARN,
        subject="-entry",
        message=f"the main script has no unnamed workflow, so the run names one with `-entry`; "
        f"preflight does not model `-entry` and checks the processes of every named "
        f"workflow ({', '.join(followed)}), including images a run of one never pulls",
        remedy="expect findings for workflows the run does not start, or check a main script "
        "whose unnamed workflow calls the one the run uses",
        details={"workflows": list(followed)},
    )


def unreached_finding(
    unreached: tuple[ProcessImage, ...], scripts: PipelineScripts
) -> list[Finding]:
    """The findings for processes the run does not reach: those a false condition keeps from
    running (a ``skip`` naming the condition), and those never called at all."""
    excluded = tuple(p for p in unreached if p.excluded_by)
    uncalled = tuple(p for p in unreached if not p.excluded_by)
    found = [_excluded_finding(excluded)] if excluded else []
    if uncalled:
        found.append(_uncalled_finding(uncalled, scripts))
    return found


def _images(processes: tuple[ProcessImage, ...]) -> dict[str, str]:
    return {
        p.process: str(p.image) if p.image is not None else p.outcome.value
        for p in sorted(processes, key=lambda p: p.process)
    }


def _excluded_finding(excluded: tuple[ProcessImage, ...]) -> Finding:
    names = sorted(p.process for p in excluded)
    reasons = sorted({p.excluded_by for p in excluded})
    return Finding(
        check=CHECK,
        status=Status.SKIP,
        subject="processes not called under these params",
        message=f"{len(names)} process(es) are not called under these params, so the run never "
        "pulls their images: "
        + ", ".join(names[:10])
        + (" …" if len(names) > 10 else "")
        + "; "
        + "; ".join(reasons[:3])
        + (" …" if len(reasons) > 3 else ""),
        remedy="check with the params of the run that takes the other branch (--param …) to "
        "check its images too",
        details={
            "processes": _images(excluded),
            "conditions": {p.process: p.excluded_by for p in excluded},
        },
        location=excluded[0].source,
    )


def _uncalled_finding(unreached: tuple[ProcessImage, ...], scripts: PipelineScripts) -> Finding:
    """One finding for the processes included but never called: what is not checked, and why.

    A ``skip`` normally. When the main script has named workflows its entry workflow never
    calls, ``-entry NAME`` would run one of them instead, which preflight does not follow: that
    is a ``warn``, naming them.
    """
    names = sorted(p.process for p in unreached)
    acr = sorted({str(p.image) for p in unreached if p.image is not None and p.image.is_acr})
    message = (
        f"{len(names)} process(es) are defined but never called from the entry workflow: "
        "not checked, since the run never pulls their images: "
        + ", ".join(names[:10])
        + (" …" if len(names) > 10 else "")
    )
    if acr:
        message += f" ({len(acr)} of their images on ACR)"
    remedy = ""
    status = Status.SKIP
    entries = scripts.other_entries
    if entries:
        status = Status.WARN
        message += (
            "; `-entry` is not modelled: the main script also defines workflow(s) "
            + ", ".join(entries)
            + ", and a run started with `-entry` calls other processes"
        )
        remedy = (
            "for a run with `-entry NAME`, check a main script whose entry workflow "
            "calls NAME, or remove processes the pipeline no longer calls"
        )
    return Finding(
        check=CHECK,
        status=status,
        subject="processes defined but not called",
        message=message,
        remedy=remedy,
        details={"processes": _images(unreached), "other_entries": list(entries)},
        location=unreached[0].source,
    )


def zero_reached_finding(
    processes: tuple[ProcessImage, ...], scripts: PipelineScripts
) -> Finding | None:
    """A main script that defines or includes processes but reaches none: never a silent pass.

    A ``fail`` that says why — every invocation is under a condition false for these params, or
    the entry workflow invokes none of them — or a ``warn`` when the main script has no unnamed
    workflow (the run picks one with ``-entry``, which is not modelled).
    """
    if not processes or any(p.reached for p in processes):
        return None
    excluded = sorted({p.excluded_by for p in processes if p.excluded_by})
    if excluded:
        why = "every invocation of them is in a branch these params do not take: " + "; ".join(
            excluded[:3]
        )
    else:
        why = (
            "the entry workflow invokes none of them (only an invocation, `NAME(…)` or "
            "`ch | NAME`, runs a process; a name read as a value does not)"
        )
    entry = bool(scripts.entries_followed) and not excluded
    return Finding(
        check=CHECK,
        status=Status.WARN if entry else Status.FAIL,
        subject="no process runs",
        message=f"the pipeline defines or includes {len(processes)} process(es) but the run "
        f"reaches none, so no image would be checked: {why}"
        + ("; the run names its workflow with `-entry`, which is not modelled" if entry else ""),
        remedy="check the params and profile of the run (--param, -profile), and that the "
        "workflow invokes the processes it includes",
        details={"processes": sorted(p.process for p in processes)},
        location=scripts.entry or processes[0].source,
    )
