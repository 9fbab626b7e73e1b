"""Parse Groovy expressions from tokens, with Groovy's precedence, into :mod:`ast` nodes.

The subset is what configuration files and process directives use: literals, strings with
interpolation, lists, maps, property and safe navigation, calls (with a trailing closure),
unary and binary operators, ``in``, ``as``, ternary, elvis and closures. Precedence follows
Groovy, so ``!a == b`` is ``(!a) == b`` — as Nextflow reads the nf-core container ternary.
"""

from __future__ import annotations

from preflight.errors import ConfigError
from preflight.model import Location
from preflight.nextflow.groovy import ast
from preflight.nextflow.groovy.lexer import (
    CLOSURE,
    EOF,
    NAME,
    NEWLINE,
    NUMBER,
    OP,
    STRING,
    Token,
)
from preflight.nextflow.groovy.lexer import tokenize as lex
from preflight.nextflow.groovy.operand_parser import LITERAL_NAMES, OperandParser
from preflight.nextflow.groovy.token_stream import CONTINUES_ON_NEW_LINE, describe

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
_CONTINUED_BINARY = tuple(op for op in _PRECEDENCE if op in CONTINUES_ON_NEW_LINE)
# Tokens after which an operand cannot continue: a lone operand ends there.
_OPERAND_FOLLOWERS = frozenset({",", "]", ")", "}", ";"})
_END_OF_FILE = Token(EOF, "", 0, 0, 0, 0)


class ExpressionParser(OperandParser):
    """Groovy's expressions over a token stream, by precedence climbing."""

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
        if kind in (STRING, NUMBER, CLOSURE) or (kind == NAME and token.value in LITERAL_NAMES):
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
                if after.kind == OP and after.value in CONTINUES_ON_NEW_LINE:
                    return None
                after = _END_OF_FILE
        if after.kind != EOF and not (after.kind == OP and after.value in _OPERAND_FOLLOWERS):
            return None
        if kind == CLOSURE:
            self.i = end
            return self.lazy_closure(token)
        if kind == OP:
            self.i = i
            return self.closure(end - 1)
        self.i = i + 1
        if kind == STRING:
            return self.string(token)
        if kind == NUMBER:
            return ast.Literal(self.location(token), token.value)
        return ast.Literal(self.location(token), LITERAL_NAMES[str(token.value)])

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
            if token.value in LITERAL_NAMES:
                return ast.Literal(self.location(token), LITERAL_NAMES[str(token.value)])
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
        if token.is_op("{") or token.kind == CLOSURE:
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
