"""A token list read one token at a time, with Groovy's rules for where a new line counts.

:class:`TokenStream` is the base of the expression and config parsers: look-ahead, matching
operators (also at the start of the next line, where Groovy's grammar continues a statement),
errors with ``file:line:col``, and ``nested`` for brackets, inside which new lines mean nothing.
"""

from __future__ import annotations

from preflight.errors import ConfigError
from preflight.model import Location
from preflight.nextflow.groovy.lexer import EOF, NEWLINE, OP, STRING, Token

# Operators Groovy lets a new line start (the expression continues); others end a statement.
CONTINUES_ON_NEW_LINE = {
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


class TokenStream:
    """Recursive descent's cursor over a token list; ``self.i`` is the next token."""

    def __init__(self, tokens: list[Token], file: str, text: str, base: int = 0) -> None:
        # Padding with the final EOF lets look-ahead past the end read EOF, never fail
        # (``peek`` relies on it for up to 4 tokens ahead).
        self.tokens = tokens + [tokens[-1]] * 4
        self.file = file
        self.text = text  # the source the token offsets point into (minus ``base``)
        self.base = base
        self.i = 0
        self._newline_insensitive: list[bool] = [False]

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
        if token.kind == OP and token.value in ops and token.value in CONTINUES_ON_NEW_LINE:
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

    def skip_newlines_inline(self) -> None:
        while self.tokens[self.i].kind == NEWLINE:
            self.i += 1


class _Nesting:
    """Inside ``(…)``/``[…]`` new lines mean nothing; inside ``{…}`` they end statements."""

    def __init__(self, parser: TokenStream, insensitive: bool) -> None:
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
