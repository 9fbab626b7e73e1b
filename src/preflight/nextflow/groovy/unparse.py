"""Write an expression back as Groovy text, for messages about values only the run can know."""

from __future__ import annotations

from preflight.nextflow.groovy import ast


def to_source(expr: ast.Expr) -> str:
    """Groovy text that reads as ``expr`` (layout and redundant parentheses aside)."""
    if isinstance(expr, ast.Literal):
        value = expr.value
        if isinstance(value, str):
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)
    if isinstance(expr, ast.GString):
        parts = (
            p.replace('"', '\\"') if isinstance(p, str) else "${" + to_source(p) + "}"
            for p in expr.parts
        )
        return '"' + "".join(parts) + '"'
    if isinstance(expr, ast.ListExpr):
        return "[" + ", ".join(to_source(i) for i in expr.items) + "]"
    if isinstance(expr, ast.MapExpr):
        if not expr.entries:
            return "[:]"
        return "[" + ", ".join(f"{to_source(k)}: {to_source(v)}" for k, v in expr.entries) + "]"
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, ast.Property):
        dot = "?." if expr.safe else "*." if expr.spread else "."
        return f"{to_source(expr.target)}{dot}{expr.name}"
    if isinstance(expr, ast.Index):
        return f"{to_source(expr.target)}[{to_source(expr.index)}]"
    if isinstance(expr, ast.Call):
        args = ", ".join(to_source(a) for a in expr.args)
        if expr.target is None:
            return f"{expr.name}({args})"
        dot = "?." if expr.safe else "."
        return f"{to_source(expr.target)}{dot}{expr.name}({args})"
    if isinstance(expr, ast.Unary):
        return f"{expr.op}{_operand(expr.operand)}"
    if isinstance(expr, ast.Binary):
        return f"{_operand(expr.left)} {expr.op} {_operand(expr.right)}"
    if isinstance(expr, ast.Ternary):
        return f"{_operand(expr.condition)} ? {_operand(expr.then)} : {_operand(expr.otherwise)}"
    if isinstance(expr, ast.Elvis):
        return f"{_operand(expr.left)} ?: {_operand(expr.right)}"
    if isinstance(expr, ast.Cast):
        return f"{_operand(expr.operand)} {expr.op} {expr.type_name}"
    if isinstance(expr, ast.New):
        return f"new {expr.type_name}({', '.join(to_source(a) for a in expr.args)})"
    return expr.source


def _operand(expr: ast.Expr) -> str:
    """An operand of an operator, parenthesised when it is itself an operation."""
    text = to_source(expr)
    if isinstance(expr, (ast.Binary, ast.Ternary, ast.Elvis, ast.Cast)):
        return f"({text})"
    return text
