"""Which processes a run reaches: the workflows walked from the entry workflow down.

Each process comes with the include alias it is called by and the fully qualified name
(``WORKFLOW:SUB:PROC``) that configuration selectors may target. Processes that are loaded but
never called are listed too, under their declared name, marked not reached.

Conditions are decided from the params in force (:class:`~.conditions.Conditions`): an include
inside a top-level ``if`` whose guard is false brings nothing into scope, and an invocation in a
workflow's ``if`` arm that does not run reaches nothing; what they would have reached is marked
"not called under these params", with the false condition. An include whose guard cannot be
decided is followed, and said so (every branch counts).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from preflight.nextflow.script.conditions import Conditions
from preflight.nextflow.script.model import (
    Include,
    ProcessDef,
    ProcessInstance,
    ScanIssue,
    ScriptFile,
    WorkflowDef,
)


@dataclass(frozen=True)
class _Target:
    """What a name in a file's scope stands for: a process or workflow, and where it is defined."""

    kind: str  # "process" | "workflow"
    file: str
    name: str


@dataclass
class Reached:
    """What the walk found: instances, named workflows never entered, what it could not decide."""

    instances: list[ProcessInstance]
    other_entries: tuple[str, ...]
    issues: list[ScanIssue] = field(default_factory=list)


def _targets(
    include: Include,
    path: str,
    files: dict[str, ScriptFile],
    targets: dict[tuple[str, str], str | None],
) -> Iterator[tuple[str, _Target]]:
    """``(alias, target)`` for each entry of ``include`` that names a process or workflow."""
    target = targets.get((path, include.path))
    included = files.get(target) if target is not None else None
    if target is None or included is None:
        return
    processes = {p.name for p in included.processes}
    for name, alias in include.entries:
        if name in processes:
            yield alias, _Target("process", target, name)
        elif any(w.name == name for w in included.workflows):
            yield alias, _Target("workflow", target, name)


class _Walk:
    """The walk over loaded files, with the conditions decided from the params in force."""

    def __init__(
        self,
        files: dict[str, ScriptFile],
        targets: dict[tuple[str, str], str | None],
        conditions: Conditions,
    ) -> None:
        self.files = files
        self.targets = targets
        self.conditions = conditions
        self.found: dict[str, ProcessInstance] = {}
        self.entered: set[str] = set()
        self.scopes: dict[str, dict[str, _Target]] = {}
        # Processes a false condition keeps from running: (file, name) → why.
        self.excluded: dict[tuple[str, str], str] = {}
        self.issues: list[ScanIssue] = []

    def scope_of(self, path: str) -> dict[str, _Target]:
        """The names a workflow body in ``path`` may call: its includes (under their aliases)
        whose guard holds or is undecided, then its own processes and named workflows, which
        win over an include of the same name."""
        scope = self.scopes.get(path)
        if scope is not None:
            return scope
        scope = self.scopes[path] = {}
        script = self.files[path]
        for include in script.includes:
            verdict = self.conditions.guard(include.guard) if include.guard else True
            if verdict is False:
                why = self._why(include.guard, f"include at {include.location}")
                for _alias, target in _targets(include, path, self.files, self.targets):
                    self._exclude(target, why)
                continue
            if verdict is None:
                self.issues.append(_undecided_include(include))
            for alias, target in _targets(include, path, self.files, self.targets):
                scope[alias] = target
        for process in script.processes:
            scope[process.name] = _Target("process", path, process.name)
        for workflow in script.workflows:
            if workflow.name is not None:
                scope[workflow.name] = _Target("workflow", path, workflow.name)
        return scope

    def _why(self, guard: tuple[str, ...], where: str) -> str:
        """The false condition of ``guard``, said plainly (an ``else`` arm's ``!(C)`` as ``C``
        is true), and the statement it guards."""
        condition = self.conditions.false_condition(guard)
        if condition.startswith("!(") and condition.endswith(")"):
            said = f"`{condition[2:-1]}` is true"
        else:
            said = f"`{condition}` is false"
        return f"{said} under these params ({where})"

    def _workflow(self, target: _Target) -> WorkflowDef:
        return next(w for w in self.files[target.file].workflows if w.name == target.name)

    def _exclude(self, target: _Target, why: str) -> None:
        """Mark ``target`` and all it would call as kept from running by ``why``."""
        pending = [target]
        seen: set[tuple[str, str]] = set()
        while pending:
            item = pending.pop()
            key = (item.file, item.name)
            if key in seen:
                continue
            seen.add(key)
            if item.kind == "process":
                self.excluded.setdefault(key, why)
                continue
            scope = self.scope_of(item.file)
            pending.extend(scope[c] for c in self._workflow(item).calls if c in scope)

    def definition(self, path: str, name: str) -> ProcessDef:
        return next(p for p in self.files[path].processes if p.name == name)

    def walk(self, path: str, workflow: WorkflowDef, prefix: str) -> None:
        """Depth first, each body's calls in order: a process records an instance, a workflow
        is entered unless it is already open on the current path (recursion ends there).

        The path is an explicit stack of open workflow bodies — include chains thousands deep
        must not meet the interpreter's recursion limit.
        """
        active: set[str] = set()
        stack: list[tuple[dict[str, _Target], Iterator[str], str, str | None, WorkflowDef]] = [
            (self.scope_of(path), iter(workflow.calls), prefix, None, workflow)
        ]
        while stack:
            scope, calls, prefix, key, body = stack[-1]
            guards = dict(body.guards) if body.guards else {}
            for called in calls:
                target = scope.get(called)
                if target is None:
                    continue
                arms = guards.get(called)
                if arms is not None:
                    verdicts = [self.conditions.guard(arm) for arm in arms]
                    if all(v is False for v in verdicts):
                        where = f"call of {called} in the workflow at {body.location}"
                        self._exclude(target, self._why(arms[0], where))
                        continue
                if target.kind == "process":
                    fqn = f"{prefix}{called}"
                    self.found.setdefault(
                        fqn,
                        ProcessInstance(self.definition(target.file, target.name), called, fqn),
                    )
                    continue
                sub_key = f"{target.file}:{target.name}"
                if sub_key in active:
                    continue
                self.entered.add(sub_key)
                active.add(sub_key)
                sub = self._workflow(target)
                stack.append(
                    (
                        self.scope_of(target.file),
                        iter(sub.calls),
                        f"{prefix}{called}:",
                        sub_key,
                        sub,
                    )
                )
                break  # descend; this body's remaining calls resume when the callee is done
            else:
                stack.pop()
                if key is not None:
                    active.discard(key)


