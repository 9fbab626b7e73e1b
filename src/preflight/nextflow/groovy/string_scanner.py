"""Tokens, and the slow path of the lexer: strings with escapes, interpolation, slashy forms.

:class:`StringScanner` holds the lexer's position (``pos``, ``line``, ``line_start``) and reads
one string at the position into a ``STRING`` token whose value is its parts: text, and
:class:`Interpolation` for each ``${…}`` or ``$a.b`` with the position of its source.
:class:`~preflight.nextflow.groovy.lexer.Lexer` runs the fast loop and calls in here.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from preflight.errors import ConfigError
from preflight.model import Location

NAME, NUMBER, STRING, OP, NEWLINE, EOF = "name", "number", "string", "op", "newline", "eof"
# A whole ``{ … }`` closure, its body not lexed yet (``start``/``end`` span the braces).
CLOSURE = "closure"

# Runs of characters a string body takes as they are, by quote: the slow path jumps over them.
_STRING_RUN = {"'": re.compile(r"[^'\\\n]+"), '"': re.compile(r'[^"\\\n$]+')}
_BALANCED_RUN = re.compile(r"[^{}'\"]+")
_DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_INTERPOLATION = re.compile(
    r"\$\{([^{}'\"\\\n]*)\}|\$([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
)
_OCTAL = re.compile(r"[0-7]{1,3}")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_ESCAPES = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    "s": " ",
    '"': '"',
    "'": "'",
    "\\": "\\",
    "$": "$",
}


class Interpolation(NamedTuple):
    """A ``${…}`` or ``$a.b`` inside a string: its source text and where that text starts."""

    text: str
    line: int
    col: int
    offset: int
    braced: bool


class Token(NamedTuple):
    """One token: ``kind``, the ``value`` (name, operator, number, or string parts), position.

    ``start``/``end`` are character offsets in the text the lexer was given (plus the base
    offset), so the editor can change exactly one token's text. A named tuple: files have
    tens of thousands of tokens, and this is the cheapest immutable record Python has.
    """

    kind: str
    value: Any
    line: int
    col: int
    start: int
    end: int
    interpolated: bool = False

    def is_op(self, *ops: str) -> bool:
        return self.kind == OP and self.value in ops

    def is_name(self, *names: str) -> bool:
        return self.kind == NAME and self.value in names


class StringScanner:
    """The lexer's state and its string readers; ``tokens`` collects what is read."""

    def __init__(
        self, text: str, file: str, *, line: int = 1, col: int = 1, offset: int = 0
    ) -> None:
        self.text = text
        self.file = file
        self.pos = 0
        self.line = line
        self.line_start = -(col - 1)  # so that col() of position 0 is ``col``
        self.first_col = col
        self.base = offset
        self.tokens: list[Token] = []

    # -- positions
    def col(self, pos: int) -> int:
        return pos - self.line_start + 1

    def where(self, pos: int | None = None) -> str:
        """``file:line:col`` of any position, before or after the current one."""
        at = self.pos if pos is None else pos
        if at >= self.pos:
            line = self.line + self.text.count("\n", self.pos, at)
        else:
            line = self.line - self.text.count("\n", at, self.pos)
        newline = self.text.rfind("\n", 0, at)
        col = at - newline if newline >= 0 else at + self.first_col
        return str(Location(self.file, line, col))

    def _advance_to(self, end: int) -> None:
        """Move to ``end``, counting the newlines passed."""
        newlines = self.text.count("\n", self.pos, end)
        if newlines:
            self.line += newlines
            self.line_start = self.text.rfind("\n", self.pos, end) + 1
        self.pos = end

    def error(self, message: str, pos: int | None = None, remedy: str = "") -> ConfigError:
        return ConfigError(
            message,
            where=self.where(pos),
            remedy=remedy or "fix the syntax at this place; the file must be valid Nextflow config",
        )

    def _emit(
        self, kind: str, value: Any, start: int, end: int, interpolated: bool = False
    ) -> None:
        """Append a token that starts at the current position."""
        self.tokens.append(
            Token(
                kind,
                value,
                self.line,
                start - self.line_start + 1,
                start + self.base,
                end + self.base,
                interpolated,
            )
        )

    # -- strings
    def _string(self, quote: str) -> None:
        start = self.pos
        start_line, start_col = self.line, self.col(start)
        triple = self.text.startswith(quote * 3, start)
        delimiter = quote * 3 if triple else quote
        pos = start + len(delimiter)
        parts: list[str | Interpolation] = []
        buffer: list[str] = []
        text = self.text
        run = _STRING_RUN[quote].match
        while True:
            plain = run(text, pos)
            if plain is not None:
                buffer.append(plain.group())
                pos = plain.end()
            if pos >= len(text):
                raise self.error("unterminated string", start, remedy=f"close it with {delimiter}")
            char = text[pos]
            if text.startswith(delimiter, pos):
                pos += len(delimiter)
                break
            if char == "\n" and not triple:
                raise self.error("unterminated string", start, remedy=f"close it with {delimiter}")
            if char == "\\":
                pos = self._escape(pos, buffer)
                continue
            if char == "$" and quote == '"':
                interpolation, pos = self._interpolation(pos)
                if interpolation is None:
                    buffer.append("$")
                    pos += 1
                else:
                    if buffer:
                        parts.append("".join(buffer))
                        buffer = []
                    parts.append(interpolation)
                continue
            buffer.append(char)
            pos += 1
        if buffer or not parts:
            parts.append("".join(buffer))
        self._finish_string(parts, start, pos, start_line, start_col)

    def _finish_string(
        self, parts: list[str | Interpolation], start: int, end: int, line: int, col: int
    ) -> None:
        interpolated = any(isinstance(p, Interpolation) for p in parts)
        self.tokens.append(
            Token(STRING, tuple(parts), line, col, start + self.base, end + self.base, interpolated)
        )
        self._advance_to(end)

    def _escape(self, pos: int, buffer: list[str]) -> int:
        text = self.text
        nxt = text[pos + 1] if pos + 1 < len(text) else ""
        if nxt in _ESCAPES:
            buffer.append(_ESCAPES[nxt])
            return pos + 2
        if nxt == "\n":
            return pos + 2
        if nxt == "\r" and text.startswith("\n", pos + 2):
            return pos + 3
        if nxt == "u":
            digits = _HEX4.match(text, pos + 2)
            if digits is not None:
                buffer.append(chr(int(digits.group(), 16)))
                return pos + 6
        octal = _OCTAL.match(text[pos + 1 : pos + 4])
        if octal:
            buffer.append(chr(int(octal.group(), 8) & 0xFF))
            return pos + 1 + len(octal.group())
        raise self.error(f"invalid escape sequence \\{nxt}", pos)

    def _interpolation(self, pos: int) -> tuple[Interpolation | None, int]:
        """At a ``$``: the ``${…}`` or ``$a.b`` part and the position after it."""
        text = self.text
        if text.startswith("${", pos):
            end = skip_balanced(text, pos + 1, self)
            inner = text[pos + 2 : end - 1]
            return (
                Interpolation(
                    inner, self._line_at(pos + 2), self._col_at(pos + 2), pos + 2 + self.base, True
                ),
                end,
            )
        match = _DOTTED_NAME.match(text, pos + 1)
        if not match:
            return None, pos
        return (
            Interpolation(
                match.group(),
                self._line_at(pos + 1),
                self._col_at(pos + 1),
                pos + 1 + self.base,
                False,
            ),
            match.end(),
        )

    def _line_at(self, pos: int) -> int:
        return self.line + self.text.count("\n", self.pos, pos)

    def _col_at(self, pos: int) -> int:
        newline = self.text.rfind("\n", self.pos, pos)
        return self.col(pos) if newline < 0 else pos - newline

    def _slashy(self) -> None:
        self._regex_string(self.pos, 1, "/")

    def _dollar_slashy(self) -> None:
        self._regex_string(self.pos, 2, "/$")

    def _regex_string(self, start: int, open_len: int, close: str) -> None:
        text = self.text
        start_line, start_col = self.line, self.col(start)
        pos = start + open_len
        parts: list[str | Interpolation] = []
        buffer: list[str] = []
        while True:
            if pos >= len(text):
                raise self.error(
                    "unterminated slashy string", start, remedy=f"close it with {close}"
                )
            if text.startswith(close, pos):
                pos += len(close)
                break
            char = text[pos]
            if close == "/" and char == "\\" and text.startswith("/", pos + 1):
                buffer.append("/")
                pos += 2
                continue
            if close == "/$" and char == "$" and pos + 1 < len(text) and text[pos + 1] in "$/":
                buffer.append(text[pos + 1])
                pos += 2
                continue
            if char == "$":
                interpolation, after = self._interpolation(pos)
                if interpolation is not None:
                    if buffer:
                        parts.append("".join(buffer))
                        buffer = []
                    parts.append(interpolation)
                    pos = after
                    continue
            buffer.append(char)
            pos += 1
        if buffer or not parts:
            parts.append("".join(buffer))
        self._finish_string(parts, start, pos, start_line, start_col)


