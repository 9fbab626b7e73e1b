"""Read a Nextflow configuration file into a syntax tree, tolerating the legacy (v1) Groovy.

One tolerant pass reads both dialects: the strict (v2) statements — assignments, blocks,
``withName:``/``withLabel:`` selectors, ``includeConfig``, ``plugins`` — and the Groovy that only
the legacy parser runs (``def``, ``if``, ``try``/``catch``, function definitions, method calls).
:func:`strict_violations` then says which statements the strict parser would reject, so the
evaluator can pick Nextflow's behaviour for the file instead of failing on it.
"""

from __future__ import annotations

from preflight.errors import ConfigError
from preflight.model import Location
from preflight.nextflow.config.legacy_statements import (
    DECLARERS,
    NOT_AFTER_A_TYPE,
    LegacyStatements,
)
from preflight.nextflow.groovy import ast
from preflight.nextflow.groovy.lexer import CLOSURE, EOF, NAME, NEWLINE, NUMBER, OP, STRING, Token
from preflight.nextflow.groovy.lexer import tokenize as lex
from preflight.nextflow.groovy.token_stream import describe

SELECTOR_KINDS = ("withName", "withLabel")
_SKIPPED_KEYWORDS = ("for", "while", "switch", "throw", "assert", "do", "synchronized")


class ConfigParser(LegacyStatements):
    """Statements on top of expressions; one instance per file (or closure body)."""

    def statements(self, until: str = EOF) -> tuple[ast.Stmt, ...]:
        """Statements up to ``until`` (``EOF`` or ``}``), which is left unconsumed."""
        found: list[ast.Stmt] = []
        while True:
            self.skip_newlines()
            token = self.tokens[self.i]
            closing = token.kind == OP and token.value == "}"
            if token.kind == EOF or (until == "}" and closing):
                if until == "}" and token.kind == EOF:
                    raise self.error("unclosed '{' block", token, remedy="add the missing '}'")
                return tuple(found)
            if until == EOF and closing:
                raise self.error("unexpected '}' with no block open", token)
            found.append(self.statement())
            self._end_of_statement()

    def _end_of_statement(self) -> None:
        token = self.tokens[self.i]
        if token.kind in (NEWLINE, EOF) or (token.kind == OP and token.value in (";", "}")):
            return
        before = self.tokens[self.i - 1] if self.i > 0 else None
        if before is not None and (before.is_op("}") or before.kind == CLOSURE):
            return  # ``a { … } b { … }`` on one line: a block ends its statement
        raise self.error(
            f"unexpected {describe(token)} after the statement",
            token,
            remedy="put each statement on its own line",
        )

    def block_body(self) -> tuple[tuple[ast.Stmt, ...], Token]:
        self.expect_op("{")
        nesting = self._newline_insensitive  # as ``with self.nested(False)``, for every block
        nesting.append(False)
        try:
            body = self.statements(until="}")
        finally:
            nesting.pop()
        close = self.tokens[self.i]
        self.i += 1
        return body, close

    def statement(self) -> ast.Stmt:
        token = self.tokens[self.i]
        if token.kind == NAME:
            word = str(token.value)
            nxt = self.tokens[self.i + 1]
            if word == "includeConfig" and not nxt.is_op("=", ".", "{"):
                self.i += 1
                first = self.tokens[self.i]
                target = self.expression()
                text = self.source(first.start, self.tokens[self.i - 1].end)
                return ast.IncludeConfig(self.location(token), target, " ".join(text.split()))
            if word == "plugins" and nxt.is_op("{"):
                return self.plugins()
            if word in SELECTOR_KINDS and nxt.is_op(":"):
                return self.selector()
            if word == "if" and nxt.is_op("("):
                return self.if_statement()
            if word == "try" and nxt.is_op("{"):
                return self.try_statement()
            if word == "return":
                self.i += 1
                at_end = self.tokens[self.i].kind in (NEWLINE, EOF) or self.tokens[self.i].is_op(
                    ";", "}"
                )
                return ast.Return(self.location(token), None if at_end else self.expression())
            if word in _SKIPPED_KEYWORDS:
                return self.opaque(word)
            # ``name =`` / ``name {`` cannot declare anything (a type needs a name after it)
            if not (nxt.kind == OP and nxt.value in NOT_AFTER_A_TYPE) or word in DECLARERS:
                declaration = self.declaration()
                if declaration is not None:
                    return declaration
        if token.kind in (NAME, STRING) and not token.interpolated:
            assignment = self.assignment_or_block()
            if assignment is not None:
                return assignment
        return self.expression_statement()

    # -- config statements
    def path(self) -> tuple[str, ...] | None:
        """``a.b.'c'`` at the statement start, or None (position unchanged) if it is not one."""
        start = self.i
        parts: list[str] = []
        while True:
            token = self.tokens[self.i]
            if token.kind == NAME:
                parts.append(str(token.value))
            elif token.kind == STRING and not token.interpolated:
                parts.append("".join(token.value))
            else:
                self.i = start
                return None
            self.i += 1
            dot = self.tokens[self.i]
            if (
                dot.kind == OP
                and dot.value == "."
                and self.tokens[self.i + 1].kind in (NAME, STRING)
            ):
                self.i += 1
                continue
            return tuple(parts)

    def assignment_or_block(self) -> ast.Stmt | None:
        start = self.i
        first = self.tokens[start]
        path = self.path()
        if path is None:
            return None
        token = self.tokens[self.i]
        if token.kind == OP and token.value in ("=", "+=", "-="):
            self.i += 1
            self.skip_newlines_inline()
            value_start = self.tokens[self.i]
            value = self.expression()
            value_end = self.tokens[self.i - 1]
            return ast.Assign(
                self.location(first),
                path,
                value,
                (value_start.start, value_end.end),
                op=str(token.value),
            )
        if token.kind == OP and token.value == "{":
            body, close = self.block_body()
            return ast.Block(self.location(first), path, body, (first.start, close.end))
        self.i = start
        return None

    def selector(self) -> ast.Selector:
        kind_token = self.tokens[self.i]
        self.i += 2
        self.skip_newlines_inline()
        negate = ""
        if self.tokens[self.i].is_op("!"):
            negate = "!"
            self.i += 1
        token = self.tokens[self.i]
        if token.kind == STRING and not token.interpolated:
            pattern = "".join(token.value)
        elif token.kind == STRING:
            pattern = self.source(token.start, token.end)[1:-1]
        elif token.kind == NAME:
            pattern = str(token.value)
        else:
            raise self.error(
                f"expected a name pattern after {kind_token.value}: but found {describe(token)}",
                token,
                remedy="write e.g. withName: 'FASTQC|MULTIQC' { … }",
            )
        self.i += 1
        if not self.tokens[self.i].is_op("{"):
            raise self.error(
                f"expected '{{' after {kind_token.value}: {pattern}", self.tokens[self.i]
            )
        body, _ = self.block_body()
        kind = str(kind_token.value)
        return ast.Selector(self.location(kind_token), kind, negate + pattern, body)

    def plugins(self) -> ast.Plugins:
        token = self.tokens[self.i]
        self.i += 1
        body, _ = self.block_body()
        ids: list[ast.Expr] = []
        for stmt in body:
            if (
                isinstance(stmt, ast.ExprStatement)
                and isinstance(stmt.expr, ast.Call)
                and stmt.expr.target is None
                and stmt.expr.name == "id"
                and stmt.expr.args
            ):
                ids.append(stmt.expr.args[0])
            else:
                raise ConfigError(
                    "only `id 'plugin-name@version'` lines are allowed in a plugins block",
                    where=str(stmt.location),
                    remedy="write e.g. id 'nf-schema@2.1.1'",
                )
        return ast.Plugins(self.location(token), tuple(ids))

    # -- legacy Groovy statements
    def expression_statement(self) -> ast.Stmt:
        token = self.tokens[self.i]
        expr = self.expression()
        nxt = self.tokens[self.i]
        # Groovy command call: ``println 'x'``, ``id 'nf-schema'``, ``foo.bar x, y``
        if isinstance(expr, (ast.Name, ast.Property)) and self._starts_argument(nxt):
            args = [self.expression()]
            while self.tokens[self.i].is_op(","):
                self.i += 1
                self.skip_newlines_inline()
                args.append(self.expression())
            if isinstance(expr, ast.Name):
                expr = ast.Call(expr.location, None, expr.name, tuple(args))
            else:
                expr = ast.Call(expr.location, expr.target, expr.name, tuple(args), expr.safe)
        elif self.tokens[self.i].is_op("=", "+=", "-=", "*=", "/="):
            # assignment to something that is not a plain path (``a[0] = 1``) in legacy code
            self.i += 1
            self.skip_newlines_inline()
            value = self.expression()
            expr = ast.Binary(self.location(token), "=", expr, value)
        return ast.ExprStatement(self.location(token), expr)

    @staticmethod
    def _starts_argument(token: Token) -> bool:
        if token.kind in (NUMBER, STRING, NAME):
            return not token.is_name("in", "as", "instanceof")
        return token.is_op("[")

    # -- closures
    def closure_body(self) -> tuple[ast.Stmt, ...] | None:
        try:
            return self.statements()
        except ConfigError:
            return None


