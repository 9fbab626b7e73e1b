"""The names a configuration expression sees, and the tree's own containers.

:class:`ExpressionScope` is built per expression: the directories, ``secrets``, ``params`` and
the file's locals; under the legacy parser also the settings made so far (``manifest.version``)
and every environment variable, looked up on demand. :class:`UserFunction` stands for a
function the config defines. :func:`fill` copies a plain mapping into the tree's scope type.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from preflight.model import Location
from preflight.nextflow.groovy import ast
from preflight.nextflow.groovy.values import Dynamic

if TYPE_CHECKING:
    from preflight.nextflow.config.evaluator import _Run
    from preflight.nextflow.config.scope import ConfigScope

_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


class UserFunction:
    """A function the config defines (``check_max``): calling it is dynamic, with its place."""

    def __init__(self, stmt: ast.FunctionDef) -> None:
        self.stmt = stmt

    def __call__(self, *args: Any) -> Dynamic:
        return Dynamic(
            f"computed by {self.stmt.name}(), defined at {self.stmt.location}",
            self.stmt.location,
            self.stmt.name,
        )


class ExpressionScope(dict[str, Any]):
    """Names a config expression sees: locals, ``params``, the directories, ``secrets``.

    A plain dict of those names, built per expression (a closure captures it with one C-level
    copy). Under the legacy parser, settings already made are readable too
    (``manifest.version``), and every environment variable is a name: those are looked up
    on demand, never copied.
    """

    __slots__ = ("run",)

    def __init__(self, run: _Run) -> None:
        super().__init__(run.fixed_names)
        params = dict.get(run.tree, "params")
        self["params"] = params if params is not None else run.scope_type()
        self.update(run.locals)
        self.run = run

    def __missing__(self, name: str) -> Any:
        if self.run.syntax == "v1":
            if dict.__contains__(self.run.tree, name):
                return dict.__getitem__(self.run.tree, name)
            if _ENV_NAME.fullmatch(name):
                # the legacy parser binds every environment variable as a name
                return Dynamic(
                    f"environment variable {name} at launch", Location("<environment>", 0), name
                )
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        if dict.__contains__(self, name):
            return True
        try:
            self.__missing__(str(name))
        except KeyError:
            return False
        return True

    def get(self, name: str, default: Any = None) -> Any:
        """Like ``scope[name]`` (legacy names included), ``default`` when it is unbound."""
        try:
            return self[name]
        except KeyError:
            return default


def fill(target: ConfigScope, source: Mapping[Any, Any]) -> None:
    for key, value in source.items():
        if isinstance(value, Mapping):
            child = type(target)()
            fill(child, value)
            OrderedDict.__setitem__(target, str(key), child)
        else:
            OrderedDict.__setitem__(target, str(key), value)
