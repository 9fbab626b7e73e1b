"""The params a run starts with, and the ``if`` conditions they decide before the run.

Params in force are the main script's ``params.x = …`` defaults under the configuration's and
the command line's. A condition (of a top-level ``if`` around includes, or of an ``if`` in a
workflow body) is decided from them when it reads only params and ``workflow.profile``: a param
nothing sets is ``null``, as in Nextflow. Anything else it reads — a channel, a function, a
value only the run knows — leaves it undecided, and every branch counts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from preflight.errors import PreflightError
from preflight.model import Location
from preflight.nextflow.script.model import Directive, Guard

_HERE = Location("<condition>", 1, 1)


def params_in_force(
    script_params: Mapping[str, Directive], config_params: Any, root: str
) -> dict[str, Any]:
    """Script ``params.x = …`` defaults, overridden by configuration and command-line params."""
    from preflight.nextflow.groovy.expressions import evaluate, parse_expression

    params: dict[str, Any] = {}
    for name, directive in script_params.items():
        try:
            value = evaluate(
                parse_expression(directive.source, directive.location),
                {"params": params, "projectDir": root, "baseDir": root},
            )
        except PreflightError:
            continue
        target = params
        *parents, last = name.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[last] = value
    return _deep_merge(params, _plain(config_params))


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _deep_merge(base: dict[str, Any], over: Any) -> dict[str, Any]:
    if not isinstance(over, Mapping):
        return base
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            base[key] = _deep_merge(dict(base[key]), value)
        else:
            base[key] = value
    return base


class _OnlyKnown(Mapping[str, Any]):
    """``workflow`` in a condition: the members known at launch; any other is undecided."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def get(self, key: str, default: Any = None) -> Any:
        from preflight.nextflow.groovy.values import Dynamic

        if key in self._values:
            return self._values[key]
        return Dynamic(f"workflow.{key} is only known at run time", _HERE, f"workflow.{key}")

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class Conditions:
    """Decides guards from the params in force: ``True``, ``False`` or ``None`` (undecided)."""

    def __init__(self, params: Mapping[str, Any], profile: str) -> None:
        self.scope = {"params": params, "workflow": _OnlyKnown({"profile": profile})}
        self._decided: dict[str, bool | None] = {}

    def condition(self, source: str) -> bool | None:
        """One condition's truth (Groovy truth), or ``None`` when only the run can tell."""
        if source not in self._decided:
            self._decided[source] = self._decide(source)
        return self._decided[source]

    def _decide(self, source: str) -> bool | None:
        from preflight.nextflow.groovy.expressions import evaluate, parse_expression, truthy
        from preflight.nextflow.groovy.values import first_dynamic

        try:
            value = evaluate(parse_expression(source, _HERE), self.scope)
        except PreflightError:
            return None
        if first_dynamic(value) is not None:
            return None
        return truthy(value)

    def guard(self, guard: Guard) -> bool | None:
        """A guard holds when all its conditions do: ``False`` as soon as one is false."""
        verdict: bool | None = True
        for source in guard:
            decided = self.condition(source)
            if decided is False:
                return False
            if decided is None:
                verdict = None
        return verdict

    def false_condition(self, guard: Guard) -> str:
        """The first condition of ``guard`` that is false under these params."""
        return next((c for c in guard if self.condition(c) is False), "")
