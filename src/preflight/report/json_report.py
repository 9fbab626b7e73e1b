"""The machine-readable report: the JSON contract wrapper scripts and CI steps depend on.

Top level, in this order: ``schema_version``, ``status`` (``pass``/``fail``), ``pipeline``,
``source`` (only for a remote pipeline: ``repository``, ``url``, ``revision``, ``commit``,
``read_from``, ``provider``), ``counts`` (findings per status), ``findings``, ``images``,
``unresolved``. A finding has ``check``, ``status``, ``subject``, ``message``, ``remedy``, then
``location`` (``file:line:col``, column ``0`` when unknown) and ``details`` only when it has
them. An image has ``image``, ``registry``, ``repository``, ``tag``, ``digest``, ``acr``,
``processes`` and ``source`` (``file:line`` or null); an unresolved process has ``process``,
``reason``, ``source``.

The contract is written down as a JSON Schema shipped beside this module
(``preflight/report/report.schema.json``): ``location`` is always one ``file:line:col`` string,
and ``remedy`` is never empty for ``warn``, ``fail`` or ``error``. Fields are only ever
added; a change that removes or retypes one bumps ``schema_version``.
Key order is fixed and ``details`` keys are sorted, so the same report gives the same bytes.
Non-ASCII is escaped: the output is plain ASCII whatever the terminal's or file's encoding.
Secrets in ``details`` come out as ``<hidden>`` (see :mod:`preflight.report.facts`).

:func:`load_report` reads such a document back into a :class:`~preflight.model.Report`, so a
report saved once can be shown again in another format without running the checks twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from preflight.errors import InputError
from preflight.model import (
    SCHEMA_VERSION,
    Finding,
    ImageUse,
    Location,
    PipelineSource,
    Report,
    Status,
    Unresolved,
)
from preflight.report.facts import file_line, plain_details, source_fields


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
        loc = finding.location
        obj["location"] = f"{loc.file}:{loc.line}:{loc.col}"
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
    head: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "status": report.status.value,
        "pipeline": report.pipeline,
    }
    if report.source is not None:
        head["source"] = source_fields(report.source)
    return {
        **head,
        "counts": {status.value: report.count(status) for status in Status},
        "findings": [finding_object(f) for f in report.findings],
        "images": [image_object(u) for u in report.images],
        "unresolved": [unresolved_object(u) for u in report.unresolved],
    }


def render(report: Report, *, color: bool = False) -> str:
    """The report as indented JSON ending in a newline; ``color`` is accepted and ignored."""
    del color  # machines read this
    return json.dumps(report_object(report), indent=2, ensure_ascii=True, allow_nan=False) + "\n"


def _location(text: Any, *, with_col: bool) -> Location | None:
    """``file:line:col`` (``file:line`` for sources) as a Location; the file may hold ':'."""
    if text is None:
        return None
    if with_col:
        file, line, col = str(text).rsplit(":", 2)
        return Location(file, int(line), int(col))
    file, line = str(text).rsplit(":", 1)
    return Location(file, int(line))


def _finding(obj: Mapping[str, Any]) -> Finding:
    return Finding(
        check=obj["check"],
        status=Status(obj["status"]),
        subject=obj["subject"],
        message=obj["message"],
        remedy=obj.get("remedy", ""),
        details=obj.get("details", {}),
        location=_location(obj.get("location"), with_col=True),
    )


def _image(obj: Mapping[str, Any]) -> ImageUse:
    return ImageUse(
        image=obj["image"],
        registry=obj["registry"],
        repository=obj["repository"],
        tag=obj["tag"],
        digest=obj["digest"],
        acr=bool(obj["acr"]),
        processes=tuple(obj["processes"]),
        source=_location(obj.get("source"), with_col=False),
    )


def load_report(text: str, *, where: str = "") -> Report:
    """Read a report this module wrote back into a Report.

    Raises :class:`~preflight.errors.InputError` (``where`` names the file) when the text is not
    such a report, or comes from a newer preflight whose ``schema_version`` this one predates.
    """
    try:
        data = json.loads(text)
        version = data["schema_version"]
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError(
            f"not a preflight JSON report ({exc.__class__.__name__}: {exc})",
            where=where,
            remedy="give the file written by preflight check --format json",
        ) from None
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise InputError(
            f"report schema_version {version!r} is newer than this preflight reads "
            f"({SCHEMA_VERSION})",
            where=where,
            remedy="read it with the preflight version that wrote it, or upgrade preflight",
        )
    try:
        return Report(
            findings=tuple(_finding(f) for f in data["findings"]),
            images=tuple(_image(i) for i in data.get("images", ())),
            unresolved=tuple(
                Unresolved(u["process"], u["reason"], _location(u.get("source"), with_col=False))
                for u in data.get("unresolved", ())
            ),
            pipeline=data.get("pipeline", ""),
            source=PipelineSource(**data["source"]) if data.get("source") else None,
        )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InputError(
            f"malformed preflight JSON report ({exc.__class__.__name__}: {exc})",
            where=where,
            remedy="give the file written by preflight check --format json, unedited",
        ) from None
