"""The findings ``preflight images`` reports, and the assembly of the per-process results.

Processes are grouped by image into :class:`~preflight.model.ImageUse` entries; what cannot be
known becomes an :class:`~preflight.model.Unresolved` entry; each image, invalid value, selector
that ``nextflow inspect`` ignores, process without a container, process not called, and what
the scanner could not follow becomes a :class:`~preflight.model.Finding` with its place.
"""

from __future__ import annotations

from collections.abc import Iterable

from preflight.images.ref import ImageRef
from preflight.images.results import CHECK, ImageResolution, Outcome, ProcessImage
from preflight.model import Finding, ImageUse, Status, Unresolved
from preflight.nextflow.script.scan import PipelineScripts


def scan_findings(scripts: PipelineScripts) -> Iterable[Finding]:
    for issue in scripts.issues:
        yield Finding(
            check=CHECK,
            status=Status.WARN,
            subject=str(issue.location),
            message=issue.message,
            remedy=issue.remedy
            or "fix the include path; processes in a file Nextflow cannot load are not checked",
            location=issue.location,
        )


def assemble(
    engine: str, processes: tuple[ProcessImage, ...], findings: list[Finding]
) -> ImageResolution:
    grouped: dict[str, list[ProcessImage]] = {}
    unresolved: list[Unresolved] = []
    no_container: list[ProcessImage] = []
    conda: list[ProcessImage] = []
    skipped: list[ProcessImage] = []
    reached = [p for p in processes if p.reached]
    for process in reached:
        if process.image is not None:
            grouped.setdefault(str(process.image), []).append(process)
        elif process.outcome is Outcome.CONDA:
            conda.append(process)
        elif process.outcome is Outcome.NOT_REGISTRY:
            skipped.append(process)
        elif process.outcome is Outcome.UNRESOLVED:
            unresolved.append(Unresolved(process.process, process.reason, process.source))
        elif process.outcome is Outcome.NONE:
            no_container.append(process)
    uses = []
    acr_registry: dict[str, bool] = {}  # hundreds of images, a handful of registries
    for text, users in sorted(grouped.items()):
        image = users[0].image
        assert image is not None
        acr = acr_registry.get(image.registry)
        if acr is None:
            acr = acr_registry[image.registry] = image.is_acr
        uses.append(
            ImageUse(
                image=text,
                registry=image.registry,
                repository=image.repository,
                tag=image.tag,
                digest=image.digest,
                acr=acr,
                processes=tuple(sorted(p.process for p in users)),
                source=users[0].source,
            )
        )
        findings.extend(_image_findings(image, users))
    findings.extend(_unset_param_findings(reached))
    findings.extend(_invalid_findings(reached))
    findings.extend(_inspect_findings(reached))
    findings.extend(_aggregate_findings(no_container, conda, skipped))
    return ImageResolution(
        engine=engine,
        uses=tuple(uses),
        unresolved=tuple(unresolved),
        findings=tuple(findings),
        processes=processes,
    )


def _image_findings(image: ImageRef, users: list[ProcessImage]) -> Iterable[Finding]:
    names = tuple(sorted(p.process for p in users))
    where = users[0].source
    if image.uppercase_repository:
        yield Finding(
            check=CHECK,
            status=Status.FAIL,
            subject=str(image),
            message=f"repository {image.repository!r} has upper-case letters; registries "
            "(ACR included) reject it, so the pull will fail",
            remedy=f"write the repository in lower case: {image.repository.lower()}",
            details={"processes": list(names)},
            location=where,
        )
    if image.implicit_latest:
        yield Finding(
            check=CHECK,
            status=Status.WARN,
            subject=str(image),
            message="no tag: the pull means ':latest', which can change under a running pipeline",
            remedy="pin a tag or a digest in the container setting",
            details={"processes": list(names)},
            location=where,
        )


def _unset_param_findings(processes: Iterable[ProcessImage]) -> Iterable[Finding]:
    """One ``warn`` per image text built from params that nothing sets (rendered ``null``)."""
    grouped: dict[tuple[str, tuple[str, ...]], list[ProcessImage]] = {}
    for process in processes:
        if process.unset_params:
            shown = str(process.image) if process.image is not None else process.raw or ""
            grouped.setdefault((shown, process.unset_params), []).append(process)
    for (shown, unset), users in grouped.items():
        where = users[0].source
        place = f" at {where.file}:{where.line}" if where is not None else ""
        names = ", ".join(f"params.{name}" for name in unset)
        options = " ".join(f"--param {name}=VALUE" for name in unset)
        yield Finding(
            check=CHECK,
            status=Status.WARN,
            subject=shown,
            message=f"the container{place} reads {names}, which no configuration, params file "
            f"or option sets: Nextflow renders it as 'null', giving {shown}",
            remedy=f"set it for the run ({options}), in a params file, or as params.{unset[0]} "
            "in the configuration",
            details={"params": list(unset), "processes": sorted(p.process for p in users)},
            location=where,
        )


def _invalid_findings(processes: Iterable[ProcessImage]) -> Iterable[Finding]:
    for process in processes:
        if process.outcome is Outcome.INVALID:
            yield Finding(
                check=CHECK,
                status=Status.FAIL,
                subject=process.process,
                message=f"not a valid image: {process.reason}",
                remedy="correct the container value where it is set",
                details={"value": process.raw or "", "set_by": process.origin},
                location=process.source,
            )


def _inspect_findings(processes: Iterable[ProcessImage]) -> Iterable[Finding]:
    for process in processes:
        if process.differs_from_inspect:
            reported = process.inspect_image or "no container"
            yield Finding(
                check=CHECK,
                status=Status.WARN,
                subject=process.process,
                message=f"runs {process.image}, but `nextflow inspect` reports {reported}: "
                f"{process.origin} targets the include alias or the fully qualified "
                "name, which inspect ignores",
                remedy="mirror or pre-fetch the image preflight lists, not the one inspect lists",
                details={
                    "image": str(process.image),
                    "inspect": process.inspect_image or "",
                    "selector": process.origin,
                },
                location=process.source,
            )


def _aggregate_findings(
    no_container: list[ProcessImage], conda: list[ProcessImage], skipped: list[ProcessImage]
) -> Iterable[Finding]:
    if no_container:
        names = sorted(p.process for p in no_container)
        yield Finding(
            check=CHECK,
            status=Status.WARN,
            subject="processes without a container",
            message=f"{len(names)} process(es) have no container and run on the bare host: "
            + ", ".join(names[:10])
            + (" …" if len(names) > 10 else ""),
            remedy="set a container (directive, process.container or a selector), or confirm "
            "the executor provides the tools",
            details={"processes": names},
            location=no_container[0].source,
        )
    if conda:
        names = sorted(p.process for p in conda)
        yield Finding(
            check=CHECK,
            status=Status.SKIP,
            subject="conda builds",
            message=f"{len(names)} process(es) get an image Wave builds from their conda "
            "directive (wave.strategy puts conda first); no registry pull is needed",
            details={"processes": names},
        )
    if skipped:
        yield Finding(
            check=CHECK,
            status=Status.SKIP,
            subject="images outside a registry",
            message=f"{len(skipped)} process(es) use images that are not registry pulls "
            "(URLs or local files for Singularity/Apptainer)",
            details={"processes": {p.process: p.raw or "" for p in skipped}},
        )
