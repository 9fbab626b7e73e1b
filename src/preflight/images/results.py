"""What image resolution concludes: per process, and for the whole pipeline.

:class:`ProcessImage` is one process instance and the image it runs in (or why none is known);
:class:`ImageResolution` is everything ``preflight images`` reports. Both are plain results —
:mod:`preflight.images.resolve` produces them, :mod:`preflight.images.findings` judges them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from preflight.images.ref import ImageRef
from preflight.model import Finding, ImageUse, Location, Unresolved

CHECK = "images"


class Outcome(str, enum.Enum):
    """What resolution concluded for one process."""

    IMAGE = "image"  # a registry image the run will pull
    NONE = "none"  # no container at all
    UNRESOLVED = "unresolved"  # only known at run time
    CONDA = "conda"  # Wave builds it from the conda directive
    NOT_REGISTRY = "not-registry"  # a URL or file for Singularity/Apptainer
    INVALID = "invalid"  # a value that is not a valid image reference


@dataclass(frozen=True)
class ProcessImage:
    """One process instance and the image it will run in, with how that was decided.

    ``image`` is set only for :attr:`Outcome.IMAGE`; ``reason`` says why for the others.
    ``inspect_image`` is what ``nextflow inspect`` would print; it differs from ``image`` only
    when a ``withName`` selector on the include alias or the fully qualified name applies.
    ``unset_params`` names the params the image reads that nothing sets (rendered ``null``);
    ``excluded_by`` says which condition, false under these params, keeps it from running.
    """

    process: str
    declared: str
    alias: str
    labels: tuple[str, ...]
    reached: bool
    outcome: Outcome = Outcome.NONE
    image: ImageRef | None = None
    raw: str | None = None
    origin: str = ""
    source: Location | None = None
    inspect_image: str | None = None
    reason: str = ""
    unset_params: tuple[str, ...] = ()
    excluded_by: str = ""

    @property
    def differs_from_inspect(self) -> bool:
        return self.image is not None and self.inspect_image != str(self.image)


@dataclass(frozen=True)
class ImageResolution:
    """Everything ``preflight images`` reports: uses, unresolved entries, findings, per process."""

    engine: str
    uses: tuple[ImageUse, ...] = ()
    unresolved: tuple[Unresolved, ...] = ()
    findings: tuple[Finding, ...] = ()
    processes: tuple[ProcessImage, ...] = ()

    @property
    def acr_uses(self) -> tuple[ImageUse, ...]:
        return tuple(u for u in self.uses if u.acr)

    @property
    def unreached(self) -> tuple[ProcessImage, ...]:
        """Processes defined and loaded but never called: their images are not checked."""
        return tuple(p for p in self.processes if not p.reached)
