"""Parse Groovy expressions from tokens, with Groovy's precedence, into :mod:`ast` nodes.

The subset is what configuration files and process directives use: literals, strings with
interpolation, lists, maps, property and safe navigation, calls (with a trailing closure),
unary and binary operators, ``in``, ``as``, ternary, elvis and closures. Precedence follows
Groovy, so ``!a == b`` is ``(!a) == b`` — as Nextflow reads the nf-core container ternary.
"""

from __future__ import annotations

import re

from preflight.errors import ConfigError
from preflight.model import Location
from preflight.nextflow.groovy import ast
from preflight.nextflow.groovy.lexer import (
    EOF,
    NAME,
    NEWLINE,
    NUMBER,
    OP,
    STRING,
    Interpolation,
    Token,
)
from preflight.nextflow.groovy.lexer import tokenize as lex

# Binary operators, loosest first; all bind left, ``**`` too (Groovy's grammar).
_BINARY_LEVELS: tuple[tuple[str, ...], ...] = (
    ("||",),
    ("&&",),
    ("|",),
    ("^",),
    ("&",),
    ("==", "!=", "<=>", "=~", "==~"),
    ("<", "<=", ">", ">=", "in", "instanceof", "as"),
    ("<<", ">>", ">>>", "..", "..<"),
    ("+", "-"),
    ("*", "/", "%"),
    ("**",),
)
_PRECEDENCE = {op: level for level, ops in enumerate(_BINARY_LEVELS) for op in ops}
# Operators Groovy lets a new line start (the expression continues); others end a statement.
_CONTINUES_ON_NEW_LINE = {
    "?",
    ":",
    "?:",
    "&&",
    "||",
    ".",
    "?.",
    "*.",
    "==",
    "!=",
    "=~",
    "==~",
    "<",
    "<=",
    ">",
    ">=",
    "*",
    "/",
    "%",
    "|",
    "&",
    "^",
    "<=>",
}
_CONTINUED_BINARY = tuple(op for op in _PRECEDENCE if op in _CONTINUES_ON_NEW_LINE)
_LITERAL_NAMES = {"true": True, "false": False, "null": None}
# ``a.b.c`` as an interpolation: names only, so parsed without the lexer (see ``_dotted_name``).
_DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_NOT_A_NAME = frozenset({*_LITERAL_NAMES, "new"})
# Tokens after which an operand cannot continue: a lone operand ends there.
_OPERAND_FOLLOWERS = frozenset({",", "]", ")", "}", ";"})
_END_OF_FILE = Token(EOF, "", 0, 0, 0, 0)