def _undecided_include(include: Include) -> ScanIssue:
    names = ", ".join(alias for _name, alias in include.entries)
    conditions = " && ".join(include.guard)
    return ScanIssue(
        f"the include of {names} from {include.path!r} stands under `if ({conditions})`, "
        "which cannot be decided before the run: every branch's includes are followed, so "
        "images of a branch the run does not take may be listed",
        include.location,
        remedy="set the params the condition reads (--param NAME=VALUE) so preflight can "
        "take only the branch the run takes",
    )


def reach(
    files: dict[str, ScriptFile],
    targets: dict[tuple[str, str], str | None],
    main: str | None,
    conditions: Conditions,
) -> Reached:
    """Every process instance, walked from the entry workflow, then the loaded but uncalled ones.

    ``files`` are the loaded scripts by canonical path, ``targets`` where each (file, include
    path) led, ``main`` the main script. The instances come in walk order (depth first, each
    body's calls in order; the first instance of an FQN wins), with the main script's named
    workflows the walk never entered. Without an entry workflow, every named workflow of the
    main script is walked.
    """
    walk = _Walk(files, targets, conditions)
    workflows = files[main].workflows if main is not None and main in files else ()
    entry = [w for w in workflows if w.name is None]
    for workflow in entry or workflows:
        prefix = "" if workflow.name is None else f"{workflow.name}:"
        walk.walk(main or "", workflow, prefix)
    others = tuple(
        w.name
        for w in workflows
        if w.name is not None and entry and f"{main}:{w.name}" not in walk.entered
    )
    # Without a workflow to follow, nothing can be ruled out: every process may run.
    unknown = not workflows
    found = walk.found
    reached = {(i.definition.location, i.definition.name) for i in found.values()}
    for path, script in files.items():
        for process in script.processes:
            if (process.location, process.name) not in reached:
                why = walk.excluded.get((path, process.name), "")
                found.setdefault(
                    process.name,
                    ProcessInstance(process, process.name, process.name, unknown, why),
                )
    return Reached(list(found.values()), others, walk.issues)
