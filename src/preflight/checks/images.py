"""The ``images`` check: which images the run pulls, which live on ACR, and what will trip it.

The resolution is a fact of the run (:attr:`~preflight.checks.facts.RunFacts.resolution`),
shared with the checks that follow (credentials, token health, pull) and the report. Only
processes the run calls count: an image used only by a process that is included but never
called is not among the run's image uses, so no later check asks a credential, a token or a
pull for it (one ``skip`` finding names those processes).
"""

from __future__ import annotations

from collections.abc import Iterator

from preflight.checks.base import CheckContext
from preflight.images.resolve import ImageResolution
from preflight.model import Finding, ImageUse, Status, Unresolved

NAME = "images"


class ImagesCheck:
    """Findings about the pipeline's images: ACR images found, unresolved ones, trip-ups."""

    name = NAME

    def run(self, context: CheckContext) -> Iterator[Finding]:
        resolution = context.facts.resolution.get()
        yield from _acr_findings(resolution)
        yield from (_unresolved_finding(item) for item in resolution.unresolved)
        yield from resolution.findings


def _acr_findings(resolution: ImageResolution) -> Iterator[Finding]:
    acr = resolution.acr_uses
    if not acr:
        yield Finding(
            check=NAME,
            status=Status.PASS,
            subject="ACR images",
            message=f"none of the {len(resolution.uses)} image(s) this run pulls is on an "
            f"Azure Container Registry (engine: {resolution.engine})",
            details={"images": len(resolution.uses), "engine": resolution.engine},
        )
        return
    for use in acr:
        yield _acr_finding(use)


def _acr_finding(use: ImageUse) -> Finding:
    count = len(use.processes)
    return Finding(
        check=NAME,
        status=Status.PASS,
        subject=use.image,
        message=f"on ACR {use.registry}; used by {count} process{'es' if count != 1 else ''}",
        details={
            "registry": use.registry,
            "repository": use.repository,
            "reference": use.digest or use.tag or "latest",
            "processes": list(use.processes),
        },
        location=use.source,
    )


def _unresolved_finding(item: Unresolved) -> Finding:
    return Finding(
        check=NAME,
        status=Status.WARN,
        subject=item.process,
        message=f"container not known before the run: {item.reason}",
        remedy="give the value it depends on (--param, -profile, -c), or check this image by "
        "hand: preflight cannot tell whether it is on ACR",
        location=item.source,
    )
