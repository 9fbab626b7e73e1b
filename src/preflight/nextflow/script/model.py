"""What the ``.nf`` scanner produces: definitions per file, process instances, the whole scan.

These records are the scanner's contract with its callers (image resolution, the checks): the
*source text* of each directive with its ``file:line:col``, never an evaluated value — evaluation
needs the configuration, the engine and the params, which are the caller's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from preflight.model import Location


@dataclass(frozen=True)
class Directive:
    """A directive's expression as written (``source``) and where it starts.

    A legacy ``if (C) { container A } else if (D) { container B } else { container E }`` chain
    is folded into one source, ``((C) ? (A) : (((D) ? (B) : (E)))``, so callers always evaluate
    a single expression.
    """

    source: str
    location: Location


@dataclass(frozen=True)
class ProcessDef:
    """One ``process`` definition: declared name, labels, container and conda directives."""

    name: str
    location: Location
    labels: tuple[str, ...] = ()
    container: Directive | None = None
    conda: Directive | None = None
    dynamic_labels: tuple[Directive, ...] = ()


@dataclass(frozen=True)
class WorkflowDef:
    """A workflow block (``name`` ``None`` for the entry workflow) and the names its body uses."""

    name: str | None
    location: Location
    calls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Include:
    """``include { NAME as ALIAS; … } from 'path'``; ``entries`` pairs (declared name, alias)."""

    entries: tuple[tuple[str, str], ...]
    path: str
    location: Location


@dataclass(frozen=True)
class ScanIssue:
    """Something the scanner could not follow (a missing include target, an unreadable byte).

    ``remedy`` says what to do when it is not the usual fix (correcting the include path).
    """

    message: str
    location: Location
    remedy: str | None = None


@dataclass(frozen=True)
class ScriptFile:
    """What one ``.nf`` file defines and includes, and the ``params.x = …`` lines it holds.

    ``path`` is the file's absolute path; ``display`` is how locations name it. ``issues`` holds
    what reading the file itself ran into (bytes that are not UTF-8).
    """

    path: str
    display: str
    processes: tuple[ProcessDef, ...] = ()
    workflows: tuple[WorkflowDef, ...] = ()
    includes: tuple[Include, ...] = ()
    params: tuple[tuple[str, Directive], ...] = ()
    issues: tuple[ScanIssue, ...] = ()


@dataclass(frozen=True)
class ProcessInstance:
    """A process as the run reaches it: declared name, include alias, fully qualified name.

    ``reached`` is False for a process that is loaded but never invoked from the entry workflow;
    Nextflow's ``inspect`` still lists those, under their declared name. Where the scanner cannot
    tell what runs (no main script, or a main script without any workflow) nothing is ruled out
    and every process counts as reached.
    """

    definition: ProcessDef
    alias: str
    fqn: str
    reached: bool = True

    @property
    def name(self) -> str:
        return self.definition.name


@dataclass(frozen=True)
class PipelineScripts:
    """Every loaded ``.nf`` file, every process instance, and what could not be followed.

    ``other_entries`` names the main script's named workflows that its entry workflow never
    calls: ``nextflow run -entry NAME`` would start one of those instead, and reach other
    processes. The scanner follows the entry workflow only. ``entries_followed`` names the
    workflows followed in its stead when the main script has no unnamed workflow (a run must
    then name one with ``-entry``; all are followed, so nothing the run may call is missed).
    """

    files: tuple[ScriptFile, ...]
    instances: tuple[ProcessInstance, ...]
    issues: tuple[ScanIssue, ...] = ()
    script_params: dict[str, Directive] = field(default_factory=dict)
    other_entries: tuple[str, ...] = ()
    entries_followed: tuple[str, ...] = ()

    @property
    def processes(self) -> tuple[ProcessDef, ...]:
        return tuple(p for f in self.files for p in f.processes)
