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

# A bare name (not a property ``x.name``) followed by ``(``; or right after a pipe ``|`` or
# parallel ``&`` operator (not ``||``/``&&``), possibly inside ``(``.
_INVOKED = re.compile(
    r"(?<![\w.$\x01])([A-Za-z_]\w*)\s*\("
    r"|(?<![|&])[|&](?![|&])\s*(?:\(\s*)*([A-Za-z_]\w*)(?![\w.$])"
)
_STRUCTURE = re.compile(r"(?<![\w.$])(?P<if>if)\s*\(|(?<![\w.$])(?P<else>else)\b|(?P<open>\{)|\}")
_ELSE_IF = re.compile(r"\s*else\s+if\s*\(")
_ELSE = re.compile(r"\s*else\s*\{")
_OPEN = re.compile(r"\s*\{")
_PLACEHOLDER = re.compile("\x01(\\d+)\x01")
_KEYWORDS = frozenset({"if", "for", "while", "switch", "catch", "return", "else"})


def invoked(code: str) -> list[str]:
    """The names ``code`` invokes, in order (duplicates kept)."""
    return [
        name
        for match in _INVOKED.finditer(code)
        if (name := match.group(1) or match.group(2)) not in _KEYWORDS
    ]


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
        self.strings = strings
        self.found: list[tuple[str, Guard]] = []

    def condition(self, pos: int) -> tuple[str, int] | None:
        """The text of ``( … )`` whose ``(`` is just before ``pos``, and the offset after it."""
        depth = 1
        code = self.code
        index = pos
        while index < len(code):
            char = code[index]
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    inner = code[pos:index]
                    text = _PLACEHOLDER.sub(lambda m: self.strings[int(m.group(1))], inner)
                    return " ".join(text.split()), index + 1
            index += 1
        return None

    def note(self, text: str, guard: Guard) -> None:
        self.found.extend((name, guard) for name in invoked(text))

    def block(self, pos: int, guard: Guard) -> int:
        """Read until the ``}`` closing this block (or the end); return the offset after it."""
        code = self.code
        while True:
            match = _STRUCTURE.search(code, pos)
            if match is None:
                self.note(code[pos:], guard)
                return len(code)
            self.note(code[pos : match.start()], guard)
            pos = match.end()
            if match.group("if") is not None:
                pos = self.chain(pos, guard)
            elif match.group("open") is not None:
                pos = self.block(pos, guard)  # a closure or plain block: same guard
            elif match.group("else") is None:  # "}"
                return pos

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
