"""Syntax nodes behave as immutable records: equal only to the same node, lazily read bodies."""

from __future__ import annotations

import pytest

from preflight.model import Location
from preflight.nextflow.config.parser import parse_config
from preflight.nextflow.groovy import ast

HERE = Location("nextflow.config", 1, 1)


def test_nodes_equal_only_nodes_of_their_own_class() -> None:
    assert ast.Literal(HERE, "x") == ast.Literal(HERE, "x")
    name: object = ast.Name(HERE, "x")  # another class: equality must say no, not fail
    assert ast.Literal(HERE, "x") != name
    assert ast.Literal(HERE, "x") != (HERE, "x")
    plain: tuple[object, ...] = (HERE, "x")
    assert plain != ast.Literal(HERE, "x")  # the plain tuple on the left
    assert ast.Literal(HERE, "x") not in [ast.Name(HERE, "x"), (HERE, "x")]
    assert len({ast.Literal(HERE, "x"), ast.Literal(HERE, "x")}) == 1


def first_value(text: str) -> ast.Expr:
    """The value of the assignment that opens ``text``."""
    statement = parse_config(text, "nextflow.config").statements[0]
    assert isinstance(statement, ast.Assign)
    return statement.value


def test_nodes_are_immutable() -> None:
    node = ast.Assign(HERE, ("a",), ast.Literal(HERE, 1))
    with pytest.raises(AttributeError):
        node.path = ("b",)  # type: ignore[misc]
    closure = first_value("a = { it * 2 }\n")
    assert isinstance(closure, ast.ClosureExpr)
    with pytest.raises(AttributeError):
        closure.source = "{ 3 }"


def test_a_closure_body_is_read_when_asked_and_equal_to_an_eager_read() -> None:
    text = "a = { x -> x + params.y }\nb = { x -> x + params.y }\n"
    assigns = parse_config(text, "nextflow.config").statements
    assert all(isinstance(s, ast.Assign) for s in assigns)
    first, second = (s.value for s in assigns if isinstance(s, ast.Assign))
    assert isinstance(first, ast.ClosureExpr) and isinstance(second, ast.ClosureExpr)
    assert first.params == ("x",)
    body = first.body
    assert body is not None and isinstance(body[0], ast.ExprStatement)
    assert isinstance(body[0].expr, ast.Binary) and body[0].expr.op == "+"
    assert first.body is body  # read once
    assert first != second  # same text, other place
    again = first_value(text)
    assert again == first and hash(again) == hash(first)


def test_a_closure_too_deep_to_read_is_opaque_not_an_error() -> None:
    deep = "a = { " + "(" * 3000 + "1" + ")" * 3000 + " }\n"
    closure = first_value(deep)
    assert isinstance(closure, ast.ClosureExpr)
    assert closure.body is None and closure.single_expression is None
