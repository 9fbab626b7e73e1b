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
    reader.read()
    return [name for name, _guard in reader.found]


def workflow_calls(
    code: str, strings: list[str]
) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[Guard, ...]], ...]]:
    """``(names invoked, guards)`` of a workflow body, as :class:`WorkflowDef` records them."""
    reader = _BodyReader(code, strings)
    reader.read()
    names = tuple(dict.fromkeys(name for name, _guard in reader.found))
    unconditional = {name for name, guard in reader.found if not guard}
    guards: dict[str, list[Guard]] = {}
    for name, guard in reader.found:
        if name not in unconditional and guard not in guards.setdefault(name, []):
            guards[name].append(guard)
    return names, tuple((name, tuple(found)) for name, found in guards.items())


class _BodyReader:
    """One reading of the body: blocks, ``if`` chains and the invocations in each."""

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

    def read(self) -> None:
        """Read the body once, front to back, with an explicit stack of open blocks (bodies
        nested thousands deep must not meet the interpreter's recursion limit).

        Each open block keeps the guard outside it and, for an arm of an ``if`` chain, the
        conditions of the chain so far: when the arm closes, an ``else if``/``else`` opens the
        next arm under the negations of those before it.
        """
        code, found, search = self.code, self.found, _CANDIDATE.search
        stack: list[tuple[Guard, list[str] | None]] = []
        guard: Guard = ()
        pos = 0
        while True:
            match = search(code, pos)
            if match is None:
                return
            at = match.start()
            pos = at + 1
            char = code[at]
            if char == "(":
                before = _NAME_BEFORE.match(self.reversed, len(code) - at)
                name = before.group(1)[::-1] if before is not None else ""
                if not _NAME.fullmatch(name):
                    continue  # a property ``x.name(``, a number, an interpolation
                if name != "if":
                    if name not in _KEYWORDS:
                        found.append((name, guard))
                    continue
                arm = self.arm(pos)
                if arm is None:
                    continue  # ``if (C) stmt``: the statement runs unguarded here (counts)
                condition, pos = arm
                stack.append((guard, [condition]))
                guard = (*guard, condition)
            elif char == "{":
                stack.append((guard, None))  # a closure or plain block: same guard
            elif char == "}":
                if not stack:
                    return  # the end of the body
                outer, chain = stack.pop()
                guard = outer
                if chain is None:
                    continue
                earlier = tuple(f"!({c})" for c in chain)
                chained = _ELSE_IF.match(code, pos)
                if chained is not None:
                    arm = self.arm(chained.end())
                    if arm is not None:
                        condition, pos = arm
                        stack.append((outer, [*chain, condition]))
                        guard = (*outer, *earlier, condition)
                    continue
                final = _ELSE.match(code, pos)
                if final is not None:
                    stack.append((outer, None))
                    guard = (*outer, *earlier)
                    pos = final.end()
            elif code[at - 1 : at] != char and code[pos : pos + 1] != char:  # not || or &&
                piped = _PIPED.match(code, pos)
                if piped is not None and piped.group(1) not in _KEYWORDS:
                    found.append((piped.group(1), guard))

    def arm(self, pos: int) -> tuple[str, int] | None:
        """``(condition, offset inside the arm)`` for ``(C) {`` read from just after ``(``."""
        read = self.condition(pos)
        if read is None:
            return None
        condition, after = read
        opened = _OPEN.match(self.code, after)
        return (condition, opened.end()) if opened is not None else None