class ExpressionParser:
    """Recursive descent over a token list; ``self.i`` is the next token."""

    def __init__(self, tokens: list[Token], file: str, text: str, base: int = 0) -> None:
        # Padding with the final EOF lets look-ahead past the end read EOF, never fail
        # (``peek`` relies on it for up to 4 tokens ahead).
        self.tokens = tokens + [tokens[-1]] * 4
        self.file = file
        self.text = text  # the source the token offsets point into (minus ``base``)
        self.base = base
        self.i = 0
        self._newline_insensitive: list[bool] = [False]

    # -- token access
    def peek(self, ahead: int = 0) -> Token:
        token = self.tokens[self.i]
        skip = self._newline_insensitive[-1]
        if not skip:  # the common case: every token counts, and after EOF comes only EOF
            return token if not ahead else self.tokens[self.i + ahead]
        if not ahead and token.kind != NEWLINE:
            return token
        i = self.i
        while True:
            token = self.tokens[i]
            if token.kind == NEWLINE and skip:
                i += 1
                continue
            if ahead == 0 or token.kind == EOF:
                return token
            ahead -= 1
            i += 1

    def next(self) -> Token:
        tokens = self.tokens
        i = self.i
        token = tokens[i]
        if token.kind == NEWLINE and self._newline_insensitive[-1]:
            i += 1
            while tokens[i].kind == NEWLINE:
                i += 1
            token = tokens[i]
        self.i = i if token.kind == EOF else i + 1
        return token

    def skip_newlines(self) -> None:
        """Past new lines and ``;`` (empty statements)."""
        tokens, i = self.tokens, self.i
        while True:
            token = tokens[i]
            if token.kind != NEWLINE and not (token.kind == OP and token.value == ";"):
                break
            i += 1
        self.i = i

    def at_op(self, *ops: str) -> bool:
        token = self.peek()
        return token.kind == OP and token.value in ops

    def continued_op(self, *ops: str) -> bool:
        """The next operator is one of ``ops``, even at the start of the next line."""
        token = self.peek()
        if token.kind == OP and token.value in ops:
            return True
        if token.kind != NEWLINE:
            return False
        j = self.i
        while self.tokens[j].kind == NEWLINE:
            j += 1
        token = self.tokens[j]
        if token.kind == OP and token.value in ops and token.value in _CONTINUES_ON_NEW_LINE:
            self.i = j
            return True
        return False

    def expect_op(self, op: str, what: str = "") -> Token:
        token = self.peek()
        if not token.is_op(op):
            raise self.error(f"expected '{op}'{what} but found {describe(token)}", token)
        return self.next()

    def location(self, token: Token) -> Location:
        return Location(self.file, token.line, token.col)

    def error(self, message: str, token: Token, remedy: str = "") -> ConfigError:
        return ConfigError(
            message,
            where=str(self.location(token)),
            remedy=remedy or "fix the syntax at this place; the file must be valid Nextflow config",
        )

    def source(self, start: int, end: int) -> str:
        return self.text[start - self.base : end - self.base]

    def nested(self, insensitive: bool) -> _Nesting:
        return _Nesting(self, insensitive)

    # -- expressions
    def expression(self) -> ast.Expr:
        lone = self._lone_operand()
        if lone is not None:
            return lone
        condition = self.binary(0)
        if self.continued_op("?"):
            token = self.next()
            with self.nested(True):
                then = self.expression()
                self.expect_op(":", " in the ternary")
            self.skip_newlines_inline()  # a line may end with the ternary's ':'
            otherwise = self.expression()
            return ast.Ternary(self.location(token), condition, then, otherwise)
        if self.continued_op("?:"):
            token = self.next()
            self.skip_newlines_inline()
            return ast.Elvis(self.location(token), condition, self.expression())
        return condition

    def _lone_operand(self) -> ast.Expr | None:
        """A string, number, ``true``/``false``/``null`` or closure that is the whole expression.

        Most values in a config are one of these, followed by the end of the statement, of an
        argument or of an entry. Checking that follower up front reads them without the dozen
        calls of the precedence climb, with the same result; anything else returns None and
        takes the full path.
        """
        tokens = self.tokens
        i = self.i
        insensitive = self._newline_insensitive[-1]
        token = tokens[i]
        if token.kind == NEWLINE:
            if not insensitive:
                return None
            while token.kind == NEWLINE:
                i += 1
                token = tokens[i]
        kind = token.kind
        if kind in (STRING, NUMBER) or (kind == NAME and token.value in _LITERAL_NAMES):
            end = i + 1
        elif kind == OP and token.value == "{":
            end = self._matching_brace(i) + 1
        else:
            return None
        follower = end
        after = tokens[follower]
        if after.kind == NEWLINE:
            while after.kind == NEWLINE:
                follower += 1
                after = tokens[follower]
            if not insensitive:  # a new line ends it, unless the next line continues it
                if after.kind == OP and after.value in _CONTINUES_ON_NEW_LINE:
                    return None
                after = _END_OF_FILE
        if after.kind != EOF and not (after.kind == OP and after.value in _OPERAND_FOLLOWERS):
            return None
        if kind == OP:
            self.i = i
            return self.closure(end - 1)
        self.i = i + 1
        if kind == STRING:
            return self.string(token)
        if kind == NUMBER:
            return ast.Literal(self.location(token), token.value)
        return ast.Literal(self.location(token), _LITERAL_NAMES[str(token.value)])

    def skip_newlines_inline(self) -> None:
        while self.tokens[self.i].kind == NEWLINE:
            self.i += 1

    def binary(self, min_level: int) -> ast.Expr:
        """Precedence climbing: operators of ``min_level`` or tighter, left-associative."""
        left = self.unary()
        while True:
            op = self._binary_operator()
            if op is None or _PRECEDENCE[op] < min_level:
                return left
            token = self.next()
            self.skip_newlines_inline()
            level = _PRECEDENCE[op]
            if op in ("as", "instanceof"):
                left = ast.Cast(self.location(token), left, self.type_name(), op)
                continue
            right = self.binary(level + 1)
            left = ast.Binary(self.location(token), op, left, right)

    def _binary_operator(self) -> str | None:
        token = self.peek()
        if token.kind in (NAME, OP) and token.value in _PRECEDENCE:
            return str(token.value)
        if token.kind == NEWLINE and self.continued_op(*_CONTINUED_BINARY):
            return str(self.peek().value)
        return None

    def type_name(self) -> str:
        token = self.next()
        if token.kind != NAME:
            raise self.error(f"expected a type name but found {describe(token)}", token)
        parts = [str(token.value)]
        while self.at_op(".") and self.peek(1).kind == NAME:
            self.next()
            parts.append(str(self.next().value))
        if self.at_op("<"):  # generics: skip to the matching '>'
            depth = 0
            while True:
                t = self.next()
                if t.kind == EOF:
                    raise self.error("unterminated type arguments", t)
                depth += 1 if t.is_op("<") else -1 if t.is_op(">") else 0
                if depth == 0:
                    break
        while self.at_op("[") and self.peek(1).is_op("]"):
            self.next()
            self.next()
        return ".".join(parts)

    def unary(self) -> ast.Expr:
        token = self.peek()
        if token.kind == OP and token.value in ("-", "+"):
            # Groovy binds ``**`` tighter than a sign: ``-2 ** 2`` is ``-(2 ** 2)``.
            self.next()
            operand = self.unary()
            while self.at_op("**"):
                power = self.next()
                self.skip_newlines_inline()
                operand = ast.Binary(self.location(power), "**", operand, self.unary())
            return ast.Unary(self.location(token), str(token.value), operand)
        if token.kind == OP and token.value in ("!", "~", "++", "--"):
            self.next()
            return ast.Unary(self.location(token), str(token.value), self.unary())
        if token.is_op("(") and self._looks_like_cast():
            self.next()
            type_name = self.type_name()
            self.expect_op(")")
            return ast.Cast(self.location(token), self.unary(), type_name)
        return self.postfix(self.primary())

    def _looks_like_cast(self) -> bool:
        """``(Type) expr``: a capitalised name alone in parentheses, then an operand."""
        first, second, third = self.peek(1), self.peek(2), self.peek(3)
        return (
            first.kind == NAME
            and str(first.value)[:1].isupper()
            and second.is_op(")")
            and (third.kind in (NAME, NUMBER, STRING) or third.is_op("(", "["))
        )

    def postfix(self, target: ast.Expr) -> ast.Expr:
        while True:
            token = self.peek()
            if self.continued_op(".", "?.", "*.", ".&"):
                token = self.next()
                self.skip_newlines_inline()
                name_token = self.next()
                if name_token.kind == NAME:
                    name = str(name_token.value)
                elif name_token.kind == STRING and not name_token.interpolated:
                    name = "".join(name_token.value)
                else:
                    raise self.error(f"expected a name after '{token.value}'", name_token)
                if self.at_op("(") and not self._newline_before():
                    args = self.arguments()
                    target = ast.Call(
                        self.location(name_token), target, name, args, safe=token.value == "?."
                    )
                elif self._closure_follows():
                    target = ast.Call(
                        self.location(name_token),
                        target,
                        name,
                        (self.closure(),),
                        safe=token.value == "?.",
                    )
                else:
                    target = ast.Property(
                        self.location(name_token),
                        target,
                        name,
                        safe=token.value == "?.",
                        spread=token.value == "*.",
                    )
                continue
            if (
                token.is_op("(")
                and not self._newline_before()
                and isinstance(target, ast.ClosureExpr)
            ):
                args = self.arguments()
                target = ast.Call(self.location(token), target, "call", args)
                continue
            if token.is_op("[") and not self._newline_before():
                self.next()
                with self.nested(True):
                    index = self.expression()
                    self.expect_op("]")
                target = ast.Index(self.location(token), target, index)
                continue
            if token.is_op("++", "--") and not self._newline_before():
                self.next()
                continue
            return target

    def _newline_before(self) -> bool:
        return self.tokens[self.i].kind == NEWLINE

    def _closure_follows(self) -> bool:
        return self.tokens[self.i].is_op("{")

    def arguments(self) -> tuple[ast.Expr, ...]:
        """``( a, b, k: v )`` — named arguments become one map, first, as Groovy passes them."""
        self.expect_op("(")
        args: list[ast.Expr] = []
        named: list[tuple[ast.Expr, ast.Expr]] = []
        with self.nested(True):
            while not self.at_op(")"):
                if self._named_argument():
                    key_token = self.next()
                    self.next()
                    named.append((self._map_key(key_token), self.expression()))
                else:
                    args.append(self.expression())
                if not self.at_op(","):
                    break
                self.next()
            self.expect_op(")", " to close the argument list")
        if self._closure_follows():
            args.append(self.closure())
        if named:
            args.insert(0, ast.MapExpr(named[0][0].location, tuple(named)))
        return tuple(args)

    def _named_argument(self) -> bool:
        token = self.peek()
        return token.kind in (NAME, STRING) and not token.interpolated and self.peek(1).is_op(":")

    def _map_key(self, token: Token) -> ast.Expr:
        if token.kind == NAME:
            return ast.Literal(self.location(token), token.value)
        return self.string(token)

    def primary(self) -> ast.Expr:
        token = self.peek()
        if token.kind == NUMBER:
            self.next()
            return ast.Literal(self.location(token), token.value)
        if token.kind == STRING:
            self.next()
            return self.string(token)
        if token.kind == NAME:
            self.next()
            if token.value in _LITERAL_NAMES:
                return ast.Literal(self.location(token), _LITERAL_NAMES[str(token.value)])
            if token.value == "new":
                type_name = self.type_name()
                args = self.arguments() if self.at_op("(") else ()
                return ast.New(self.location(token), type_name, args)
            if self.at_op("(") and not self._newline_before():
                return ast.Call(self.location(token), None, str(token.value), self.arguments())
            if self._closure_follows() and token.value not in ("this", "it"):
                return ast.Call(self.location(token), None, str(token.value), (self.closure(),))
            return ast.Name(self.location(token), str(token.value))
        if token.is_op("("):
            self.next()
            with self.nested(True):
                inner = self.expression()
                self.expect_op(")", " to close the parenthesis")
            return inner
        if token.is_op("["):
            return self.list_or_map()
        if token.is_op("{"):
            return self.closure()
        raise self.error(f"expected a value but found {describe(token)}", token)

    def list_or_map(self) -> ast.Expr:
        open_token = self.next()
        location = self.location(open_token)
        with self.nested(True):
            if self.at_op(":") and self.peek(1).is_op("]"):
                self.next()
                self.next()
                return ast.MapExpr(location, ())
            items: list[ast.Expr] = []
            entries: list[tuple[ast.Expr, ast.Expr]] = []
            while not self.at_op("]"):
                if self._named_argument():
                    key_token = self.next()
                    self.next()
                    entries.append((self._map_key(key_token), self.expression()))
                else:
                    item = self.expression()
                    if self.at_op(":"):
                        self.next()
                        entries.append((item, self.expression()))
                    else:
                        items.append(item)
                if not self.at_op(","):
                    break
                self.next()
            self.expect_op("]", " to close the list")
        if entries and items:
            raise self.error("a list cannot mix values and key: value entries", open_token)
        if entries:
            return ast.MapExpr(location, tuple(entries))
        return ast.ListExpr(location, tuple(items))

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

    def sub_parser(self, tokens: list[Token]) -> ExpressionParser:
        """A parser of the same kind over other tokens of the same text (interpolations)."""
        return type(self)(tokens, self.file, self.text, self.base)

    def closure(self, end: int | None = None) -> ast.ClosureExpr:
        """``{ [params ->] statements }``; the body stays opaque if it is beyond the subset.

        ``end`` is the index of the closing brace when the caller found it already.
        """
        while self.tokens[self.i].kind == NEWLINE:
            self.i += 1
        open_token = self.tokens[self.i]
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


