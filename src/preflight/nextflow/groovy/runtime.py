"""Groovy's run-time rules that configs rely on: truth, equality, conversions, String/List/Map
methods, and the names whose members only the run knows (``System``, ``secrets``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from preflight.nextflow.groovy import units
from preflight.nextflow.groovy.ast import Expr
from preflight.nextflow.groovy.units import UNIT_METHODS
from preflight.nextflow.groovy.values import Duration, Dynamic, MemoryUnit


def truthy(value: Any) -> bool:
    """Groovy truth, the one rule behind ``if``, ``!``, ``&&``, ``?:`` and ``x as boolean``.

    null, false, 0, empty strings and collections, and a zero ``MemoryUnit``/``Duration`` are
    false; everything else is true — the strings ``'false'`` and ``'0'`` included.
    """
    if value is None:
        return False
    if isinstance(value, (bool, int, float, str, list, tuple, dict)):
        return bool(value)
    if isinstance(value, Mapping):
        return len(value) > 0
    if isinstance(value, MemoryUnit):
        return value.bytes != 0
    if isinstance(value, Duration):
        return value.millis != 0
    return True


def is_enabled(value: Any) -> bool:
    """How Nextflow reads a switch such as ``wave.enabled`` (``opts.enabled as boolean``).

    Groovy truth of the configured value; a value only the run knows is not known to be on.
    """
    return not isinstance(value, Dynamic) and truthy(value)


def groovy_str(value: Any) -> str:
    """How Groovy renders a value inside a string: ``null``, ``true``, ``[a, b]``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(groovy_str(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "[" + ", ".join(f"{k}:{groovy_str(v)}" for k, v in value.items()) + "]"
    return str(value)


NOT_CONVERTED = object()


def convert(value: Any, name: str) -> Any:
    if name in ("String", "GString", "CharSequence"):
        return groovy_str(value)
    if name in ("Integer", "int", "Long", "long"):
        return int(value) if not isinstance(value, (list, dict)) else NOT_CONVERTED
    if name in ("Double", "double", "Float", "float", "BigDecimal"):
        return float(value)
    if name in ("Boolean", "boolean"):
        return truthy(value)  # ``'false' as boolean`` is true: a non-empty string
    if name in ("List", "ArrayList", "Collection"):
        return list(value) if isinstance(value, (list, tuple)) else NOT_CONVERTED
    if name in ("MemoryUnit", "Duration") and isinstance(value, (str, int)):
        return units.UNIT_TYPES[name].kind.of(value)  # Nextflow throws on a bad text too
    return NOT_CONVERTED


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def arithmetic(func: Callable[[Any, Any], Any], left: Any, right: Any, op: str = "") -> Any:
    if isinstance(left, (MemoryUnit, Duration)):
        result = units.arithmetic(op, left, right)
        if result is NotImplemented:
            raise TypeError("unsupported operands")
        return result
    if isinstance(left, MemoryUnit) and is_number(right):
        return MemoryUnit(int(func(left.bytes, right)))
    if isinstance(right, MemoryUnit) and is_number(left):
        return MemoryUnit(int(func(left, right.bytes)))
    if isinstance(left, MemoryUnit) and isinstance(right, MemoryUnit):
        return MemoryUnit(int(func(left.bytes, right.bytes)))
    if isinstance(left, Duration) and is_number(right):
        return Duration(int(func(left.millis, right)))
    if isinstance(right, Duration) and is_number(left):
        return Duration(int(func(left, right.millis)))
    if is_number(left) and is_number(right):
        return func(left, right)
    raise TypeError("unsupported operands")


def groovy_equals(left: Any, right: Any) -> bool:
    if is_number(left) and is_number(right):
        return bool(left == right)
    if type(left) is not type(right) and not (
        (isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)))
        or (isinstance(left, Mapping) and isinstance(right, Mapping))
    ):
        return False
    return bool(left == right)


def type_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return "String"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, (int, float)):
        return "Number"
    if isinstance(value, (list, tuple)):
        return "List"
    if isinstance(value, Mapping):
        return "Map"
    return type(value).__name__


def _tokenize(text: str, delimiters: str = " \t\n\r\f") -> list[str]:
    return [t for t in re.split("[" + re.escape(delimiters) + "]", text) if t]


