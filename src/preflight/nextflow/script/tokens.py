"""The ``.nf`` scanner's vocabulary: the compiled patterns that find tokens, and statement ends.

Speed matters (pipelines with hundreds of modules), so each file is scanned by one compiled
regular expression that jumps from one *interesting* token to the next — comments, strings,
braces, a handful of keywords — leaving everything else to the regex engine. Strings and
comments are consumed whole, so braces and keywords inside a shell script never confuse it.
This module holds those patterns and the two helpers that measure a Groovy statement or a
parenthesised condition; :mod:`preflight.nextflow.script.scanner` drives them.
"""

from __future__ import annotations

import re

# Strings and comments as "unrolled loops" (a run of ordinary characters, then one escape or
# lone quote, repeated): matching is linear and never backtracks badly on unclosed text.
_SQ = r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'"
_DQ_PLAIN = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
_INTERPOLATION = r"\$\{[^{}'\"]*(?:(?:" + _SQ + "|" + _DQ_PLAIN + r"|\{[^{}]*\})[^{}'\"]*)*\}"
SKIPPED = (
    r"//[^\n]*",
    r"/\*[^*]*\*+(?:[^/*][^*]*\*+)*/",
    r'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""',
    r'"[^"\\\n$]*(?:(?:\\.|' + _INTERPOLATION + r'|\$)[^"\\\n$]*)*"',
    "'''" + r"[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*" + "'''",
    _SQ,
    r"\$/.*?/\$",
    # slashy strings (regular expressions) where an operand may start: after ( , = ~
    *(re.escape(c) + r"[ \t]*/(?![/*\s])[^/\\\n]*(?:\\.[^/\\\n]*)*/" for c in "(,=~"),
)
# The same strings and comments grouped by their first character, so the regex engine tries one
# group per candidate character instead of every alternative in turn (the order within a group
# is the order above). With ``lone``, a candidate character that starts none of them is
# consumed on its own.
_BY_FIRST = (
    ("/", r"/[^\n]*|\*[^*]*\*+(?:[^/*][^*]*\*+)*/"),
    (
        '"',
        r'""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
        r'|[^"\\\n$]*(?:(?:\\.|' + _INTERPOLATION + r'|\$)[^"\\\n$]*)*"',
    ),
    ("'", "''" + r"[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*" + "'''" + r"|[^'\\\n]*(?:\\.[^'\\\n]*)*'"),
    (r"\$", r"/.*?/\$"),
    ("[(,=~]", r"[ \t]*/(?![/*\s])[^/\\\n]*(?:\\.[^/\\\n]*)*/"),
)


def _skipped_by_first(*, lone: bool) -> str:
    optional = "?" if lone else ""
    return "|".join(f"{first}(?:{rest}){optional}" for first, rest in _BY_FIRST)