def gstring_parts(
    text: str, start: int, end: int, line: int, line_start: int, base: int
) -> list[str | Interpolation]:
    """The parts of a one-line GString body ``text[start:end]`` the master pattern matched."""
    parts: list[str | Interpolation] = []
    last = start
    for found in _INTERPOLATION.finditer(text, start, end):
        at = found.start()
        if at > last:
            parts.append(text[last:at])
        braced = found.group(1) is not None
        inner = at + 2 if braced else at + 1
        parts.append(
            Interpolation(
                found.group(1) if braced else found.group(2),
                line,
                inner - line_start + 1,
                inner + base,
                braced,
            )
        )
        last = found.end()
    if last < end or not parts:
        parts.append(text[last:end])
    return parts


def skip_balanced(text: str, pos: int, lexer: StringScanner) -> int:
    """From the ``{`` at ``pos``, the position just after its matching ``}``.

    Strings inside are skipped whole (their own ``${…}`` included), so braces in them do not
    count. Used for ``${…}`` interpolations.
    """
    depth = 0
    size = len(text)
    run = _BALANCED_RUN.match
    while pos < size:
        plain = run(text, pos)
        if plain is not None:
            pos = plain.end()
            if pos >= size:
                break
        char = text[pos]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return pos + 1
        elif char in "'\"":
            pos = _skip_string(text, pos, lexer)
            continue
        pos += 1
    raise lexer.error("unterminated ${ in string", remedy="close the interpolation with }")


