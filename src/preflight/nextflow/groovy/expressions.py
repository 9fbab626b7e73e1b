"""Parse and evaluate the Groovy expressions found in configs and process directives.

:func:`parse_expression` turns text into a syntax tree; :func:`evaluate` computes it against a
scope of names (``params``, ``workflow``, ``task``, ``env`` …). What cannot be known before the
run — an unknown name, an environment variable, a function the user wrote — evaluates to a
:class:`~preflight.nextflow.groovy.values.Dynamic` saying why and where: never a guess, and never an
exception for valid Groovy. Truth, equality and precedence follow Groovy.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from preflight.model import Location
from preflight.nextflow.groovy import ast
from preflight.nextflow.groovy.ast import Expr
from preflight.nextflow.groovy.expr_parser import parse_expression_text
from preflight.nextflow.groovy.runtime import (
    METHODS,
    NOT_CONVERTED,
    SECRETS,
    SYSTEM,
    Namespace,
    arithmetic,
    convert,
    groovy_equals,
    groovy_str,
    is_number,
    truthy,
    type_kind,
)
from preflight.nextflow.groovy.units import UNIT_PROPERTIES, UNIT_TYPES, UnitType, compare
from preflight.nextflow.groovy.unparse import to_source
from preflight.nextflow.groovy.values import Closure, Duration, Dynamic, MemoryUnit, unit_value

__all__ = [
    "SECRETS",
    "Expr",
    "call_closure",
    "evaluate",
    "groovy_str",
    "parse_expression",
    "truthy",
]


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
        return Dynamic(
            f"cannot be computed before the run ({type(exc).__name__})",
            expr.location,
            _describe(expr),
        )


def call_closure(closure: Closure, scope: Mapping[str, Any], *args: Any) -> Any:
    """Evaluate a closure's single-expression body with ``scope`` over its captured names.

    ``it`` (or the closure's first parameter) is bound to the first argument. A body of
    several statements is ``Dynamic``: Nextflow runs it per task, preflight does not.
    """
    expr = closure.expr
    if not isinstance(expr, ast.ClosureExpr):
        return Dynamic(
            "the closure's body is beyond what preflight evaluates",
            closure.location,
            closure.source,
        )
    single = expr.single_expression
    if single is None:
        return Dynamic(
            "the closure runs several statements at run time", closure.location, closure.source
        )
    merged = {**closure.captured, **scope}
    names = expr.params or ("it",)
    for name, value in zip(names, args, strict=False):
        merged[name] = value
    return evaluate(single, merged)


def _describe(expr: Expr) -> str:
    try:
        text = to_source(expr)
    except RecursionError:
        return type(expr).__name__
    return text if len(text) <= 120 else text[:119] + "…"


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "-": operator.sub,
    "*": operator.mul,
    "%": operator.mod,
    "**": operator.pow,
}
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
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
            result[
                key if isinstance(key, (str, int, float, bool)) or key is None else groovy_str(key)
            ] = self.eval(value_expr)
        return result

    def _Name(self, expr: ast.Name) -> Any:
        if expr.name in self.scope:
            value = self.scope[expr.name]
            if isinstance(value, Dynamic):  # a name bound to a run-time value: point here
                return Dynamic(value.reason, expr.location, expr.name)
            return value
        if expr.name == "System":
            return SYSTEM
        if expr.name in UNIT_TYPES:
            return UNIT_TYPES[expr.name]
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
        if isinstance(target, Namespace):
            return target.get(name, expr)
        if isinstance(target, Mapping):
            return target.get(name, None)
        if isinstance(target, (int, float)) and not isinstance(target, bool):
            unit = unit_value(target, name)
            if unit is not None:
                return unit
        if isinstance(target, (MemoryUnit, Duration)):
            getter = UNIT_PROPERTIES.get((type(target).__name__, name))
            if getter is not None:
                return getter(target)
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
        if isinstance(target, Namespace):
            return target.call(expr.name, args, expr)
        if isinstance(target, UnitType):
            return target.call(expr.name, args)
        if isinstance(target, Closure) and expr.name == "call":
            return call_closure(target, {}, *args)
        method = METHODS.get((type_kind(target), expr.name))
        if method is None:
            return self.dynamic(expr, f"calls {expr.name}() on a {type_kind(target)}")
        return method(target, *args)

    def _function(self, expr: ast.Call) -> Any:
        callee = self.scope.get(expr.name)
        args = [self.eval(a) for a in expr.args]
        if expr.name == "env" and len(args) == 1:
            # ``env('NAME')`` reads the launch environment (SysEnv), never the ``env`` scope
            # of the config: only the run knows it.
            return self.dynamic(expr, f"environment variable {groovy_str(args[0])} at launch")
        if callable(callee) and not isinstance(callee, (Closure, Namespace)):
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
        return self.dynamic(expr, f"operator {expr.op} on a {type_kind(value)}")

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
            return groovy_equals(left, right)
        if op == "!=":
            return not groovy_equals(left, right)
        if op == "in":
            if isinstance(right, (list, tuple, Mapping)):
                return any(groovy_equals(left, item) for item in right)
            if isinstance(right, str) and isinstance(left, str):
                return left in right
            return self.dynamic(expr, f"'in' on a {type_kind(right)}")
        if op == "+":
            if isinstance(left, str):
                return left + groovy_str(right)
            if isinstance(right, str) and is_number(left):
                return groovy_str(left) + right
            if isinstance(left, list):
                return left + (list(right) if isinstance(right, (list, tuple)) else [right])
            if isinstance(left, Mapping) and isinstance(right, Mapping):
                return {**left, **right}
            return arithmetic(operator.add, left, right, op)
        if op == "/":
            if is_number(left) and is_number(right):
                if isinstance(left, int) and isinstance(right, int) and left % right == 0:
                    return left // right
                return left / right
            return arithmetic(operator.truediv, left, right, op)
        if op in _ARITHMETIC:
            if op == "*" and isinstance(left, str) and isinstance(right, int):
                return left * right
            return arithmetic(_ARITHMETIC[op], left, right, op)
        unit_order = compare(left, right) if op in _COMPARE or op == "<=>" else None
        if unit_order is not None:
            return unit_order if op == "<=>" else _COMPARE[op](unit_order, 0)
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
        converted = convert(value, name)
        if converted is NOT_CONVERTED:
            return self.dynamic(expr, f"conversion to {name}")
        return converted
