"""The names a process directive sees when Nextflow evaluates it for a task.

Nextflow evaluates a dynamic ``container`` when it creates a task, against the task's context:
``task`` (whose ``ext`` map holds what the selectors merged), ``params``, ``workflow`` and the
directory names. An ``ext`` value that is a closure (``process.ext.use_gpu = { … }``) is not a
value until it is read: each read of ``task.ext.NAME`` calls it with the task context as its
delegate, so it sees the run's params and ``workflow.profile`` — this process's, after every
selector has applied. :class:`TaskExt` does the same; a closure is never counted as true.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from preflight.nextflow.groovy.values import Closure, Dynamic

# ``workflow.profile`` when the run names no ``-profile`` (Nextflow's ConfigBuilder default).
DEFAULT_PROFILE = "standard"


def workflow_profile(profiles: tuple[str, ...]) -> str:
    """``workflow.profile``: the ``-profile`` value as given (names joined by ``,``)."""
    return ",".join(profiles) or DEFAULT_PROFILE


class TaskExt(Mapping[str, Any]):
    """``task.ext`` of one process: plain values as merged, closures called when read.

    ``context`` is the task's scope (``task``, ``params``, ``workflow`` …), filled in by the
    caller after construction since ``task.ext`` is part of it. A closure that reads itself,
    directly or through another, is a run-time failure in Nextflow too: it becomes
    :class:`~preflight.nextflow.groovy.values.Dynamic` here instead of recursing forever.
    """

    __slots__ = ("_reading", "_values", "context")

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values
        self._reading: set[str] = set()
        self.context: Mapping[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        if not isinstance(value, Closure):
            return value
        if key in self._reading:
            return Dynamic(
                f"task.ext.{key} reads itself (fails at run time)", value.location, value.source
            )
        from preflight.nextflow.groovy.expressions import call_closure

        self._reading.add(key)
        try:
            return call_closure(value, self.context)
        finally:
            self._reading.discard(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class WatchedParams(Mapping[str, Any]):
    """``params`` that note every name read but never set (Nextflow gives those ``null``).

    ``unset`` collects the dotted names read since the caller last cleared it: an image built
    from an unset param still renders (with ``null`` in it), so the caller keeps the image and
    says which param to set. ``containsKey``/``in`` tests are not reads and note nothing.
    """

    __slots__ = ("_prefix", "_values", "unset")

    def __init__(
        self, values: Mapping[str, Any], prefix: str = "", unset: list[str] | None = None
    ) -> None:
        self._values = values
        self._prefix = prefix
        self.unset: list[str] = [] if unset is None else unset

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        if isinstance(value, Mapping) and not isinstance(value, WatchedParams):
            return WatchedParams(value, f"{self._prefix}{key}.", self.unset)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._values:
            return self[key]
        if isinstance(key, str):
            self.unset.append(self._prefix + key)
        return default

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def task_context(
    *,
    ext: Mapping[str, Any],
    params: Mapping[str, Any],
    workflow: Mapping[str, Any],
    root: str,
    module_dir: str,
    fqn: str,
) -> dict[str, Any]:
    """The scope a directive of the process ``fqn`` is evaluated in, ``task.ext`` lazy."""
    task_ext = TaskExt(ext)
    context: dict[str, Any] = {
        "params": params,
        "projectDir": root,
        "baseDir": root,
        "moduleDir": module_dir,
        "workflow": workflow,
        "task": {"ext": task_ext, "process": fqn, "name": fqn, "attempt": 1},
    }
    task_ext.context = context
    return context


__all__ = ["DEFAULT_PROFILE", "TaskExt", "task_context", "workflow_profile"]
