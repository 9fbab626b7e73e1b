"""Which processes a run reaches: the workflows walked from the entry workflow down.

Each process comes with the include alias it is called by and the fully qualified name
(``WORKFLOW:SUB:PROC``) that configuration selectors may target. Processes that are loaded but
never called are listed too, under their declared name, marked not reached.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from preflight.nextflow.script.model import ProcessDef, ProcessInstance, ScriptFile, WorkflowDef


@dataclass(frozen=True)
class _Target:
    """What a name in a file's scope stands for: a process or workflow, and where it is defined."""

    kind: str  # "process" | "workflow"
    file: str
    name: str


def _scope(
    path: str, files: dict[str, ScriptFile], targets: dict[tuple[str, str], str | None]
) -> dict[str, _Target]:
    """The names a workflow body in ``path`` may call: its includes (under their aliases), then
    its own processes and named workflows, which win over an include of the same name."""
    script = files[path]
    scope: dict[str, _Target] = {}
    for include in script.includes:
        target = targets.get((path, include.path))
        if target is None:
            continue
        included = files.get(target)
        if included is None:
            continue
        processes = {p.name for p in included.processes}
        for name, alias in include.entries:
            if name in processes:
                scope[alias] = _Target("process", target, name)
            elif any(w.name == name for w in included.workflows):
                scope[alias] = _Target("workflow", target, name)
    for process in script.processes:
        scope[process.name] = _Target("process", path, process.name)
    for workflow in script.workflows:
        if workflow.name is not None:
            scope[workflow.name] = _Target("workflow", path, workflow.name)
    return scope


def reach(
    files: dict[str, ScriptFile],
    targets: dict[tuple[str, str], str | None],
    main: str | None,
) -> tuple[list[ProcessInstance], tuple[str, ...]]:
    """Every process instance, walked from the entry workflow, then the loaded but uncalled ones.

    ``files`` are the loaded scripts by canonical path, ``targets`` where each (file, include
    path) led, ``main`` the main script. Returns the instances in walk order (depth first, each
    body's calls in order; the first instance of an FQN wins) and the main script's named
    workflows the walk never entered. Without an entry workflow, every named workflow of the
    main script is walked.
    """
    found: dict[str, ProcessInstance] = {}
    entered: set[str] = set()
    scopes: dict[str, dict[str, _Target]] = {}

    def scope_of(path: str) -> dict[str, _Target]:
        if path not in scopes:
            scopes[path] = _scope(path, files, targets)
        return scopes[path]

    def definition(path: str, name: str) -> ProcessDef:
        return next(p for p in files[path].processes if p.name == name)

    def walk(path: str, workflow: WorkflowDef, prefix: str) -> None:
        """Depth first, each body's calls in order: a process records an instance, a workflow
        is entered unless it is already open on the current path (recursion ends there).

        The path is an explicit stack of open workflow bodies — include chains thousands deep
        must not meet the interpreter's recursion limit.
        """
        active: set[str] = set()
        stack: list[tuple[dict[str, _Target], Iterator[str], str, str | None]] = [
            (scope_of(path), iter(workflow.calls), prefix, None)
        ]
        while stack:
            scope, calls, prefix, key = stack[-1]
            for called in calls:
                target = scope.get(called)
                if target is None:
                    continue
                if target.kind == "process":
                    fqn = f"{prefix}{called}"
                    found.setdefault(
                        fqn, ProcessInstance(definition(target.file, target.name), called, fqn)
                    )
                    continue
                sub_key = f"{target.file}:{target.name}"
                if sub_key in active:
                    continue
                entered.add(sub_key)
                active.add(sub_key)
                sub = next(w for w in files[target.file].workflows if w.name == target.name)
                stack.append(
                    (scope_of(target.file), iter(sub.calls), f"{prefix}{called}:", sub_key)
                )
                break  # descend; this body's remaining calls resume when the callee is done
            else:
                stack.pop()
                if key is not None:
                    active.discard(key)

    workflows = files[main].workflows if main is not None and main in files else ()
    entry = [w for w in workflows if w.name is None]
    for workflow in entry or workflows:
        prefix = "" if workflow.name is None else f"{workflow.name}:"
        walk(main or "", workflow, prefix)
    others = tuple(
        w.name
        for w in workflows
        if w.name is not None and entry and f"{main}:{w.name}" not in entered
    )
    # Without a workflow to follow, nothing can be ruled out: every process may run.
    unknown = not workflows
    reached = {(i.definition.location, i.definition.name) for i in found.values()}
    for script in files.values():
        for process in script.processes:
            if (process.location, process.name) not in reached:
                found.setdefault(
                    process.name, ProcessInstance(process, process.name, process.name, unknown)
                )
    return list(found.values()), others
