"""Parse and evaluate the Groovy expressions found in configs and process directives.

:func:`parse_expression` turns text into a syntax tree; :func:`evaluate` computes it against a
scope of names (``params``, ``workflow``, ``task``, ``env`` …). What cannot be known before the
run — an unknown name, an environment variable, a function the user wrote — evaluates to a
:class:`~preflight.nextflow.values.Dynamic` saying why and where: never a guess, and never an
exception for valid Groovy. Truth, equality and precedence follow Groovy.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from preflight.model import Location
from preflight.nextflow import ast
from preflight.nextflow.ast import Expr
from preflight.nextflow.expr_parser import parse_expression_text
from preflight.nextflow.unparse import to_source
from preflight.nextflow.values import Closure, Duration, Dynamic, MemoryUnit, unit_value

__all__ = ["Expr", "call_closure", "evaluate", "groovy_str", "parse_expression", "truthy"]


def parse_expression(text: str, location: Location) -> Expr:
    """Parse ``text``, found at ``location``; a syntax error raises ``ConfigError`` there."""
    return parse_expression_text(text, location)


def evaluate(expr: Expr, scope: Mapping[str, Any]) -> Any:
    """The value of ``expr`` in ``scope``; ``Dynamic`` for whatever only the run can know."""
    try:
        return _Evaluator(scope).eval(expr)
    except Exception as exc:  # noqa: BLE001 - valid Groovy must give a value, never a crash
        # Groovy that fails on these values (1 / 0, a bad regex, a method on the wrong type)
        # fails at run time too: say so, with the place, instead of guessing.
        return Dynamic(f"cannot be computed before the run ({type(exc).__name__})",
                       expr.location, _describe(expr))


def call_closure(closure: Closure, scope: Mapping[str, Any], *args: Any) -> Any:
    """Evaluate a closure's single-expression body with ``scope`` over its captured names.

    ``it`` (or the closure's first parameter) is bound to the first argument. A body of
    several statements is ``Dynamic``: Nextflow runs it per task, preflight does not.
    """
    expr = closure.expr
    if not isinstance(expr, ast.ClosureExpr):
        return Dynamic("the closure's body is beyond what preflight evaluates",
                       closure.location, closure.source)
    single = expr.single_expression
    if single is None:
        return Dynamic("the closure runs several statements at run time",
                       closure.location, closure.source)
    merged = {**closure.captured, **scope}
    names = expr.params or ("it",)
    for name, value in zip(names, args, strict=False):
        merged[name] = value
    return evaluate(single, merged)


def truthy(value: Any) -> bool:
    """Groovy truth: null, false, 0, empty strings and collections are false."""
    if value is None:
        return False
    if isinstance(value, (bool, int, float, str, list, tuple, dict)):
        return bool(value)
    if isinstance(value, Mapping):
        return len(value) > 0
    return True


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


def _describe(expr: Expr) -> str:
    try:
        text = to_source(expr)
    except RecursionError:
        return type(expr).__name__
    return text if len(text) <= 120 else text[:119] + "…"


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "-": operator.sub, "*": operator.mul, "%": operator.mod, "**": operator.pow,
}
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


class _Evaluator:
    def __init__(self, scope: Mapping[str, Any]) -> None:
        self.scope = scope

    def eval(self, expr: Expr) -> Any:
        method = getattr(self, "_" + type(expr).__name__)
        return method(expr)

    def dynamic(self, expr: Expr, reason: str) -> Dynamic:
        return Dynamic(reason, expr.location, _describe(expr))

    # -- leaves
    def _Literal(self, expr: ast.Literal) -> Any:
        return expr.value

    def _GString(self, expr: ast.GString) -> Any:
        out: list[str] = []
        for part in expr.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self.eval(part)
            if isinstance(value, Dynamic):
                return value
            if isinstance(value, Closure):
                value = call_closure(value, self.scope)
                if isinstance(value, Dynamic):
                    return value
            out.append(groovy_str(value))
        return "".join(out)

    def _ListExpr(self, expr: ast.ListExpr) -> Any:
        return [self.eval(item) for item in expr.items]

    def _MapExpr(self, expr: ast.MapExpr) -> Any:
        result: dict[Any, Any] = {}
        for key_expr, value_expr in expr.entries:
            key = self.eval(key_expr)
            if isinstance(key, Dynamic):
                return key
            result[key if isinstance(key, (str, int, float, bool)) or key is None
                   else groovy_str(key)] = self.eval(value_expr)
        return result

    def _Name(self, expr: ast.Name) -> Any:
        if expr.name in self.scope:
            return self.scope[expr.name]
        if expr.name == "System":
            return _SYSTEM
        return self.dynamic(expr, f"'{expr.name}' is not known before the run")

    def _ClosureExpr(self, expr: ast.ClosureExpr) -> Any:
        return Closure(expr.source, expr, expr.location, captured=dict(self.scope))

    def _New(self, expr: ast.New) -> Any:
        return self.dynamic(expr, f"creates a {expr.type_name} at run time")

    # -- navigation
    def _Property(self, expr: ast.Property) -> Any:
        target = self.eval(expr.target)
        if isinstance(target, Dynamic):
            return target
        if expr.spread and isinstance(target, (list, tuple)):
            return [self._get(expr, item, expr.name) for item in target]
        return self._get(expr, target, expr.name)

    def _get(self, expr: ast.Property, target: Any, name: str) -> Any:
        if target is None:
            if expr.safe:
                return None
            return self.dynamic(expr, f"reads '{name}' of null (fails at run time)")
        if isinstance(target, _Namespace):
            return target.get(name, expr)
        if isinstance(target, Mapping):
            return target.get(name, None)
        if isinstance(target, (int, float)) and not isinstance(target, bool):
            unit = unit_value(target, name)
            if unit is not None:
                return unit
        if isinstance(target, MemoryUnit):
            return _memory_property(target, name, expr, self)
        if isinstance(target, (list, tuple)) and name in ("size", "empty"):
            return len(target) if name == "size" else not target
        return self.dynamic(expr, f"property '{name}' of a {type(target).__name__} is not known")

    def _Index(self, expr: ast.Index) -> Any:
        target = self.eval(expr.target)
        index = self.eval(expr.index)
        for value in (target, index):
            if isinstance(value, Dynamic):
                return value
        if isinstance(target, Mapping):
            return target.get(index, None) if isinstance(index, str) else None
        if isinstance(target, (list, tuple, str)) and isinstance(index, int):
            try:
                return target[index]
            except IndexError:
                return None
        return self.dynamic(expr, "index of a value preflight cannot read")

    def _Call(self, expr: ast.Call) -> Any:
        if expr.target is None:
            return self._function(expr)
        target = self.eval(expr.target)
        if isinstance(target, Dynamic):
            return target
        if target is None and expr.safe:
            return None
        args = [self.eval(a) for a in expr.args]
        for arg in args:
            if isinstance(arg, Dynamic):
                return arg
        if isinstance(target, _Namespace):
            return target.call(expr.name, args, expr)
        if isinstance(target, Closure) and expr.name == "call":
            return call_closure(target, {}, *args)
        method = _METHODS.get((_kind(target), expr.name))
        if method is None:
            return self.dynamic(expr, f"calls {expr.name}() on a {_kind(target)}")
        return method(target, *args)

    def _function(self, expr: ast.Call) -> Any:
        callee = self.scope.get(expr.name)
        args = [self.eval(a) for a in expr.args]
        if expr.name == "env" and len(args) == 1:
            environ = self.scope.get("env")
            if isinstance(environ, Mapping) and isinstance(args[0], str):
                return environ.get(args[0])
            return self.dynamic(expr, f"environment variable {groovy_str(args[0])} at launch")
        if callable(callee) and not isinstance(callee, (Closure, _Namespace)):
            for arg in args:
                if isinstance(arg, Dynamic):
                    return arg
            return callee(*args)
        if isinstance(callee, Closure):
            return call_closure(callee, {}, *args)
        return self.dynamic(expr, f"calls {expr.name}(), computed at run time")

    # -- operators
    def _Unary(self, expr: ast.Unary) -> Any:
        value = self.eval(expr.operand)
        if isinstance(value, Dynamic):
            return value
        if expr.op == "!":
            return not truthy(value)
        if expr.op == "-" and isinstance(value, (int, float)):
            return -value
        if expr.op == "+":
            return value
        return self.dynamic(expr, f"operator {expr.op} on a {_kind(value)}")

    def _Binary(self, expr: ast.Binary) -> Any:
        op = expr.op
        left = self.eval(expr.left)
        if op in ("&&", "||"):
            if not isinstance(left, Dynamic):
                if op == "&&" and not truthy(left):
                    return False
                if op == "||" and truthy(left):
                    return True
            right = self.eval(expr.right)
            if isinstance(left, Dynamic):
                if not isinstance(right, Dynamic):
                    if op == "&&" and not truthy(right):
                        return False
                    if op == "||" and truthy(right):
                        return True
                return left
            if isinstance(right, Dynamic):
                return right
            return truthy(right)
        if op == "=":
            return self.dynamic(expr, "assigns a variable at run time")
        right = self.eval(expr.right)
        for value in (left, right):
            if isinstance(value, Dynamic):
                return value
        return self._operate(expr, op, left, right)

    def _operate(self, expr: ast.Binary, op: str, left: Any, right: Any) -> Any:
        if op == "==":
            return _equals(left, right)
        if op == "!=":
            return not _equals(left, right)
        if op == "in":
            if isinstance(right, (list, tuple, Mapping)):
                return any(_equals(left, item) for item in right)
            if isinstance(right, str) and isinstance(left, str):
                return left in right
            return self.dynamic(expr, f"'in' on a {_kind(right)}")
        if op == "+":
            if isinstance(left, str):
                return left + groovy_str(right)
            if isinstance(right, str) and _number(left):
                return groovy_str(left) + right
            if isinstance(left, list):
                return left + (list(right) if isinstance(right, (list, tuple)) else [right])
            if isinstance(left, Mapping) and isinstance(right, Mapping):
                return {**left, **right}
            return _arithmetic(operator.add, left, right)
        if op == "/":
            if _number(left) and _number(right):
                if isinstance(left, int) and isinstance(right, int) and left % right == 0:
                    return left // right
                return left / right
            return _arithmetic(operator.truediv, left, right)
        if op in _ARITHMETIC:
            if op == "*" and isinstance(left, str) and isinstance(right, int):
                return left * right
            return _arithmetic(_ARITHMETIC[op], left, right)
        if op in _COMPARE:
            return _COMPARE[op](left, right)
        if op == "<=>":
            return (left > right) - (left < right)
        if op == "==~":
            return re.fullmatch(str(right), str(left)) is not None
        if op == "=~":
            return re.search(str(right), str(left)) is not None
        if op in ("..", "..<") and isinstance(left, int) and isinstance(right, int):
            return list(range(left, right + (1 if op == ".." else 0)))
        return self.dynamic(expr, f"operator {op} is evaluated at run time")

    def _Ternary(self, expr: ast.Ternary) -> Any:
        condition = self.eval(expr.condition)
        if isinstance(condition, Dynamic):
            return condition
        return self.eval(expr.then if truthy(condition) else expr.otherwise)

    def _Elvis(self, expr: ast.Elvis) -> Any:
        left = self.eval(expr.left)
        if isinstance(left, Dynamic):
            return left
        return left if truthy(left) else self.eval(expr.right)

    def _Cast(self, expr: ast.Cast) -> Any:
        value = self.eval(expr.operand)
        if isinstance(value, Dynamic):
            return value
        name = expr.type_name.rsplit(".", 1)[-1]
        if expr.op == "instanceof":
            return self.dynamic(expr, "type tests are evaluated at run time")
        converted = _convert(value, name)
        if converted is _NOT_CONVERTED:
            return self.dynamic(expr, f"conversion to {name}")
        return converted


_NOT_CONVERTED = object()


def _convert(value: Any, name: str) -> Any:
    if name in ("String", "GString", "CharSequence"):
        return groovy_str(value)
    if name in ("Integer", "int", "Long", "long"):
        return int(value) if not isinstance(value, (list, dict)) else _NOT_CONVERTED
    if name in ("Double", "double", "Float", "float", "BigDecimal"):
        return float(value)
    if name in ("Boolean", "boolean"):
        return value.lower() == "true" if isinstance(value, str) else truthy(value)
    if name in ("List", "ArrayList", "Collection"):
        return list(value) if isinstance(value, (list, tuple)) else _NOT_CONVERTED
    if name == "MemoryUnit" and isinstance(value, str):
        return MemoryUnit.parse(value) or _NOT_CONVERTED
    return _NOT_CONVERTED


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _arithmetic(func: Callable[[Any, Any], Any], left: Any, right: Any) -> Any:
    if isinstance(left, MemoryUnit) and _number(right):
        return MemoryUnit(int(func(left.bytes, right)))
    if isinstance(right, MemoryUnit) and _number(left):
        return MemoryUnit(int(func(left, right.bytes)))
    if isinstance(left, MemoryUnit) and isinstance(right, MemoryUnit):
        return MemoryUnit(int(func(left.bytes, right.bytes)))
    if isinstance(left, Duration) and _number(right):
        return Duration(int(func(left.millis, right)))
    if isinstance(right, Duration) and _number(left):
        return Duration(int(func(left, right.millis)))
    if _number(left) and _number(right):
        return func(left, right)
    raise TypeError("unsupported operands")


def _equals(left: Any, right: Any) -> bool:
    if _number(left) and _number(right):
        return bool(left == right)
    if type(left) is not type(right) and not (
        (isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)))
        or (isinstance(left, Mapping) and isinstance(right, Mapping))
    ):
        return False
    return bool(left == right)


def _kind(value: Any) -> str:
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


def _memory_property(value: MemoryUnit, name: str, expr: ast.Property, ev: _Evaluator) -> Any:
    sizes = {"bytes": 1, "kilo": 1 << 10, "mega": 1 << 20, "giga": 1 << 30, "toGiga": 1 << 30,
             "toMega": 1 << 20, "toKilo": 1 << 10, "toBytes": 1}
    if name in sizes:
        return value.bytes // sizes[name]
    return ev.dynamic(expr, f"property '{name}' of a memory amount")


def _tokenize(text: str, delimiters: str = " \t\n\r\f") -> list[str]:
    return [t for t in re.split("[" + re.escape(delimiters) + "]", text) if t]


def _java_replacement(replacement: str) -> str:
    return re.sub(r"\$(\d+)", r"\\\1", replacement.replace("\\", "\\\\"))


_METHODS: dict[tuple[str, str], Callable[..., Any]] = {
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
    ("String", "substring"): lambda s, a, b=None: s[a:b],
    ("String", "indexOf"): lambda s, p: s.find(p),
    ("String", "equals"): lambda s, o: s == o,
    ("String", "equalsIgnoreCase"): lambda s, o: isinstance(o, str) and s.lower() == o.lower(),
    ("String", "capitalize"): lambda s: s[:1].upper() + s[1:],
    ("List", "size"): len,
    ("List", "isEmpty"): lambda v: not v,
    ("List", "contains"): lambda v, x: any(_equals(i, x) for i in v),
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
    ("Boolean", "toString"): groovy_str,
    ("MemoryUnit", "toGiga"): lambda m: m.bytes >> 30,
    ("MemoryUnit", "toMega"): lambda m: m.bytes >> 20,
    ("MemoryUnit", "toBytes"): lambda m: m.bytes,
    ("Duration", "toMillis"): lambda d: d.millis,
    ("Duration", "toHours"): lambda d: d.millis // 3_600_000,
}


class _Namespace:
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


_SYSTEM = _Namespace("System", "System.{member} is only known at run time")
SECRETS = _Namespace("secrets", "pipeline secret '{member}' is only known at run time")
