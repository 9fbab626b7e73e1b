"""The statements only Nextflow's legacy (v1) config parser runs: ``if``, ``try``, ``def``.

:class:`LegacyStatements` reads them for :class:`~preflight.nextflow.config.parser.ConfigParser`,
its subclass, which provides ``statement`` and ``block_body``. Function definitions are kept as
source only (their bodies run at run time); loops and other control flow are opaque.
"""

from __future__ import annotations

from preflight.model import Location
from preflight.nextflow.groovy import ast
from preflight.nextflow.groovy.expr_parser import ExpressionParser
from preflight.nextflow.groovy.lexer import EOF, NAME, NEWLINE, STRING, Token
from preflight.nextflow.groovy.token_stream import describe

MODIFIERS = ("final", "static", "private", "public", "protected")
DECLARERS = frozenset({*MODIFIERS, "def"})
NOT_AFTER_A_TYPE = frozenset({"=", "{", "+=", "-="})


class LegacyStatements(ExpressionParser):
    """Legacy-only statements; ``statement`` and ``block_body`` are the subclass's."""

    def statement(self) -> ast.Stmt:
        raise NotImplementedError

    def block_body(self) -> tuple[tuple[ast.Stmt, ...], Token]:
        raise NotImplementedError

    def if_statement(self) -> ast.If:
        token = self.tokens[self.i]
        self.i += 1
        self.expect_op("(")
        with self.nested(True):
            condition = self.expression()
            self.expect_op(")", " to close the if condition")
        then = self.branch()
        otherwise: tuple[ast.Stmt, ...] = ()
        j = self.i
        while self.tokens[j].kind == NEWLINE:
            j += 1
        if self.tokens[j].is_name("else"):
            self.i = j + 1
            self.skip_newlines_inline()
            if self.tokens[self.i].is_name("if"):
                otherwise = (self.if_statement(),)
            else:
                otherwise = self.branch()
        return ast.If(self.location(token), condition, then, otherwise)

    def branch(self) -> tuple[ast.Stmt, ...]:
        self.skip_newlines_inline()
        if self.tokens[self.i].is_op("{"):
            body, _ = self.block_body()
            return body
        return (self.statement(),)

    def try_statement(self) -> ast.Try:
        token = self.tokens[self.i]
        self.i += 1
        body, _ = self.block_body()
        handlers: list[tuple[ast.Stmt, ...]] = []
        final: tuple[ast.Stmt, ...] = ()
        while True:
            j = self.i
            while self.tokens[j].kind == NEWLINE:
                j += 1
            if self.tokens[j].is_name("catch"):
                self.i = j + 1
                self.expect_op("(")
                depth = 1
                while depth:
                    t = self.tokens[self.i]
                    if t.kind == EOF:
                        raise self.error("unclosed catch clause", t)
                    depth += 1 if t.is_op("(") else -1 if t.is_op(")") else 0
                    self.i += 1
                self.skip_newlines_inline()
                handler, _ = self.block_body()
                handlers.append(handler)
            elif self.tokens[j].is_name("finally"):
                self.i = j + 1
                self.skip_newlines_inline()
                final, _ = self.block_body()
            else:
                break
        if not handlers and not final:
            raise self.error("try without catch or finally", token)
        return ast.Try(self.location(token), body, tuple(handlers), final)

    def declaration(self) -> ast.Stmt | None:
        """``def x = …``, ``String x = …``, ``def f(a) { … }``, ``Map f(a) { … }``; else None."""
        start = self.i
        while self.tokens[self.i].is_name(*MODIFIERS):
            self.i += 1
        first = self.tokens[self.i]
        if first.is_name("def"):
            self.i += 1
        elif not (first.kind == NAME and self._typed_declaration_ahead()):
            self.i = start
            return None
        else:
            self.type_name()
        name_token = self.tokens[self.i]
        if name_token.kind != NAME:
            if name_token.kind == STRING and self.tokens[self.i + 1].is_op("("):
                pass  # def 'quoted name'(…)
            else:
                raise self.error(
                    f"expected a name after 'def' but found {describe(name_token)}", name_token
                )
        name = name_token.value if name_token.kind == NAME else "".join(map(str, name_token.value))
        self.i += 1
        location = self.location(self.tokens[start])
        nxt = self.tokens[self.i]
        if nxt.is_op("("):
            return self.function(start, str(name), location)
        if nxt.is_op("="):
            self.i += 1
            self.skip_newlines_inline()
            return ast.VarDecl(location, str(name), self.expression())
        return ast.VarDecl(location, str(name), None)

    def _typed_declaration_ahead(self) -> bool:
        """``Type name =`` / ``Type name(`` / ``Type<…> name`` at the current position."""
        j = self.i + 1
        while self.tokens[j].is_op(".") and self.tokens[j + 1].kind == NAME:
            j += 2
        if self.tokens[j].is_op("<"):
            depth = 0
            while self.tokens[j].kind != EOF:
                depth += 1 if self.tokens[j].is_op("<") else -1 if self.tokens[j].is_op(">") else 0
                j += 1
                if depth == 0:
                    break
        while self.tokens[j].is_op("[") and self.tokens[j + 1].is_op("]"):
            j += 2
        return self.tokens[j].kind == NAME and self.tokens[j + 1].is_op("=", "(")

    def function(self, start: int, name: str, location: Location) -> ast.FunctionDef:
        depth = 0
        while True:
            t = self.tokens[self.i]
            if t.kind == EOF:
                raise self.error(f"unclosed parameter list of {name}()", t)
            depth += 1 if t.is_op("(") else -1 if t.is_op(")") else 0
            self.i += 1
            if depth == 0:
                break
        self.skip_newlines_inline()
        if not self.tokens[self.i].is_op("{"):
            raise self.error(f"expected '{{' to start the body of {name}()", self.tokens[self.i])
        end = self._matching_brace(self.i)
        source = self.source(self.tokens[start].start, self.tokens[end].end)
        self.i = end + 1
        return ast.FunctionDef(location, name, source)

    def opaque(self, keyword: str) -> ast.Opaque:
        """Skip a loop, ``switch`` or ``throw``: to the end of its braces, or of its line."""
        token = self.tokens[self.i]
        start = self.i
        depth = 0
        while True:
            t = self.tokens[self.i]
            if t.kind == EOF:
                if depth:
                    raise self.error(f"unclosed block of {keyword}", token)
                break
            if t.is_op("(", "[", "{"):
                depth += 1
            elif t.is_op(")", "]", "}"):
                if depth == 0:
                    break
                depth -= 1
                if depth == 0 and t.is_op("}"):
                    j = self.i + 1
                    while self.tokens[j].kind == NEWLINE:
                        j += 1
                    if not self.tokens[j].is_name("else", "while", "catch", "finally"):
                        self.i += 1
                        break
            elif depth == 0 and (t.kind == NEWLINE or t.is_op(";")):
                break
            self.i += 1
        end = self.tokens[max(self.i - 1, start)]
        return ast.Opaque(self.location(token), keyword, self.source(token.start, end.end))
