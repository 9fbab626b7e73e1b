"""What the ``.nf`` scanner produces: definitions per file, process instances, the whole scan.

These records are the scanner's contract with its callers (image resolution, the checks): the
*source text* of each directive with its ``file:line:col``, never an evaluated value — evaluation
needs the configuration, the engine and the params, which are the caller's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


# A condition a call or include stands under: Groovy source texts that must all be true (an
# ``else`` arm is written as the negations of the arms before it, ``!(C)``).
Guard = tuple[str, ...]


@dataclass(frozen=True)
class WorkflowDef:
    """A workflow block (``name`` ``None`` for the entry workflow) and what its body invokes.

    ``calls`` are the names invoked (``NAME(…)``, ``ch | NAME``), in first-use order.
    ``guards`` holds, for a name invoked only inside ``if``/``else`` blocks, the guard of each
    place it is invoked: it runs when any of them holds. A name with no entry there is invoked
    unconditionally somewhere.
    """

    name: str | None
    location: Location
    calls: tuple[str, ...] = ()
    guards: tuple[tuple[str, tuple[Guard, ...]], ...] = ()


@dataclass(frozen=True)
class Include:
    """``include { NAME as ALIAS; … } from 'path'``; ``entries`` pairs (declared name, alias).

    ``guard`` is set for an include inside a top-level ``if``/``else``: it takes effect only in
    a run where the guard holds.
    """

    entries: tuple[tuple[str, str], ...]
    path: str
    location: Location
    guard: Guard = ()


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
    # Why a process is not reached under these params (a condition false for them), if so.
    excluded_by: str = ""

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
    ``params`` are the params in force (script defaults under configuration and command line),
    the ones ``if`` conditions were decided with. ``entry`` is where the workflow the walk
    starts from is written (the unnamed one, else the first named one).
    """

    files: tuple[ScriptFile, ...]
    instances: tuple[ProcessInstance, ...]
    issues: tuple[ScanIssue, ...] = ()
    script_params: dict[str, Directive] = field(default_factory=dict)
    other_entries: tuple[str, ...] = ()
    entries_followed: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    entry: Location | None = None

    @property
    def processes(self) -> tuple[ProcessDef, ...]:
        return tuple(p for f in self.files for p in f.processes)