def _skip_string(text: str, pos: int, lexer: StringScanner) -> int:
    quote = text[pos]
    delimiter = quote * 3 if text.startswith(quote * 3, pos) else quote
    start = pos
    pos += len(delimiter)
    while pos < len(text):
        if text.startswith(delimiter, pos):
            return pos + len(delimiter)
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "$" and quote == '"' and text.startswith("${", pos):
            pos = skip_balanced(text, pos + 1, lexer)
            continue
        if char == "\n" and len(delimiter) == 1:
            break
        pos += 1
    raise lexer.error("unterminated string", start)


# Characters a closure's text may hold between the ones :func:`closure_end` looks at: only
# those the lexer takes outside strings, so whatever it would refuse is lexed (and refused) now.
_CLOSURE_RUN = re.compile(r"[ \t\f\r\nA-Za-z0-9_.,:;?!=<>+*%&|^~()\[\]@]+")


def closure_end(text: str, pos: int, lexer: StringScanner) -> int | None:
    """Just after the ``}`` that closes the closure opened at ``pos``; None to lex it instead.

    Braces are counted and strings skipped whole (their ``${…}`` included). Anything that
    needs the lexer's context — a ``/`` (comment, division or slashy string), ``$/``, a
    backslash (in a string too: escapes are the lexer's to check), ``->`` (parameters) — or an
    unterminated string gives None: the closure is then
    lexed token by token, as any other text, and errors are reported there.
    """
    depth = 0
    size = len(text)
    run = _CLOSURE_RUN.match
    while pos < size:
        plain = run(text, pos)
        if plain is not None:
            pos = plain.end()
            if pos >= size:
                return None
        char = text[pos]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return pos + 1
        elif char in "'\"":
            try:
                after = _skip_string(text, pos, lexer)
            except ConfigError:
                return None
            if "\\" in text[pos:after]:  # escapes are checked by the lexer: lex it now
                return None
            pos = after
            continue
        elif char == "$":
            if text.startswith("$/", pos):
                return None
        elif char == "-":
            if text.startswith("->", pos):
                return None
        else:  # ``/``, a backslash, or a character the lexer would refuse
            return None
        pos += 1
    return None
