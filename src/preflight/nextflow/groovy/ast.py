"""The syntax tree of a Nextflow configuration file and of the Groovy expressions inside it.

Every node carries the ``Location`` (``file:line:col``) where it starts, so that every value,
every dynamic part and every error can point at the user's own text. Statement nodes that only
the legacy (v1) parser accepts are marked by :data:`LEGACY_STATEMENTS`.

Nodes are immutable records. Most are named tuples — the cheapest to define at import and to
build while parsing — that compare like records: equal only to a node of the same class with
equal fields, never to a plain tuple. ``Index`` stays a frozen dataclass (its field ``index``
would hide ``tuple.index``), and ``ClosureExpr`` reads its body on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from preflight.model import Location

# ----------------------------------------------------------------------------- expressions


class Literal(NamedTuple):
    """A string without interpolation, a number, a boolean or ``null``."""

    location: Location
    value: Any


class GString(NamedTuple):
    """A double-quoted or slashy string: literal text and ``${…}`` / ``$name`` parts in order."""

    location: Location
    parts: tuple[str | Expr, ...]


class ListExpr(NamedTuple):
    location: Location
    items: tuple[Expr, ...]


class MapExpr(NamedTuple):
    """``[key: value, …]``; bare-word keys are string literals, ``(expr)`` keys expressions."""

    location: Location
    entries: tuple[tuple[Expr, Expr], ...]


class Name(NamedTuple):
    location: Location
    name: str


class Property(NamedTuple):
    """``target.name``; ``safe`` for ``?.``, ``spread`` for ``*.``."""

    location: Location
    target: Expr
    name: str
    safe: bool = False
    spread: bool = False


@dataclass(frozen=True)  # not a named tuple: its field ``index`` would hide tuple.index
class Index:
    location: Location
    target: Expr
    index: Expr


class Call(NamedTuple):
    """``name(args)`` (``target`` None) or ``target.name(args)``; a trailing closure is an arg."""

    location: Location
    target: Expr | None
    name: str
    args: tuple[Expr, ...]
    safe: bool = False


class Unary(NamedTuple):
    location: Location
    op: str
    operand: Expr


class Binary(NamedTuple):
    location: Location
    op: str
    left: Expr
    right: Expr


class Ternary(NamedTuple):
    location: Location
    condition: Expr
    then: Expr
    otherwise: Expr


class Elvis(NamedTuple):
    """``left ?: right``: ``left`` when it is Groovy-true, else ``right``."""

    location: Location
    left: Expr
    right: Expr


class Cast(NamedTuple):
    """``operand as Type`` (or ``instanceof``, with ``op`` saying which)."""

    location: Location
    operand: Expr
    type_name: str
    op: str = "as"


class New(NamedTuple):
    location: Location
    type_name: str
    args: tuple[Expr, ...]


class ClosureExpr:
    """``{ params -> body }``; ``body`` is None when it uses Groovy preflight does not read.

    The body is read on first use (``read_body``), not with the file: most closures of a
    config (``ext.args``, resource formulas) are never evaluated before the run, and reading
    them all up front costs about a third of the time of parsing. Immutable, like every node;
    equal when place, parameters, text and body are.
    """

    __slots__ = ("_body", "_read_body", "location", "params", "source")

    location: Location
    params: tuple[str, ...]
    source: str
    _body: tuple[Stmt, ...] | None
    _read_body: Callable[[], tuple[Stmt, ...] | None] | None

    def __init__(
        self,
        location: Location,
        params: tuple[str, ...],
        body: tuple[Stmt, ...] | None,
        source: str,
        *,
        read_body: Callable[[], tuple[Stmt, ...] | None] | None = None,
    ) -> None:
        set_slot = object.__setattr__
        set_slot(self, "location", location)
        set_slot(self, "params", params)
        set_slot(self, "source", source)
        set_slot(self, "_body", body)
        set_slot(self, "_read_body", read_body)

    @property
    def body(self) -> tuple[Stmt, ...] | None:
        """The statements of the body, read now if they were not yet."""
        read_body = self._read_body
        if read_body is not None:
            object.__setattr__(self, "_body", read_body())
            object.__setattr__(self, "_read_body", None)
        return self._body

    @property
    def single_expression(self) -> Expr | None:
        """The body's one expression (``{ x }`` or ``{ return x }``), else None."""
        body = self.body
        if body is None or len(body) != 1:
            return None
        only = body[0]
        if isinstance(only, (ExprStatement, Return)):
            return only.expr
        return None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: syntax nodes are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: syntax nodes are immutable")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, ClosureExpr)
        return (self.location, self.params, self.source, self.body) == (
            other.location,
            other.params,
            other.source,
            other.body,
        )

    def __hash__(self) -> int:
        return hash((self.location, self.params, self.source))

    def __repr__(self) -> str:
        return (
            f"ClosureExpr(location={self.location!r}, params={self.params!r}, "
            f"body={self.body!r}, source={self.source!r})"
        )