# What may follow the start of a statement (verbose syntax).
WORD_PATTERN = (
    r"""[ \t]*(?:
        include\s*\{(?P<names>[^{}]*)\}\s*from\s*(?P<q>['"])(?P<path>[^'"\n]*)(?P=q)
      | params\.(?P<param>[\w.]+)[ \t]*=(?!=)
      | (?P<section>input|output|script|shell|exec|when|stub)[ \t]*:(?!:)
      | (?P<directive>container|conda|label)[ \t]+(?P<value>"""
    + _SQ
    + "|"
    + SKIPPED[3]
    + r""")
        [ \t]*(?=\n)
      | (?P<keyword>process|workflow|container|conda|label|if|else)\b
    )"""
)
# Read right after a brace, where a statement may start on the same line.
WORD = re.compile(WORD_PATTERN, re.VERBOSE | re.DOTALL)
# The main scan stops only at strings and comments (skipped whole), braces, and statements that
# start a line with a keyword — read in the same match (the named groups are ``WORD``'s).
# Every alternative begins with a literal character, so the regex engine skips from one
# candidate character to the next without Python in between.
TOKEN = re.compile(
    _skipped_by_first(lone=False) + r"|\{|\}|;|\n(?x:" + WORD_PATTERN + ")", re.DOTALL
)
# Inside a workflow body only strings, comments and braces matter (the code between them names
# the processes it calls).
BRACES = re.compile(_skipped_by_first(lone=False) + r"|\{|\}", re.DOTALL)
# Inside a process past its directives, or a function, only braces matter: one match runs over
# everything else — strings and comments whole — up to the next brace.
UP_TO_BRACE = re.compile(r"""(?:[^{}"'/$(,=~]+|""" + _skipped_by_first(lone=True) + ")*", re.DOTALL)
SKIPPED_FIRST = frozenset("/\"'$(,=~")
PROCESS_HEAD = re.compile(r"\s+([A-Za-z_]\w*)\s*\{")
WORKFLOW_HEAD = re.compile(r"\s*([A-Za-z_]\w*)?\s*\{")
_STATEMENT = re.compile(
    "(?P<skip>" + "|".join(SKIPPED[:6]) + r")|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<end>[\n;])",
    re.DOTALL,
)
# Groovy continues a statement over a line break where its grammar allows a newline: after a
# binary operator, ``?``, ``:``, ``=``, ``,``, ``.`` or an open bracket at the end of a line,
# and before ``.``/``?.``/``*.``, ``?``/``?:``, ``:``, a comparison, a logical or bitwise operator
# and ``*``, ``/``, ``%`` at the start of the next. Never before ``+``, ``-``, ``**``, ``(`` or
# ``[``: ``a`` ⏎ ``+ b`` is two statements (unary plus), as in Groovy and Nextflow's grammar.
_CONTINUES_AFTER = (
    *("?", ":", "&&", "||", "+", "-", "*", "/", "%", ",", ".", "=", "(", "[", "!", "<", ">"),
    *("|", "&", "^", "~", " in", " as", " instanceof"),
)
CONTINUES_BEFORE = re.compile(
    r"\s*(?:\?|:(?!:)|\.(?!\.)|\*\.|&&|\|\||==|!=|<|>|=~|[|&^%]|\*(?!\*)|/(?![/*])"
    r"|(?:!?in|as|instanceof)\b)"
)
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_ENTRY_SEPARATORS = re.compile(r"[;\n]")
_INCLUDE_ENTRY = re.compile(r"([A-Za-z_]\w*)(?:\s+as\s+([A-Za-z_]\w*))?")
ELSE_IF = re.compile(r"\s*if(?=\s*\()")
PLAIN_STRING = re.compile(r"""\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\$]|\\.)*)")\s*""")


def statement_end(text: str, pos: int) -> int:
    """Where the Groovy statement starting at ``pos`` ends: just after its last code or string.

    A statement ends at ``;``, at a newline outside brackets unless the line ends with (or the
    next begins with) an operator that continues it, or at a ``}`` closing an enclosing block.
    A comment after the statement is not part of it.
    """
    depth = 0
    end = pos  # just after the last code or string seen
    tail = ""  # that code or string
    while True:
        match = _STATEMENT.search(text, pos)
        if match is None:
            return end if tail else len(text)
        gap = text[pos : match.start()].rstrip()
        if gap.strip():
            end, tail = pos + len(gap), gap
        kind = match.lastgroup
        if kind == "skip":
            if not match.group().startswith("/"):
                end, tail = match.end(), match.group()
        elif kind == "open":
            depth += 1
            end, tail = match.end(), match.group()
        elif kind == "close":
            if depth == 0:
                return end
            depth -= 1
            end, tail = match.end(), match.group()
        elif depth == 0:  # end of a line, or ';'
            if match.group() == ";":
                return end
            if (
                tail
                and not tail.endswith(_CONTINUES_AFTER)
                and not CONTINUES_BEFORE.match(text, match.end())
            ):
                return end
        pos = match.end()


def balanced_parens_end(text: str, pos: int) -> int | None:
    """The offset after the ``)`` that closes the first ``(`` at or after ``pos``."""
    opening = text.find("(", pos)
    if opening < 0 or text[pos:opening].strip():
        return None
    depth = 0
    scan = opening
    while True:
        match = _STATEMENT.search(text, scan)
        if match is None:
            return None
        if match.lastgroup == "open":
            depth += 1
        elif match.lastgroup == "close":
            depth -= 1
            if depth == 0:
                return match.end()
        scan = match.end()


def include_entries(names: str) -> tuple[tuple[str, str], ...]:
    """The (declared name, alias) pairs between an include's braces; comments are ignored."""
    cleaned = _COMMENTS.sub(" ", names) if "/" in names else names
    entries: list[tuple[str, str]] = []
    for part in _ENTRY_SEPARATORS.split(cleaned):
        found = _INCLUDE_ENTRY.fullmatch(part.strip())
        if found:
            entries.append((found.group(1), found.group(2) or found.group(1)))
    return tuple(entries)