def _substring(text: str, begin: int, end: int) -> str:
    """Java's ``substring``: indexes outside the string throw, they are never clipped."""
    if not 0 <= begin <= end <= len(text):
        raise IndexError(f"substring({begin}, {end}) of a string of length {len(text)}")
    return text[begin:end]


def _intdiv(number: int, divisor: int) -> int:
    """Groovy's ``intdiv``: the quotient truncated toward zero, as Java's integer division."""
    quotient = abs(number) // abs(divisor)
    return quotient if (number < 0) == (divisor < 0) else -quotient


def _java_replacement(replacement: str) -> str:
    return re.sub(r"\$(\d+)", r"\\\1", replacement.replace("\\", "\\\\"))


METHODS: dict[tuple[str, str], Callable[..., Any]] = {
    ("String", "toLowerCase"): str.lower,
    ("String", "toUpperCase"): str.upper,
    ("String", "trim"): str.strip,
    ("String", "strip"): str.strip,
    ("String", "startsWith"): lambda s, p: s.startswith(p),
    ("String", "endsWith"): lambda s, p: s.endswith(p),
    ("String", "contains"): lambda s, p: p in s,
    ("String", "size"): len,
    ("String", "length"): len,
    ("String", "isEmpty"): lambda s: not s,
    ("String", "toString"): lambda s: s,
    ("String", "toInteger"): int,
    ("String", "toLong"): int,
    ("String", "toFloat"): float,
    ("String", "toDouble"): float,
    ("String", "toBoolean"): lambda s: s.strip().lower() in ("true", "y", "1"),
    ("String", "tokenize"): _tokenize,
    ("String", "split"): lambda s, sep=r"\s+": [p for p in re.split(sep, s)],
    ("String", "replace"): lambda s, a, b: s.replace(a, b),
    ("String", "replaceAll"): lambda s, a, b: re.sub(a, _java_replacement(b), s),
    ("String", "replaceFirst"): lambda s, a, b: re.sub(a, _java_replacement(b), s, count=1),
    ("String", "matches"): lambda s, p: re.fullmatch(p, s) is not None,
    ("String", "substring"): lambda s, a, b=None: _substring(s, a, len(s) if b is None else b),
    ("String", "indexOf"): lambda s, p: s.find(p),
    ("String", "equals"): lambda s, o: s == o,
    ("String", "equalsIgnoreCase"): lambda s, o: isinstance(o, str) and s.lower() == o.lower(),
    ("String", "capitalize"): lambda s: s[:1].upper() + s[1:],
    ("List", "size"): len,
    ("List", "isEmpty"): lambda v: not v,
    ("List", "contains"): lambda v, x: any(groovy_equals(i, x) for i in v),
    ("List", "join"): lambda v, sep="": sep.join(groovy_str(i) for i in v),
    ("List", "first"): lambda v: v[0],
    ("List", "last"): lambda v: v[-1],
    ("List", "toString"): groovy_str,
    ("Map", "containsKey"): lambda m, k: k in m,
    ("Map", "get"): lambda m, k, d=None: m.get(k, d),
    ("Map", "size"): len,
    ("Map", "isEmpty"): lambda m: not m,
    ("Map", "keySet"): lambda m: list(m),
    ("Map", "values"): lambda m: list(m.values()),
    ("Number", "toInteger"): int,
    ("Number", "toString"): groovy_str,
    ("Number", "intValue"): int,
    ("Number", "intdiv"): lambda n, d: _intdiv(n, d),
    ("Boolean", "toString"): groovy_str,
    **UNIT_METHODS,
}


class Namespace:
    """A name whose every member is only known at run time (``System``, ``secrets``)."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason

    def get(self, member: str, expr: Expr) -> Dynamic:
        return Dynamic(self.reason.format(member=member), expr.location, f"{self.name}.{member}")

    def call(self, member: str, args: list[Any], expr: Expr) -> Dynamic:
        shown = ", ".join(repr(a) if isinstance(a, str) else groovy_str(a) for a in args)
        if self.name == "System" and member == "getenv":
            reason = f"environment variable {shown or '(all)'} at launch"
        else:
            reason = self.reason.format(member=member)
        return Dynamic(reason, expr.location, f"{self.name}.{member}({shown})")


SYSTEM = Namespace("System", "System.{member} is only known at run time")
SECRETS = Namespace("secrets", "pipeline secret '{member}' is only known at run time")
