"""One pass over one ``.nf`` file: its processes, workflows, includes and ``params.x = …`` lines.

The scan keeps a stack of open braces and the process or workflow being read. At the top level
and among a process's directives it stops at keywords that start a line; inside a workflow body
it collects the code between strings and comments (the names a workflow calls); everywhere else
only braces matter, so one regex match runs from one brace to the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from preflight.model import Location
from preflight.nextflow.script.calls import workflow_calls
from preflight.nextflow.script.model import (
    Directive,
    Guard,
    Include,
    ProcessDef,
    ScriptFile,
    WorkflowDef,
)
from preflight.nextflow.script.process import ProcessState, record_directive
from preflight.nextflow.script.tokens import (
    BRACES,
    CONTINUES_BEFORE,
    ELSE_IF,
    PROCESS_HEAD,
    SKIPPED_FIRST,
    TOKEN,
    UP_TO_BRACE,
    WORD,
    WORKFLOW_HEAD,
    balanced_parens_end,
    include_entries,
    statement_end,
)


class _Lines:
    """Line and column of increasing offsets, counting newlines only once over the file."""

    def __init__(self, text: str, display: str, first_line: int = 1) -> None:
        self._text = text
        self._display = display
        self._first = first_line
        self._pos = 0
        self._line = first_line

    def at(self, pos: int) -> Location:
        if pos < self._pos:
            self._pos, self._line = 0, self._first
        self._line += self._text.count("\n", self._pos, pos)
        self._pos = pos
        col = pos - (self._text.rfind("\n", 0, pos) + 1) + 1
        return Location(self._display, self._line, col)


@dataclass
class _Block:
    """An open brace: what it belongs to, so the matching ``}`` can close the right thing."""

    kind: str  # "process", "workflow", "branch", "guard", "other"
    name: str | None = None


_OPENS_BLOCK = re.compile(r"\s*\{")

# Processes are defined at the top level: their directives sit at brace depth 1, and inside a
# legacy ``if``/``else`` block at depth 2.
_BODY = 1
_BRANCH = 2


def scan_script(text: str, path: str, display: str) -> ScriptFile:
    """Scan one ``.nf`` file's text in a single pass; ``display`` names it in locations."""
    return _Scanner(text, display).run(path)


