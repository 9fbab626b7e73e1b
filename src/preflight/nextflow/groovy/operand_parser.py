"""The operands that hold other text: strings with ``${…}`` interpolation, and closures.

:class:`OperandParser` reads them for :class:`~preflight.nextflow.groovy.expr_parser.
ExpressionParser`, its subclass, whose ``expression`` reads what they hold. A closure's body is
read only when asked (``read_body``), by a parser of the same kind over the closure's tokens.
"""

from __future__ import annotations

import re

from preflight.errors import ConfigError
from preflight.model import Location
from preflight.nextflow.groovy import ast
from preflight.nextflow.groovy.lexer import CLOSURE, EOF, NAME, NEWLINE, OP, Interpolation, Token
from preflight.nextflow.groovy.lexer import tokenize as lex
from preflight.nextflow.groovy.token_stream import TokenStream, describe

LITERAL_NAMES = {"true": True, "false": False, "null": None}
# ``a.b.c`` as an interpolation: names only, so parsed without the lexer (see ``_dotted_name``).
_DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_NOT_A_NAME = frozenset({*LITERAL_NAMES, "new"})


class OperandParser(TokenStream):
    """Strings and closures; ``expression`` is the subclass's."""

    def expression(self) -> ast.Expr:
        raise NotImplementedError

    def string(self, token: Token) -> ast.Expr:
        location = self.location(token)
        if not token.interpolated:
            return ast.Literal(location, "".join(token.value))
        parts: list[str | ast.Expr] = []
        for part in token.value:
            if isinstance(part, Interpolation):
                parts.append(self.interpolation(part, token))
            else:
                parts.append(part)
        return ast.GString(location, tuple(parts))

    def interpolation(self, part: Interpolation, token: Token) -> ast.Expr:
        if part.braced and not part.text.strip():
            return ast.Literal(Location(self.file, part.line, part.col), None)
        if _DOTTED_NAME.fullmatch(part.text) and part.text.partition(".")[0] not in _NOT_A_NAME:
            return self._dotted_name(part)
        tokens = lex(part.text, self.file, line=part.line, col=part.col, offset=part.offset)
        inner = self.sub_parser(tokens)
        with inner.nested(True):
            expr = inner.expression()
            end = inner.peek()
            if end.kind != EOF:
                raise inner.error(f"unexpected {describe(end)} in ${{…}}", end)
        return expr

    def _dotted_name(self, part: Interpolation) -> ast.Expr:
        """``a.b.c`` on one line: the nodes the full parse gives, without lexing it again."""
        file, line, col = self.file, part.line, part.col
        names = part.text.split(".")
        expr: ast.Expr = ast.Name(Location(file, line, col), names[0])
        col += len(names[0]) + 1
        for name in names[1:]:
            expr = ast.Property(Location(file, line, col), expr, name)
            col += len(name) + 1
        return expr

    def sub_parser(self, tokens: list[Token]) -> OperandParser:
        """A parser of the same kind over other tokens of the same text (interpolations)."""
        return type(self)(tokens, self.file, self.text, self.base)

    def lazy_closure(self, token: Token) -> ast.ClosureExpr:
        """A ``CLOSURE`` token (a closure the lexer read whole): its body is lexed on first use.

        The lexer hands over only closures without parameters, so the body is all there is.
        """
        source = self.source(token.start, token.end)
        parser_type, file, text, base = type(self), self.file, self.text, self.base

        def read_body() -> tuple[ast.Stmt, ...] | None:
            tokens = lex(source, file, line=token.line, col=token.col, offset=token.start)
            close = tokens[-2]  # the closing brace, before EOF
            end_token = Token(EOF, "", close.line, close.col, close.start, close.start)
            try:
                return parser_type([*tokens[1:-2], end_token], file, text, base).closure_body()
            except RecursionError:
                return None

        return ast.ClosureExpr(self.location(token), (), None, source, read_body=read_body)

    def closure(self, end: int | None = None) -> ast.ClosureExpr:
        """``{ [params ->] statements }``; the body stays opaque if it is beyond the subset.

        ``end`` is the index of the closing brace when the caller found it already.
        """
        while self.tokens[self.i].kind == NEWLINE:
            self.i += 1
        open_token = self.tokens[self.i]
        if open_token.kind == CLOSURE:
            self.i += 1
            return self.lazy_closure(open_token)
        if end is None:
            end = self._matching_brace(self.i)
        close_token = self.tokens[end]
        source = self.source(open_token.start, close_token.end)
        inner = self.tokens[self.i + 1 : end]
        self.i = end + 1
        params: tuple[str, ...] = ()
        # Parameters are names, commas and new lines up to the first ``->``; the scan stops at
        # the first other token, so a body is never walked for an arrow it cannot use.
        arrow = -1
        for k, t in enumerate(inner):
            if t.kind == NAME or t.kind == NEWLINE or (t.kind == OP and t.value == ","):
                continue
            if t.kind == OP and t.value == "->":
                arrow = k
            break
        if arrow >= 0:
            names = [str(t.value) for t in inner[:arrow] if t.kind == NAME]
            # typed parameters ``String x ->`` keep only the last word of each
            params = tuple(names)
            inner = inner[arrow + 1 :]
        end_token = Token(
            EOF, "", close_token.line, close_token.col, close_token.start, close_token.start
        )

        parser_type, file, text, base = type(self), self.file, self.text, self.base

        def read_body() -> tuple[ast.Stmt, ...] | None:
            # holds the closure's own tokens, not the parser (and the whole file's tokens)
            try:
                return parser_type([*inner, end_token], file, text, base).closure_body()
            except RecursionError:
                return None  # nested beyond what is read: opaque, like other unread Groovy

        return ast.ClosureExpr(self.location(open_token), params, None, source, read_body=read_body)

    def closure_body(self) -> tuple[ast.Stmt, ...] | None:
        """This parser's tokens read as a closure body: one expression, else None.

        A subclass that reads statements overrides this.
        """
        try:
            self.skip_newlines()
            expr = self.expression()
            self.skip_newlines()
        except ConfigError:
            return None
        if self.peek().kind != EOF:
            return None
        return (ast.ExprStatement(expr.location, expr),)

    def _matching_brace(self, i: int) -> int:
        depth = 0
        for j in range(i, len(self.tokens)):
            token = self.tokens[j]
            if token.kind == OP:
                if token.value == "{":
                    depth += 1
                elif token.value == "}":
                    depth -= 1
                    if depth == 0:
                        return j
        raise self.error("unclosed '{'", self.tokens[i], remedy="add the missing '}'")
