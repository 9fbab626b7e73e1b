"""The syntax tree of a Nextflow configuration file and of the Groovy expressions inside it.

Every node carries the ``Location`` (``file:line:col``) where it starts, so that every value,
every dynamic part and every error can point at the user's own text. Statement nodes that only
the legacy (v1) parser accepts are marked by :data:`LEGACY_STATEMENTS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from preflight.model import Location

# ----------------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Literal:
    """A string without interpolation, a number, a boolean or ``null``."""

    location: Location
    value: Any


@dataclass(frozen=True)
class GString:
    """A double-quoted or slashy string: literal text and ``${…}`` / ``$name`` parts in order."""

    location: Location
    parts: tuple[str | Expr, ...]


@dataclass(frozen=True)
class ListExpr:
    location: Location
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class MapExpr:
    """``[key: value, …]``; bare-word keys are string literals, ``(expr)`` keys expressions."""

    location: Location
    entries: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True)
class Name:
    location: Location
    name: str


@dataclass(frozen=True)
class Property:
    """``target.name``; ``safe`` for ``?.``, ``spread`` for ``*.``."""

    location: Location
    target: Expr
    name: str
    safe: bool = False
    spread: bool = False


@dataclass(frozen=True)
class Index:
    location: Location
    target: Expr
    index: Expr


@dataclass(frozen=True)
class Call:
    """``name(args)`` (``target`` None) or ``target.name(args)``; a trailing closure is an arg."""

    location: Location
    target: Expr | None
    name: str
    args: tuple[Expr, ...]
    safe: bool = False


@dataclass(frozen=True)
class Unary:
    location: Location
    op: str
    operand: Expr


@dataclass(frozen=True)
class Binary:
    location: Location
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Ternary:
    location: Location
    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True)
class Elvis:
    """``left ?: right``: ``left`` when it is Groovy-true, else ``right``."""

    location: Location
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Cast:
    """``operand as Type`` (or ``instanceof``, with ``op`` saying which)."""

    location: Location
    operand: Expr
    type_name: str
    op: str = "as"


@dataclass(frozen=True)
class New:
    location: Location
    type_name: str
    args: tuple[Expr, ...]


class ClosureExpr:
    """``{ params -> body }``; ``body`` is None when it uses Groovy preflight does not read.

    The body is read on first use (``read_body``), not with the file: most closures of a
    config (``ext.args``, resource formulas) are never evaluated before the run, and reading
    them all up front was a third of the time spent parsing. Immutable, like every node;
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
            other.location, other.params, other.source, other.body)

    def __hash__(self) -> int:
        return hash((self.location, self.params, self.source))

    def __repr__(self) -> str:
        return (f"ClosureExpr(location={self.location!r}, params={self.params!r}, "
                f"body={self.body!r}, source={self.source!r})")


Expr = (
    Literal | GString | ListExpr | MapExpr | Name | Property | Index | Call | Unary | Binary
    | Ternary | Elvis | Cast | New | ClosureExpr
)

# ----------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class Assign:
    """``a.b.'c' = value``; ``value_span`` is the value's character range in the file's text."""

    location: Location
    path: tuple[str, ...]
    value: Expr
    value_span: tuple[int, int] = (0, 0)
    op: str = "="


@dataclass(frozen=True)
class Block:
    """``a.b { … }``; ``span`` is the block's character range, closing brace included."""

    location: Location
    path: tuple[str, ...]
    body: tuple[Stmt, ...]
    span: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Selector:
    """``withName: PATTERN { … }`` or ``withLabel: PATTERN { … }``; pattern as written."""

    location: Location
    kind: str
    pattern: str
    body: tuple[Stmt, ...]

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pattern}"


@dataclass(frozen=True)
class Include:
    location: Location
    target: Expr
    source: str = ""


@dataclass(frozen=True)
class Plugins:
    location: Location
    ids: tuple[Expr, ...]


@dataclass(frozen=True)
class If:
    location: Location
    condition: Expr
    then: tuple[Stmt, ...]
    otherwise: tuple[Stmt, ...] = ()


@dataclass(frozen=True)
class Try:
    location: Location
    body: tuple[Stmt, ...]
    handlers: tuple[tuple[Stmt, ...], ...] = ()
    final: tuple[Stmt, ...] = ()


@dataclass(frozen=True)
class VarDecl:
    """``def name = value`` (or ``Type name = value``)."""

    location: Location
    name: str
    value: Expr | None


@dataclass(frozen=True)
class FunctionDef:
    """``def name(args) { … }``: kept as source; calls to it are dynamic."""

    location: Location
    name: str
    source: str


@dataclass(frozen=True)
class ExprStatement:
    location: Location
    expr: Expr


@dataclass(frozen=True)
class Return:
    location: Location
    expr: Expr | None


@dataclass(frozen=True)
class Opaque:
    """Groovy the reader skips on purpose (a loop, a ``throw``): where, and the keyword."""

    location: Location
    keyword: str
    source: str


Stmt = (
    Assign | Block | Selector | Include | Plugins | If | Try | VarDecl | FunctionDef
    | ExprStatement | Return | Opaque
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


@dataclass(frozen=True)
class ConfigFile:
    """One parsed file: its path (as shown to users), statements and text."""

    path: str
    statements: tuple[Stmt, ...]
    text: str
