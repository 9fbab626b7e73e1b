"""What a workflow body invokes, and under which ``if``/``else`` conditions.

Only an invocation reaches a process or workflow: ``NAME(…)`` or a pipe ``ch | NAME`` /
``ch | (A & B)``. A name that is merely read — ``report.json`` after ``report = other(x)``,
``ALIGN.out`` — invokes nothing. An invocation inside ``if (C) { … } else if (D) { … } else
{ … }`` carries the guard of its arm (``C``; ``!(C)`` and ``D``; ``!(C)``, ``!(D)``), so a caller
that can decide the conditions from the params knows which arm runs.

The body arrives as the scanner collected it: comments blanked, braces kept, and each string
replaced by a placeholder ``\\x01N\\x01`` (so names inside strings are never calls) whose text is
restored inside conditions.
"""

from __future__ import annotations

import re

from preflight.nextflow.script.model import Guard

# The body is searched for the characters that can matter — ``(`` (a call when a bare name
# precedes it, found by reading the reversed text), ``|``/``&`` (a pipe or parallel operator,
# not ``||``/``&&``, when a name follows), braces — so the regex engine skips the rest.
_CANDIDATE = re.compile(r"[(|&{}]")
_NAME_BEFORE = re.compile(r"\s*([\w.$\x01]+)")  # on the reversed text
_NAME = re.compile(r"[A-Za-z_]\w*")
_PIPED = re.compile(r"\s*(?:\(\s*)*([A-Za-z_]\w*)(?![\w.$])")
_PARENS = re.compile(r"[()]")
_ELSE_IF = re.compile(r"\s*else\s+if\s*\(")
_ELSE = re.compile(r"\s*else\s*\{")
_OPEN = re.compile(r"\s*\{")
_PLACEHOLDER = re.compile("\x01(\\d+)\x01")
_KEYWORDS = frozenset({"if", "for", "while", "switch", "catch", "return", "else"})


def invoked(code: str) -> list[str]:
    """The names ``code`` invokes, in order (duplicates kept)."""
    reader = _BodyReader(code, [])
    reader.block(0, ())
    return [name for name, _guard in reader.found]


def workflow_calls(
    code: str, strings: list[str]
) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[Guard, ...]], ...]]:
    """``(names invoked, guards)`` of a workflow body, as :class:`WorkflowDef` records them."""
    reader = _BodyReader(code, strings)
    reader.block(0, ())
    names = tuple(dict.fromkeys(name for name, _guard in reader.found))
    unconditional = {name for name, guard in reader.found if not guard}
    guards: dict[str, list[Guard]] = {}
    for name, guard in reader.found:
        if name not in unconditional and guard not in guards.setdefault(name, []):
            guards[name].append(guard)
    return names, tuple((name, tuple(found)) for name, found in guards.items())


class _BodyReader:
    """A recursive reading of the body: blocks, ``if`` chains and the invocations in each."""

    def __init__(self, code: str, strings: list[str]) -> None:
        self.code = code
        self.reversed = code[::-1]
        self.strings = strings
        self.found: list[tuple[str, Guard]] = []

    def condition(self, pos: int) -> tuple[str, int] | None:
        """The text of ``( … )`` whose ``(`` is just before ``pos``, and the offset after it."""
        depth = 1
        for match in _PARENS.finditer(self.code, pos):
            depth += 1 if match.group() == "(" else -1
            if depth == 0:
                inner = self.code[pos : match.start()]
                if "\x01" in inner:
                    inner = _PLACEHOLDER.sub(lambda m: self.strings[int(m.group(1))], inner)
                return " ".join(inner.split()), match.end()
        return None

    def block(self, pos: int, guard: Guard) -> int:
        """Read until the ``}`` closing this block (or the end); return the offset after it."""
        code, found, search = self.code, self.found, _CANDIDATE.search
        while True:
            match = search(code, pos)
            if match is None:
                return len(code)
            at = match.start()
            pos = at + 1
            char = code[at]
            if char == "(":
                before = _NAME_BEFORE.match(self.reversed, len(code) - at)
                if before is None:
                    continue
                name = before.group(1)[::-1]
                if not _NAME.fullmatch(name):
                    continue  # a property ``x.name(``, a number, an interpolation
                if name == "if":
                    pos = self.chain(pos, guard)
                elif name not in _KEYWORDS:
                    found.append((name, guard))
            elif char == "{":
                pos = self.block(pos, guard)  # a closure or plain block: same guard
            elif char == "}":
                return pos
            elif code[at - 1 : at] != char and code[pos : pos + 1] != char:  # not || or &&
                piped = _PIPED.match(code, pos)
                if piped is not None and piped.group(1) not in _KEYWORDS:
                    found.append((piped.group(1), guard))

    def chain(self, pos: int, guard: Guard) -> int:
        """An ``if (C) { … }`` and its ``else if``/``else`` arms; ``pos`` is after ``if (``."""
        earlier: list[str] = []
        while True:
            read = self.condition(pos)
            if read is None:
                return len(self.code)
            condition, pos = read
            opened = _OPEN.match(self.code, pos)
            if opened is None:  # ``if (C) stmt``: the statement runs unguarded here (counts)
                return pos
            arm = guard + tuple(f"!({c})" for c in earlier) + (condition,)
            pos = self.block(opened.end(), arm)
            earlier.append(condition)
            chained = _ELSE_IF.match(self.code, pos)
            if chained is not None:
                pos = chained.end()
                continue
            final = _ELSE.match(self.code, pos)
            if final is not None:
                arm = guard + tuple(f"!({c})" for c in earlier)
                return self.block(final.end(), arm)
            return pos
