"""The values a Nextflow configuration evaluates to, beyond Python's own.

``Dynamic`` stands for a value that only exists at run time (an environment variable, a pipeline
secret, a function the user wrote): the reader never guesses it, it says so and where. ``Closure``
is a ``{ … }`` kept for later evaluation per task, as Nextflow keeps it. ``MemoryUnit`` and
``Duration`` (from :mod:`units`) are the unit literals ``2.GB`` and ``1.h``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from preflight.model import Location
from preflight.nextflow.groovy.units import Duration, MemoryUnit, unit_value

__all__ = ["Closure", "Duration", "Dynamic", "MemoryUnit", "first_dynamic", "unit_value"]

if TYPE_CHECKING:
    from preflight.nextflow.groovy.ast import Expr


@dataclass(frozen=True)
class Dynamic:
    """A value preflight cannot know before the run: why, where, and the source text."""

    reason: str
    location: Location
    source: str = ""

    def __str__(self) -> str:
        return f"<dynamic: {self.reason}>"


@dataclass(frozen=True)
class Closure:
    """A ``{ … }`` value: evaluated per task by Nextflow, here on request with its scope.

    ``captured`` holds the names visible where the closure was written (``params``,
    ``projectDir`` …); the caller adds ``task`` and ``it`` when it evaluates the body.
    """

    source: str
    expr: Expr | None
    location: Location
    captured: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __str__(self) -> str:
        return self.source


_LEAVES = (str, int, float, Closure)


def first_dynamic(value: Any) -> Dynamic | None:
    """The first ``Dynamic`` inside ``value`` (itself, or in a list or map), else ``None``."""
    if isinstance(value, _LEAVES):
        return None  # the common case, without the abstract Mapping check below
    if isinstance(value, Dynamic):
        return value
    if isinstance(value, (list, tuple)):
        for item in value:
            found = first_dynamic(item)
            if found is not None:
                return found
    elif isinstance(value, Mapping):
        for item in value.values():
            found = first_dynamic(item)
            if found is not None:
                return found
    return None