class _Scanner:
    """One pass over one file: a stack of open braces, the process or workflow being read.

    The text is scanned with a newline in front, so a keyword on the first line starts a
    statement like any other; :class:`_Lines` counts from line 0 to make up for it.
    """

    def __init__(self, text: str, display: str) -> None:
        self.text = "\n" + text
        self.display = display
        self.at = _Lines(self.text, display, first_line=0).at
        self.processes: list[ProcessDef] = []
        self.workflows: list[WorkflowDef] = []
        self.includes: list[Include] = []
        self.params: list[tuple[str, Directive]] = []
        self.stack: list[_Block] = []
        self.proc: ProcessState | None = None
        self.workflow_code: list[str] | None = None
        self.workflow_strings: list[str] = []
        self.workflow_head: tuple[str | None, Location] | None = None
        # Top-level ``if``/``else`` blocks (an include may stand in one): the guard of each
        # open one, the conditions of the chain at each depth, the guard of the next ``{``.
        self.guards: list[Guard] = []
        self.chains: dict[int, list[str]] = {}
        self.pending_guard: Guard | None = None

    def run(self, path: str) -> ScriptFile:
        text = self.text
        keywords, braces, up_to_brace = TOKEN.search, BRACES.search, UP_TO_BRACE.match
        word_at = WORD.match
        pos = 0
        while True:
            proc = self.proc
            top = len(self.stack) == len(self.guards)  # at the top level, or in its ``if``s
            if not top and self.workflow_code is None and (proc is None or not proc.in_directives):
                pos = up_to_brace(text, pos).end()  # type: ignore[union-attr]
                if pos >= len(text):
                    break
                if text[pos] == "{":
                    self.open_brace()
                else:
                    self.close_brace()
                pos += 1
                continue
            wanted = top or (proc is not None and proc.in_directives)
            match = (keywords if wanted else braces)(text, pos)
            if match is None:
                break
            start = match.start()
            first = text[start]
            code = self.workflow_code
            if code is not None:
                code.append(text[pos:start])
                self.workflow_token(code, match.group(), first)
            pos = match.end()
            if match.lastgroup is not None:  # a statement at the start of a line
                pos = self.statement(match)
                continue
            if first in SKIPPED_FIRST:  # a comment or a string
                continue
            if first == "{":
                self.open_brace()
            elif first == "}":
                self.close_brace()
            if self.workflow_code is not None:
                continue  # a workflow body is read whole when it closes
            word = word_at(text, pos)
            if word is not None:
                pos = self.statement(word)
        if self.proc is not None:
            self.processes.append(self.proc.finish())
        return ScriptFile(
            path=path,
            display=self.display,
            processes=tuple(self.processes),
            workflows=tuple(self.workflows),
            includes=tuple(self.includes),
            params=tuple(self.params),
        )

    def workflow_token(self, code: list[str], token: str, first: str) -> None:
        """Add a string, comment or brace to a workflow body: strings as placeholders."""
        if first in "{}":
            if len(self.stack) > 1 or first == "{":  # not the body's own closing brace
                code.append(first)
            return
        if token.startswith(("//", "/*")):
            code.append(" ")
            return
        if first in "(,=~":  # a slashy string after the character that allows one
            code.append(first)
            token = token[1:].lstrip()
        code.append(f"\x01{len(self.workflow_strings)}\x01")
        self.workflow_strings.append(token)

    def open_brace(self) -> None:
        block = _Block("other")
        if self.pending_guard is not None and len(self.stack) == len(self.guards):
            block.kind = "guard"
            self.guards.append(self.pending_guard)
            self.pending_guard = None
        proc = self.proc
        if proc is not None and len(self.stack) == _BODY:
            if proc.pending_if is not None:
                block.kind = "branch"
                proc.start_arm(proc.pending_if)
            elif proc.else_seen:
                block.kind = "branch"
                proc.start_arm(None)
        self.stack.append(block)

    def close_brace(self) -> None:
        if not self.stack:
            return
        block = self.stack.pop()
        if block.kind == "process" and self.proc is not None:
            self.processes.append(self.proc.finish())
            self.proc = None
        elif block.kind == "workflow" and self.workflow_head is not None:
            code = "".join(self.workflow_code or ())
            name, location = self.workflow_head
            calls, guards = workflow_calls(code, self.workflow_strings)
            self.workflows.append(WorkflowDef(name, location, calls, guards))
            self.workflow_code, self.workflow_head = None, None
            self.workflow_strings = []
        elif block.kind == "guard":
            self.guards.pop()
        elif block.kind == "branch" and self.proc is not None:
            self.proc.branch = None
            self.proc.else_seen = False

    def statement(self, word: re.Match[str]) -> int:
        """Handle a statement that starts with a keyword; return where scanning resumes."""
        depth = len(self.stack)
        kind = word.lastgroup
        proc = self.proc
        if (
            kind == "value"
            and proc is not None
            and proc.in_directives
            and depth in (_BODY, _BRANCH)
            and not CONTINUES_BEFORE.match(self.text, word.end() + 1)
        ):
            # The common ``label 'x'`` line: one string, and the next line does not continue it.
            record_directive(
                proc,
                word.group("directive"),
                Directive(word.group("value"), self.at(word.start("value"))),
                nested=depth == _BRANCH,
            )
            return word.end("value")
        named = "keyword"
        if kind == "value":  # not a directive here, or continued: read it as a statement
            kind = named = "directive"
        top = depth == len(self.guards)
        if kind == "path":
            if top:
                start = word.end() - len(word.group().lstrip())
                self.includes.append(
                    Include(
                        include_entries(word.group("names")),
                        word.group("path"),
                        self.at(start),
                        self.guards[-1] if self.guards else (),
                    )
                )
            return word.end()
        if kind == "param":
            if depth != 0:
                return word.end()
            end = statement_end(self.text, word.end())
            source, at = self.source(word.end(), end)
            self.params.append((word.group("param"), Directive(source, at)))
            return end
        if kind == "section":
            if proc is not None and depth == _BODY:
                proc.in_directives = False
            return word.end()
        keyword = word.group(named)
        start = word.start(named)
        if depth == 0 and keyword in ("process", "workflow"):
            return self.definition(keyword, start, word.end())
        if top and keyword in ("if", "else"):
            return self.top_level_guard(keyword, word.end(), depth)
        if proc is None or not proc.in_directives or depth not in (_BODY, _BRANCH):
            return word.end()
        if keyword == "if" and depth == _BODY:
            return self.condition(proc, word.end(), continues=False)
        if keyword == "else":
            if depth != _BODY:
                return word.end()
            chained = ELSE_IF.match(self.text, word.end())
            if chained is not None and proc.chain:
                return self.condition(proc, chained.end(), continues=True)
            proc.else_seen = True
            return word.end()
        if keyword in ("container", "conda", "label"):
            after = word.end(named)
            end = statement_end(self.text, after)
            source, at = self.source(after, end)
            if not source or source.startswith(("=", ".")):
                return after  # ``container = …``: a variable, not the directive
            record_directive(proc, keyword, Directive(source, at), nested=depth == _BRANCH)
            return end
        return word.end()

    def top_level_guard(self, keyword: str, pos: int, depth: int) -> int:
        """Read a top-level ``if (C) {``, ``else if (D) {`` or ``else {``: the guard of the block
        that follows (``else`` arms negate the conditions before them)."""
        outer = self.guards[-1] if self.guards else ()
        condition = None
        if keyword == "if" or ELSE_IF.match(self.text, pos):
            if keyword == "else":
                pos = ELSE_IF.match(self.text, pos).end()  # type: ignore[union-attr]
            else:
                self.chains[depth] = []
            end = balanced_parens_end(self.text, pos)
            if end is None:
                return pos
            opening = self.text.index("(", pos)
            condition = " ".join(self.text[opening + 1 : end - 1].split())
            pos = end
        chain = self.chains.setdefault(depth, [])
        if not _OPENS_BLOCK.match(self.text, pos):
            self.pending_guard = None  # ``if (C) stmt``: no block to guard
            return pos
        negated = tuple(f"!({c})" for c in chain)
        self.pending_guard = outer + negated + ((condition,) if condition is not None else ())
        if condition is None:
            self.chains.pop(depth, None)
        else:
            chain.append(condition)
        return pos

    def condition(self, proc: ProcessState, pos: int, *, continues: bool) -> int:
        """Read ``(C)`` after an ``if`` at ``pos``: the next ``{`` opens an arm guarded by C."""
        cond_end = balanced_parens_end(self.text, pos)
        if cond_end is None:
            return pos
        opening = self.text.index("(", pos)
        proc.pending_if = self.text[opening + 1 : cond_end - 1].strip()
        proc.continues_chain = continues
        return cond_end

    def source(self, start: int, end: int) -> tuple[str, Location]:
        """The stripped text of ``[start, end)`` and where its first character is."""
        raw = self.text[start:end]
        first = start + len(raw) - len(raw.lstrip())
        return raw.strip(), self.at(first)

    def definition(self, keyword: str, start: int, pos: int) -> int:
        """Open a top-level ``process NAME {`` or ``workflow [NAME] {`` block."""
        head = (PROCESS_HEAD if keyword == "process" else WORKFLOW_HEAD).match(self.text, pos)
        if head is None:
            return pos
        self.stack.append(_Block(keyword, head.group(1)))
        if keyword == "process":
            self.proc = ProcessState(head.group(1), self.at(start))
        else:
            self.workflow_code = []
            self.workflow_head = (head.group(1), self.at(start))
        return head.end()