Expr = (
    Literal
    | GString
    | ListExpr
    | MapExpr
    | Name
    | Property
    | Index
    | Call
    | Unary
    | Binary
    | Ternary
    | Elvis
    | Cast
    | New
    | ClosureExpr
)

# ----------------------------------------------------------------------------- statements


class Assign(NamedTuple):
    """``a.b.'c' = value``; ``value_span`` is the value's character range in the file's text."""

    location: Location
    path: tuple[str, ...]
    value: Expr
    value_span: tuple[int, int] = (0, 0)
    op: str = "="


class Block(NamedTuple):
    """``a.b { … }``; ``span`` is the block's character range, closing brace included."""

    location: Location
    path: tuple[str, ...]
    body: tuple[Stmt, ...]
    span: tuple[int, int] = (0, 0)


class Selector(NamedTuple):
    """``withName: PATTERN { … }`` or ``withLabel: PATTERN { … }``; pattern as written."""

    location: Location
    kind: str
    pattern: str
    body: tuple[Stmt, ...]

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pattern}"


class IncludeConfig(NamedTuple):
    location: Location
    target: Expr
    source: str = ""


class Plugins(NamedTuple):
    location: Location
    ids: tuple[Expr, ...]


class If(NamedTuple):
    location: Location
    condition: Expr
    then: tuple[Stmt, ...]
    otherwise: tuple[Stmt, ...] = ()


class Try(NamedTuple):
    location: Location
    body: tuple[Stmt, ...]
    handlers: tuple[tuple[Stmt, ...], ...] = ()
    final: tuple[Stmt, ...] = ()


class VarDecl(NamedTuple):
    """``def name = value`` (or ``Type name = value``)."""

    location: Location
    name: str
    value: Expr | None


class FunctionDef(NamedTuple):
    """``def name(args) { … }``: kept as source; calls to it are dynamic."""

    location: Location
    name: str
    source: str


class ExprStatement(NamedTuple):
    location: Location
    expr: Expr


class Return(NamedTuple):
    location: Location
    expr: Expr | None


class Opaque(NamedTuple):
    """Groovy the reader skips on purpose (a loop, a ``throw``): where, and the keyword."""

    location: Location
    keyword: str
    source: str


Stmt = (
    Assign
    | Block
    | Selector
    | IncludeConfig
    | Plugins
    | If
    | Try
    | VarDecl
    | FunctionDef
    | ExprStatement
    | Return
    | Opaque
)

LEGACY_STATEMENTS: dict[type, str] = {
    If: "if statements cannot be mixed with config statements",
    Try: "try/catch blocks cannot be mixed with config statements",
    VarDecl: "variable declarations cannot be mixed with config statements",
    FunctionDef: "function declarations are not supported",
    ExprStatement: "statements other than assignments, blocks and includes are not allowed",
    Return: "return statements are not allowed outside a closure",
    Opaque: "Groovy code is not allowed in the strict syntax",
}


class ConfigFile(NamedTuple):
    """One parsed file: its path (as shown to users), statements and text."""

    path: str
    statements: tuple[Stmt, ...]
    text: str


def _node_equals(self: tuple[Any, ...], other: object) -> bool:
    # False, not NotImplemented: a plain tuple would otherwise compare its items with ours
    return type(other) is type(self) and tuple.__eq__(self, other) is True


def _node_differs(self: tuple[Any, ...], other: object) -> bool:
    return not _node_equals(self, other)


# Nodes are named tuples (cheap to define at import, cheap to build while parsing), but compare
# like records: equal only to a node of the same class, never to a plain tuple.
for _node in (
    Literal,
    GString,
    ListExpr,
    MapExpr,
    Name,
    Property,
    Call,
    Unary,
    Binary,
    Ternary,
    Elvis,
    Cast,
    New,
    Assign,
    Block,
    Selector,
    IncludeConfig,
    Plugins,
    If,
    Try,
    VarDecl,
    FunctionDef,
    ExprStatement,
    Return,
    Opaque,
    ConfigFile,
):
    setattr(_node, "__eq__", _node_equals)  # noqa: B010 - replaces the tuple method
    setattr(_node, "__ne__", _node_differs)  # noqa: B010
    setattr(_node, "__hash__", tuple.__hash__)  # noqa: B010
