"""Turn Groovy text (a Nextflow config, or an expression inside one) into tokens with positions.

The lexer knows Groovy's string forms — ``'…'``, ``"…"`` with ``${…}`` and ``$name``, triple
quotes, slashy ``/…/`` and dollar-slashy ``$/…/$`` — and its comments. It never evaluates
anything: interpolated parts are handed on as source text with their own position, and parsed
later. Malformed text raises :class:`~preflight.errors.ConfigError` with ``file:line:col``.

Speed: one compiled pattern matches every ordinary token with the blanks after it — names,
numbers, operators, comments, new lines, one-line strings and one-line GStrings whose ``${…}``
hold no braces or quotes — and one regex scan runs until a token needs more. Only strings with
escapes, nested or multi-line interpolation, and slashy strings take the slower path that
walks them in runs of plain characters.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from preflight.errors import ConfigError
from preflight.model import Location

NAME, NUMBER, STRING, OP, NEWLINE, EOF = "name", "number", "string", "op", "newline", "eof"

_OPERATOR_TEXT = """?. *. .& ..< .. ?: ==~ =~ == != <=> <= >= && || ** -> << >>> >> ++ -- += -=
    *= /= ! = < > + - * / % ? : . , ; ( ) [ ] { } & | ^ ~ @"""
OPERATORS = sorted(
    _OPERATOR_TEXT.split(),
    key=len,
    reverse=True,
)
_OPERATOR_PATTERN = "|".join(re.escape(op) for op in OPERATORS)
_NAME_PATTERN = r"[A-Za-z_$][A-Za-z0-9_$]*"
_NUMBER_PATTERN = (
    r"0[xX][0-9a-fA-F_]+[lLgGiI]?"
    r"|[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9]+)?[lLgGiIdDfF]?"
)
# One pattern for every token the main loop meets, in the order the rules apply at a position:
# comments, then strings (a plain one-line string whole; any other opens the slow path at its
# quote), ``$/``, then white space, names, numbers and operators. A ``/`` operator is checked
# afterwards: where a value may start it opens a slashy string instead.
_TOKEN = re.compile(
    r"(?:(?P<ws>[ \t\f\r]+|\\\r?\n)"
    r"|(?P<nl>\n)"
    r"|(?P<comment>//[^\n]*|/\*(?s:.*?)\*/)"
    r"|(?P<open_comment>/\*)"
    r"|(?P<plain>'(?!'')[^'\\\n]*'|\"(?!\"\")[^\"\\\n$]*\")"
    # a one-line "…" whose only specials are ``${…}`` without braces or quotes, ``$a.b`` and
    # ``$`` alone: the common GString, split by ``_INTERPOLATION`` (one char per step, so
    # a line without its closing quote fails in linear time)
    r"|(?P<gstring>\"(?!\"\")(?:[^\"\\\n$]|\$\{[^{}'\"\\\n]*\}"
    r"|\$[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?![A-Za-z0-9_]|\.[A-Za-z_])"
    r"|\$(?![{A-Za-z_]))*\")"
    r"|(?P<quote>['\"])"
    r"|(?P<dollar_slashy>\$/)"
    r"|(?P<name>" + _NAME_PATTERN + ")"
    r"|(?P<number>" + _NUMBER_PATTERN + ")"
    r"|(?P<op>" + _OPERATOR_PATTERN + "))"
    r"[ \t\f\r]*"  # the blanks after a token go with it: one match fewer per token
)
# Runs of characters a string body takes as they are, by quote: the slow path jumps over them.
_STRING_RUN = {"'": re.compile(r"[^'\\\n]+"), '"': re.compile(r'[^"\\\n$]+')}
_BALANCED_RUN = re.compile(r"[^{}'\"]+")
_DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_INTERPOLATION = re.compile(
    r"\$\{([^{}'\"\\\n]*)\}|\$([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
)
_OCTAL = re.compile(r"[0-7]{1,3}")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
# After these tokens a ``/`` divides; anywhere else it opens a slashy string.
_OPERAND_END = {")", "]", "}"}
_KEYWORDS_BEFORE_VALUE = {"return", "in", "case", "assert", "throw", "else"}
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


class Lexer:
    """One pass over ``text``; ``tokenize`` returns every token, ending with ``EOF``."""

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

    # -- the loop
    def tokenize(self) -> list[Token]:
        """Every token, then ``EOF``.

        The loop keeps its state in locals and hands it to the object only around the slow
        paths (strings with escapes or interpolation, slashy strings), which read it there.
        """
        text = self.text
        if self.pos == 0 and text.startswith("#!"):
            end = text.find("\n")
            self._advance_to(len(text) if end < 0 else end)
        tokens = self.tokens
        append = tokens.append
        new = tuple.__new__
        base = self.base
        pos, line, line_start = self.pos, self.line, self.line_start
        size = len(text)
        scan = _TOKEN.finditer  # one scan until a slow path moves the position itself
        while pos < size:
            for match in scan(text, pos):
                if match.start() != pos:  # the scan skipped a character no token starts with
                    self.pos, self.line, self.line_start = pos, line, line_start
                    raise self.error(f"unexpected character {text[pos]!r}")
                kind = match.lastgroup
                after = match.end()  # past the blanks that follow the token
                if kind == "name":
                    value = match.group(kind)
                    append(
                        new(
                            Token,
                            (
                                NAME,
                                value,
                                line,
                                pos - line_start + 1,
                                pos + base,
                                pos + len(value) + base,
                                False,
                            ),
                        )
                    )
                    pos = after
                elif kind == "op":
                    value = match.group(kind)
                    if value[0] == "/" and self._slashy_allowed():
                        self.pos, self.line, self.line_start = pos, line, line_start
                        self._slashy()
                        pos, line, line_start = self.pos, self.line, self.line_start
                        break  # scan again from after the string
                    append(
                        new(
                            Token,
                            (
                                OP,
                                value,
                                line,
                                pos - line_start + 1,
                                pos + base,
                                pos + len(value) + base,
                                False,
                            ),
                        )
                    )
                    pos = after
                elif kind == "nl":
                    if not tokens or tokens[-1][0] != NEWLINE:
                        append(
                            new(
                                Token,
                                (
                                    NEWLINE,
                                    "\n",
                                    line,
                                    pos - line_start + 1,
                                    pos + base,
                                    pos + 1 + base,
                                    False,
                                ),
                            )
                        )
                    line += 1
                    line_start = pos + 1
                    pos = after
                elif kind == "ws":
                    end = match.end(kind)
                    if text[end - 1] == "\n":  # a line continuation
                        line += 1
                        line_start = end
                    pos = after
                elif kind == "plain":
                    end = match.end(kind)
                    append(
                        new(
                            Token,
                            (
                                STRING,
                                (text[pos + 1 : end - 1],),
                                line,
                                pos - line_start + 1,
                                pos + base,
                                end + base,
                                False,
                            ),
                        )
                    )
                    pos = after
                elif kind == "number":
                    value = match.group(kind)
                    append(
                        new(
                            Token,
                            (
                                NUMBER,
                                _number(value),
                                line,
                                pos - line_start + 1,
                                pos + base,
                                pos + len(value) + base,
                                False,
                            ),
                        )
                    )
                    pos = after
                elif kind == "gstring":
                    end = match.end(kind)
                    parts = _gstring_parts(text, pos + 1, end - 1, line, line_start, base)
                    append(
                        new(
                            Token,
                            (
                                STRING,
                                tuple(parts),
                                line,
                                pos - line_start + 1,
                                pos + base,
                                end + base,
                                len(parts) > 1 or not isinstance(parts[0], str),
                            ),
                        )
                    )
                    pos = after
                elif kind == "comment":
                    newlines = text.count("\n", pos, after)
                    if newlines:
                        line += newlines
                        line_start = text.rfind("\n", pos, after) + 1
                    pos = after
                else:  # a string with escapes or interpolation, ``$/``, or an unclosed ``/*``
                    self.pos, self.line, self.line_start = pos, line, line_start
                    if kind == "quote":
                        self._string(text[pos])
                    elif kind == "dollar_slashy":
                        self._dollar_slashy()
                    else:
                        raise self.error("unterminated /* comment", remedy="close it with */")
                    pos, line, line_start = self.pos, self.line, self.line_start
                    break  # scan again from after the string
            else:  # the scan found no token at ``pos`` (or none at all after it)
                if pos < size:
                    self.pos, self.line, self.line_start = pos, line, line_start
                    raise self.error(f"unexpected character {text[pos]!r}")
        self.pos, self.line, self.line_start = pos, line, line_start
        self._emit(EOF, "", self.pos, self.pos)
        return self.tokens

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

    def _slashy_allowed(self) -> bool:
        if not self.tokens:
            return True
        last = self.tokens[-1]
        if last.kind in (NUMBER, STRING):
            return False
        if last.kind == NAME:
            return last.value in _KEYWORDS_BEFORE_VALUE
        return not (last.kind == OP and last.value in _OPERAND_END)

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


def _gstring_parts(
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


def skip_balanced(text: str, pos: int, lexer: Lexer) -> int:
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


def _skip_string(text: str, pos: int, lexer: Lexer) -> int:
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


def _number(text: str) -> int | float:
    body = text.replace("_", "")
    if body[:2] in ("0x", "0X"):
        return int(body[2:].rstrip("lLgGiI") or "0", 16)
    suffix = body[-1] if body[-1] in "lLgGiIdDfF" else ""
    if suffix:
        body = body[:-1]
    if suffix in ("d", "D", "f", "F") or "." in body or "e" in body or "E" in body:
        return float(body)
    return int(body)


def tokenize(text: str, file: str, *, line: int = 1, col: int = 1, offset: int = 0) -> list[Token]:
    """Every token of ``text`` (whose first character sits at ``file:line:col``), then ``EOF``."""
    return Lexer(text, file, line=line, col=col, offset=offset).tokenize()
