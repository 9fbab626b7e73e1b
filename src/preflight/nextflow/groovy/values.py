"""The values a Nextflow configuration evaluates to, beyond Python's own.

``Dynamic`` stands for a value that only exists at run time (an environment variable, a pipeline
secret, a function the user wrote): the reader never guesses it, it says so and where. ``Closure``
is a ``{ … }`` kept for later evaluation per task, as Nextflow keeps it. ``MemoryUnit`` and
``Duration`` are the unit literals ``2.GB`` and ``1.h``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from preflight.model import Location

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


_MEMORY_UNITS = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40, "PB": 1 << 50}
_DURATION_UNITS = {
    "ms": 1,
    "milli": 1,
    "millis": 1,
    "s": 1000,
    "sec": 1000,
    "second": 1000,
    "seconds": 1000,
    "m": 60_000,
    "min": 60_000,
    "minute": 60_000,
    "minutes": 60_000,
    "mins": 60_000,
    "h": 3_600_000,
    "hour": 3_600_000,
    "hours": 3_600_000,
    "d": 86_400_000,
    "day": 86_400_000,
    "days": 86_400_000,
}


@dataclass(frozen=True, order=True)
class MemoryUnit:
    """An amount of memory, as Nextflow's ``2.GB`` or ``'8 GB' as MemoryUnit``."""

    bytes: int

    def __str__(self) -> str:
        for unit in ("PB", "TB", "GB", "MB", "KB"):
            size = _MEMORY_UNITS[unit]
            if self.bytes >= size:
                value = self.bytes / size
                text = f"{value:.1f}".rstrip("0").rstrip(".")
                return f"{text} {unit}"
        return f"{self.bytes} B"

    @classmethod
    def parse(cls, text: str) -> MemoryUnit | None:
        match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGTP]?B)\s*", text, re.IGNORECASE)
        if not match:
            return None
        return cls(int(float(match.group(1)) * _MEMORY_UNITS[match.group(2).upper()]))


@dataclass(frozen=True, order=True)
class Duration:
    """A span of time, as Nextflow's ``1.h`` or ``'2 days'``."""

    millis: int

    def __str__(self) -> str:
        for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
            if self.millis >= size and self.millis % size == 0:
                return f"{self.millis // size}{unit}"
        return f"{self.millis}ms"


def unit_value(number: float, unit: str) -> MemoryUnit | Duration | None:
    """``2.GB`` → ``MemoryUnit``; ``1.h`` → ``Duration``; anything else → ``None``."""
    if unit in _MEMORY_UNITS:
        return MemoryUnit(int(number * _MEMORY_UNITS[unit]))
    if unit in _DURATION_UNITS:
        return Duration(int(number * _DURATION_UNITS[unit]))
    return None


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
