"""Nextflow's ``MemoryUnit`` and ``Duration``: parsing, rendering, arithmetic and comparison.

The rules are Nextflow's own (``nextflow.util.MemoryUnit``/``Duration``): ``'8 GB'``, ``'8G'``
and ``8.GB`` are the same amount, ``'8 gb'`` is no amount at all; ``1_000_000.toMemory()`` is
``976.6 KB``; ``'1d 2h'`` and ``'01:02:03'`` are durations; ``61800`` ms renders as ``1m 2s``.
Whatever Nextflow refuses (a bad unit, a negative amount) raises ``ValueError`` here, which the
evaluator turns into a value only the run could compute.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

MEMORY_UNITS = ("B", "KB", "MB", "GB", "TB", "PB", "EB", "ZB")
_DURATION_UNITS = {
    **dict.fromkeys(("ms", "milli", "millis"), 1),
    **dict.fromkeys(("s", "sec", "second", "seconds"), 1000),
    **dict.fromkeys(("m", "min", "minute", "minutes"), 60_000),
    **dict.fromkeys(("h", "hour", "hours"), 3_600_000),
    **dict.fromkeys(("d", "day", "days"), 86_400_000),
}
_MEMORY_TEXT = re.compile(r"([0-9.]+)\s*(\S)?B?")
_DURATION_PART = re.compile(r"(\d+\.?\d*)\s*([a-zA-Z]+)")
_DURATION_LEGACY = re.compile(r"(\d{1,2}):(\d{1,2}):(\d{1,2})")


def java_round(value: float) -> int:
    """Java's ``Math.round``: halves go up."""
    return math.floor(value + 0.5)


@dataclass(frozen=True, order=True)
class MemoryUnit:
    """An amount of memory in bytes, as Nextflow's ``2.GB`` or ``'8 GB' as MemoryUnit``."""

    bytes: int

    def __post_init__(self) -> None:
        if self.bytes < 0:
            raise ValueError("a memory amount cannot be negative")

    def __str__(self) -> str:
        if self.bytes <= 0:
            return "0"
        group = int(math.log10(self.bytes) / math.log10(1024))
        shown = Decimal(self.bytes / 1024**group).quantize(Decimal("0.1"), ROUND_HALF_EVEN)
        text = format(shown, "f").removesuffix(".0")
        return f"{text} {MEMORY_UNITS[group]}"

    @classmethod
    def of(cls, value: Any) -> MemoryUnit:
        """``MemoryUnit.of``: bytes from a whole number, or Nextflow's text form."""
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        if not isinstance(value, str):
            raise ValueError(f"not a valid memory value: {value!r}")
        match = _MEMORY_TEXT.fullmatch(value)
        if match is None:
            raise ValueError(f"not a valid file size value: {value!r}")
        number, unit = match.group(1), (match.group(2) or "").upper()
        if not unit or unit == "B":
            if not number.isdigit():
                raise ValueError(f"not a whole number of bytes: {value!r}")
            return cls(int(number))
        if unit not in MEMORY_UNITS:
            unit += "B"
        if unit not in MEMORY_UNITS:
            raise ValueError(f"not a valid file size unit: {value!r}")
        return cls(java_round(float(number) * 1024.0 ** MEMORY_UNITS.index(unit)))

    @classmethod
    def parse(cls, text: str) -> MemoryUnit | None:
        """``text`` as Nextflow reads it, or None when Nextflow refuses it."""
        try:
            return cls.of(text)
        except ValueError:
            return None

    def to_unit(self, unit: str) -> int:
        if unit not in MEMORY_UNITS:
            raise ValueError(f"not a valid memory unit: {unit}")
        return self.bytes // (1 << (10 * MEMORY_UNITS.index(unit)))


@dataclass(frozen=True, order=True)
class Duration:
    """A span of time in milliseconds, as Nextflow's ``1.h`` or ``'2 days'``."""

    millis: int

    def __post_init__(self) -> None:
        if self.millis < 0:
            raise ValueError("a duration cannot be negative")

    def __str__(self) -> str:
        ms = self.millis
        if ms < 1000:
            return f"{ms}ms"
        if ms < 60_000:
            tenths = java_round(ms / 100)
            whole, tenth = divmod(tenths, 10)
            return f"{whole}.{tenth}s" if tenth else f"{whole}s"
        secs = java_round(ms / 1000)
        mins, secs = divmod(secs, 60)
        hours, mins = divmod(mins, 60)
        days, hours = divmod(hours, 24)
        parts = [(days, "d"), (hours, "h"), (mins, "m"), (secs, "s")]
        return " ".join(f"{n}{unit}" for n, unit in parts if n)

    @classmethod
    def of(cls, value: Any) -> Duration:
        """``Duration.of``: milliseconds from a whole number, or Nextflow's text forms."""
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        if not isinstance(value, str):
            raise ValueError(f"not a valid duration value: {value!r}")
        total, rest, parts = 0, value, 0
        while True:
            match = _DURATION_PART.match(rest)
            if match is None:
                break
            unit = match.group(2)
            if unit not in _DURATION_UNITS:
                raise ValueError(f"not a valid duration unit: {unit!r}")
            total += java_round(float(match.group(1)) * _DURATION_UNITS[unit])
            rest, parts = rest[match.end() :].strip(), parts + 1
        if parts and not rest:
            return cls(total)
        legacy = _DURATION_LEGACY.fullmatch(value)
        if legacy is None:
            raise ValueError(f"not a valid duration value: {value!r}")
        hh, mm, ss = (int(g) for g in legacy.groups())
        return cls(((hh * 60 + mm) * 60 + ss) * 1000)

    @classmethod
    def parse(cls, text: str) -> Duration | None:
        try:
            return cls.of(text)
        except ValueError:
            return None


