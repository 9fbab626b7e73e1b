"""The results every part of preflight speaks in: findings, their status, and the report.

Results are frozen dataclasses: a check returns findings, the runner gathers them into a
``Report``, reporters turn a report into text. "Could not check" is a finding with status
``error``, never an exception that hides the other checks.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1


class Status(str, enum.Enum):
    """A finding's verdict, mildest first; ``fail`` and ``error`` make the gate say no."""

    PASS = "pass"
    SKIP = "skip"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"

    @property
    def blocks(self) -> bool:
        """Whether this status makes the gate fail."""
        return self in (Status.FAIL, Status.ERROR)


@dataclass(frozen=True)
class Location:
    """A place in a user's file: ``file:line:col`` (1-based; ``col`` 0 when unknown).

    ``line`` 0 names a place that is not a line of a file (a command-line option): it shows as
    ``file`` alone.
    """

    file: str
    line: int
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.col}" if self.col else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Finding:
    """One verdict about one subject (a registry, an image, a config key …).

    ``check`` names the area (``wave``, ``images``, ``credentials``, ``pull``, ``token`` …);
    ``remedy`` is the next step for the user (empty for a pass); ``details`` carries
    machine-readable facts for the JSON report and must never hold a secret.
    """

    check: str
    status: Status
    subject: str
    message: str
    remedy: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    location: Location | None = None


@dataclass(frozen=True)
class ImageUse:
    """One container image the run will pull, with the processes that use it."""

    image: str
    registry: str
    repository: str
    tag: str | None
    digest: str | None
    acr: bool
    processes: tuple[str, ...]
    source: Location | None = None


@dataclass(frozen=True)
class Unresolved:
    """A process whose container could not be evaluated statically, and why."""

    process: str
    reason: str
    source: Location | None = None


@dataclass(frozen=True)
class PipelineSource:
    """Where a remote pipeline came from: the repository, the revision asked for, the commit.

    ``revision`` is what ``-r`` said, or the default branch; ``read_from`` says how its files
    were read: ``cache`` (preflight's, no network), ``assets`` (a ``nextflow pull`` checkout,
    no network) or ``fetched``.
    """

    repository: str  # owner/repo
    url: str
    revision: str
    commit: str
    read_from: str = "fetched"
    provider: str = "github"

    def __str__(self) -> str:
        return f"{self.repository}@{self.revision} ({self.commit[:12]})"


@dataclass(frozen=True)
class Report:
    """Everything one run of preflight found; reporters are pure functions of it."""

    findings: tuple[Finding, ...] = ()
    images: tuple[ImageUse, ...] = ()
    unresolved: tuple[Unresolved, ...] = ()
    pipeline: str = ""
    source: PipelineSource | None = None  # a remote pipeline: the repository and commit checked

    @property
    def passed(self) -> bool:
        """True when no finding blocks the gate (warnings allowed)."""
        return not any(f.status.blocks for f in self.findings)

    @property
    def status(self) -> Status:
        return Status.PASS if self.passed else Status.FAIL

    def count(self, status: Status) -> int:
        return sum(1 for f in self.findings if f.status is status)