class _Nesting:
    """Inside ``(…)``/``[…]`` new lines mean nothing; inside ``{…}`` they end statements."""

    def __init__(self, parser: ExpressionParser, insensitive: bool) -> None:
        self.parser = parser
        self.insensitive = insensitive

    def __enter__(self) -> None:
        self.parser._newline_insensitive.append(self.insensitive)

    def __exit__(self, *exc: object) -> None:
        self.parser._newline_insensitive.pop()


def describe(token: Token) -> str:
    if token.kind == EOF:
        return "the end of the file"
    if token.kind == NEWLINE:
        return "the end of the line"
    if token.kind == STRING:
        return "a string"
    return f"'{token.value}'"


def parse_expression_text(text: str, location: Location) -> ast.Expr:
    """Parse ``text`` (which starts at ``location``) as one whole expression."""
    try:
        tokens = lex(text, location.file, line=location.line, col=max(location.col, 1))
        parser = ExpressionParser(tokens, location.file, text)
        with parser.nested(True):
            expr = parser.expression()
            end = parser.peek()
            if end.kind != EOF:
                raise parser.error(f"unexpected {describe(end)} after the expression", end)
    except RecursionError:
        raise ConfigError(
            "the expression is nested too deeply to read",
            where=str(location),
            remedy="flatten the nesting",
        ) from None
    return expr