def unit_value(number: float, unit: str) -> MemoryUnit | Duration | None:
    """``2.GB``, ``8.gb`` → ``MemoryUnit``; ``1.h``, ``2.H`` → ``Duration``; else ``None``.

    As Nextflow's number properties: a duration unit (any case) first, then a memory unit.
    """
    text = repr(number) if isinstance(number, float) else str(number)
    if unit.lower() in _DURATION_UNITS:
        return Duration.of(text + unit.lower())
    if unit.upper() in MEMORY_UNITS:
        return MemoryUnit.of(text + unit.upper())
    return None


def compare(left: Any, right: Any) -> int | None:
    """``<=>`` with a unit on either side: against a unit, a number (bytes or ms) or its text.

    None when neither side is a unit. ``10000 < 1.GB`` holds, as in Nextflow.
    """
    if isinstance(right, (MemoryUnit, Duration)) and not isinstance(left, (MemoryUnit, Duration)):
        order = compare(right, left)
        return None if order is None else -order
    if isinstance(left, MemoryUnit):
        other = right if isinstance(right, MemoryUnit) else _as(MemoryUnit, right, "bytes")
        return (left.bytes > other.bytes) - (left.bytes < other.bytes)
    if isinstance(left, Duration):
        other_d = right if isinstance(right, Duration) else _as(Duration, right, "millis")
        return (left.millis > other_d.millis) - (left.millis < other_d.millis)
    return None


def _as(kind: type[Any], value: Any, field: str) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return kind(int(value))
    if isinstance(value, str):
        return kind.of(value)
    raise ValueError(f"cannot compare a {kind.__name__} with {value!r}")


def arithmetic(op: str, left: Any, right: Any) -> Any:
    """``+``/``-`` between two of a kind, ``*``/``/`` by a number; else ``NotImplemented``."""
    number = isinstance(right, (int, float)) and not isinstance(right, bool)
    for kind, field in ((MemoryUnit, "bytes"), (Duration, "millis")):
        if not isinstance(left, kind):
            continue
        amount = getattr(left, field)
        if op in ("+", "-") and isinstance(right, kind):
            other = getattr(right, field)
            return kind(amount + other if op == "+" else amount - other)
        if op == "*" and number:
            return kind(int(amount * right))
        if op == "/" and number:
            return kind(java_round(amount / right))
    return NotImplemented


class UnitType:
    """The names ``MemoryUnit`` and ``Duration`` in an expression: their static ``of``."""

    def __init__(self, kind: type[MemoryUnit] | type[Duration]) -> None:
        self.kind = kind

    def call(self, member: str, args: list[Any]) -> Any:
        if member == "of" and len(args) == 1:
            return self.kind.of(args[0])
        if member == "of" and len(args) == 2 and self.kind is Duration:
            parsed = Duration.parse(args[0]) if isinstance(args[0], str) else None
            return parsed if parsed is not None else args[1]
        raise ValueError(f"{self.kind.__name__}.{member} is not known")


UNIT_TYPES = {"MemoryUnit": UnitType(MemoryUnit), "Duration": UnitType(Duration)}

UNIT_METHODS: dict[tuple[str, str], Any] = {
    ("MemoryUnit", "toString"): str,
    ("MemoryUnit", "toBytes"): lambda m: m.bytes,
    ("MemoryUnit", "toKilo"): lambda m: m.bytes >> 10,
    ("MemoryUnit", "toMega"): lambda m: m.bytes >> 20,
    ("MemoryUnit", "toGiga"): lambda m: m.bytes >> 30,
    ("MemoryUnit", "toUnit"): lambda m, u: m.to_unit(u),
    ("Duration", "toString"): str,
    ("Duration", "toMillis"): lambda d: d.millis,
    ("Duration", "toSeconds"): lambda d: d.millis // 1000,
    ("Duration", "toMinutes"): lambda d: d.millis // 60_000,
    ("Duration", "toHours"): lambda d: d.millis // 3_600_000,
    ("Duration", "toDays"): lambda d: d.millis // 86_400_000,
    ("Number", "toMemory"): lambda n: MemoryUnit(int(n)),
    ("Number", "toDuration"): lambda n: Duration(int(n)),
}
# Groovy getters: ``mem.giga`` is ``mem.getGiga()``.
UNIT_PROPERTIES: dict[tuple[str, str], Any] = {
    ("MemoryUnit", "bytes"): lambda m: m.bytes,
    ("MemoryUnit", "kilo"): lambda m: m.bytes >> 10,
    ("MemoryUnit", "mega"): lambda m: m.bytes >> 20,
    ("MemoryUnit", "giga"): lambda m: m.bytes >> 30,
    ("Duration", "millis"): lambda d: d.millis,
    ("Duration", "seconds"): lambda d: d.millis // 1000,
    ("Duration", "minutes"): lambda d: d.millis // 60_000,
    ("Duration", "hours"): lambda d: d.millis // 3_600_000,
    ("Duration", "days"): lambda d: d.millis // 86_400_000,
}
