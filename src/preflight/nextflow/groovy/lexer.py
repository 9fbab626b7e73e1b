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

from preflight.nextflow.groovy.string_scanner import (
    CLOSURE,
    EOF,
    NAME,
    NEWLINE,
    NUMBER,
    OP,
    STRING,
    Interpolation,
    StringScanner,
    Token,
    closure_end,
    gstring_parts,
)

__all__ = [
    "CLOSURE",
    "EOF",
    "NAME",
    "NEWLINE",
    "NUMBER",
    "OP",
    "STRING",
    "Interpolation",
    "Lexer",
    "Token",
]

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
# After these operators a ``{`` is a closure, never a block: it is read as one CLOSURE token
# when :func:`closure_end` can find its end without lexing it (see there).
_CLOSURE_BEFORE = frozenset({"=", "(", ",", ":", "?", "?:", "["})
_BLANKS = re.compile(r"[ \t\f\r]*")
# After these tokens a ``/`` divides; anywhere else it opens a slashy string.
_OPERAND_END = {")", "]", "}"}
_KEYWORDS_BEFORE_VALUE = {"return", "in", "case", "assert", "throw", "else"}


class Lexer(StringScanner):
    """One pass over ``text``; ``tokenize`` returns every token, ending with ``EOF``.

    A closure in value position (after ``=``, ``(``, ``,``, ``:``, ``?``, ``?:``, ``[``) is one
    ``CLOSURE`` token whose body is lexed only when it is read: most closures of a config are
    never evaluated before the run. ``closures_whole = False`` lexes every token now (the
    parse is the same either way).
    """

    closures_whole = True

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
                    if (
                        value == "{"
                        and self.closures_whole
                        and tokens
                        and tokens[-1][0] == OP
                        and tokens[-1][1] in _CLOSURE_BEFORE
                    ):
                        closed = closure_end(text, pos, self)
                        if closed is not None:  # a closure read whole; its body is lexed on use
                            append(
                                new(
                                    Token,
                                    (
                                        CLOSURE,
                                        None,
                                        line,
                                        pos - line_start + 1,
                                        pos + base,
                                        closed + base,
                                        False,
                                    ),
                                )
                            )
                            newlines = text.count("\n", pos, closed)
                            if newlines:
                                line += newlines
                                line_start = text.rfind("\n", pos, closed) + 1
                            blanks = _BLANKS.match(text, closed)
                            pos = blanks.end() if blanks is not None else closed
                            break  # scan again from after the closure
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
                    parts = gstring_parts(text, pos + 1, end - 1, line, line_start, base)
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

    def _slashy_allowed(self) -> bool:
        if not self.tokens:
            return True
        last = self.tokens[-1]
        if last.kind in (NUMBER, STRING, CLOSURE):  # a closure ends an operand, as "}" does
            return False
        if last.kind == NAME:
            return last.value in _KEYWORDS_BEFORE_VALUE
        return not (last.kind == OP and last.value in _OPERAND_END)


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