def parse_config(text: str, file: str) -> ast.ConfigFile:
    """Parse a whole configuration file; ``file`` is the name errors and locations show.

    Raises :class:`ConfigError` (``file:line:col``) on text neither Nextflow parser accepts.
    """
    try:
        tokens = lex(text, file)
        parser = ConfigParser(tokens, file, text)
        statements = parser.statements()
    except RecursionError:
        raise too_deep(file) from None
    return ast.ConfigFile(file, statements, text)


def too_deep(file: str) -> ConfigError:
    return ConfigError(
        "brackets, blocks or strings are nested too deeply to read",
        where=f"{file}:1:1",
        remedy="flatten the nesting; no real config needs it",
    )


def strict_violations(config: ast.ConfigFile) -> list[tuple[Location, str]]:
    """Where and why the strict (v2) parser would reject ``config`` (empty: it is strict)."""
    found: list[tuple[Location, str]] = []

    def visit(statements: tuple[ast.Stmt, ...], in_process: bool) -> None:
        for stmt in statements:
            reason = ast.LEGACY_STATEMENTS.get(type(stmt))
            if reason is not None:
                found.append((stmt.location, reason))
            if isinstance(stmt, ast.Block):
                visit(stmt.body, in_process or stmt.path[:1] == ("process",))
            elif isinstance(stmt, ast.Selector):
                visit(stmt.body, True)
            elif isinstance(stmt, ast.If):
                visit(stmt.then, in_process)
                visit(stmt.otherwise, in_process)
            elif isinstance(stmt, ast.Try):
                visit(stmt.body, in_process)
                for handler in stmt.handlers:
                    visit(handler, in_process)

    visit(config.statements, False)
    return found
