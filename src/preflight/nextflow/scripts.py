"""The ``.nf`` scanner: every process a pipeline loads, how it is reached, and its directives.

Nextflow loads ``main.nf`` and, through DSL2 ``include { X as Y } from './path'``, every module
and subworkflow it names. For each loaded process this scanner records its declared name, its
labels and the *source text* of its ``container`` and ``conda`` directives with ``file:line:col``
(evaluation is the caller's job: it needs the configuration, the engine and the params). It also
walks the workflows from the entry workflow down, so each process comes with the include alias
and the fully qualified name (``WORKFLOW:SUB:PROC``) that config selectors may target.

Speed matters (pipelines with hundreds of modules), so each file is read once and scanned by one
compiled regular expression that jumps from one *interesting* token to the next — comments,
strings, braces, a handful of keywords — leaving everything else to the regex engine. Strings and
comments are consumed whole, so braces and keywords inside a shell script never confuse it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from preflight.model import Location
from preflight.nextflow.collector import collector_paused

# Strings and comments as "unrolled loops" (a run of ordinary characters, then one escape or
# lone quote, repeated): matching is linear and never backtracks badly on unclosed text.
_SQ = r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'"
_DQ_PLAIN = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
_INTERPOLATION = r"\$\{[^{}'\"]*(?:(?:" + _SQ + "|" + _DQ_PLAIN + r"|\{[^{}]*\})[^{}'\"]*)*\}"
_SKIPPED = (
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
    ('"', r'""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
          r'|[^"\\\n$]*(?:(?:\\.|' + _INTERPOLATION + r'|\$)[^"\\\n$]*)*"'),
    ("'", "''" + r"[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*" + "'''"
          + r"|[^'\\\n]*(?:\\.[^'\\\n]*)*'"),
    (r"\$", r"/.*?/\$"),
    ("[(,=~]", r"[ \t]*/(?![/*\s])[^/\\\n]*(?:\\.[^/\\\n]*)*/"),
)


def _skipped_by_first(*, lone: bool) -> str:
    optional = "?" if lone else ""
    return "|".join(f"{first}(?:{rest}){optional}" for first, rest in _BY_FIRST)


# What may follow the start of a statement (verbose syntax).
_WORD_PATTERN = r"""[ \t]*(?:
        include\s*\{(?P<names>[^{}]*)\}\s*from\s*(?P<q>['"])(?P<path>[^'"\n]*)(?P=q)
      | params\.(?P<param>[\w.]+)[ \t]*=(?!=)
      | (?P<section>input|output|script|shell|exec|when|stub)[ \t]*:(?!:)
      | (?P<directive>container|conda|label)[ \t]+(?P<value>""" + _SQ + "|" + _SKIPPED[3] + r""")
        [ \t]*(?=\n)
      | (?P<keyword>process|workflow|container|conda|label|if|else)\b
    )"""
# Read right after a brace, where a statement may start on the same line.
_WORD = re.compile(_WORD_PATTERN, re.VERBOSE | re.DOTALL)
# The main scan stops only at strings and comments (skipped whole), braces, and statements that
# start a line with a keyword — read in the same match (the named groups are ``_WORD``'s).
# Every alternative begins with a literal character, so the regex engine skips from one
# candidate character to the next without Python in between.
_TOKEN = re.compile(
    _skipped_by_first(lone=False) + r"|\{|\}|;|\n(?x:" + _WORD_PATTERN + ")", re.DOTALL
)
# Inside a workflow body only strings, comments and braces matter (the code between them names
# the processes it calls).
_BRACES = re.compile(_skipped_by_first(lone=False) + r"|\{|\}", re.DOTALL)
# Inside a process past its directives, or a function, only braces matter: one match runs over
# everything else — strings and comments whole — up to the next brace.
_UP_TO_BRACE = re.compile(
    r"""(?:[^{}"'/$(,=~]+|""" + _skipped_by_first(lone=True) + ")*", re.DOTALL
)
_SKIPPED_FIRST = frozenset("/\"'$(,=~")
_PROCESS_HEAD = re.compile(r"\s+([A-Za-z_]\w*)\s*\{")
_WORKFLOW_HEAD = re.compile(r"\s*([A-Za-z_]\w*)?\s*\{")
_STATEMENT = re.compile(
    "(?P<skip>" + "|".join(_SKIPPED[:6]) + r")|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<end>[\n;])",
    re.DOTALL,
)
_CONTINUES_AFTER = ("?", ":", "&&", "||", "+", "-", "*", ",", ".", "=", "(", "[", "!", "<", ">")
_CONTINUES_BEFORE = re.compile(r"\s*(?:\?|:(?!:)|\.(?!\.)|&&|\|\||\+)")
# Each run of name characters, ``.`` and ``$`` in turn; its head is captured when it is an
# identifier (a property ``x.y`` or an interpolation ``$y`` is not). Faster than a lookbehind.
_IDENTIFIER = re.compile(r"(?:([A-Za-z_]\w*)|[\w.$])[\w.$]*")
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_ENTRY_SEPARATORS = re.compile(r"[;\n]")
_INCLUDE_ENTRY = re.compile(r"([A-Za-z_]\w*)(?:\s+as\s+([A-Za-z_]\w*))?")
_ELSE_IF = re.compile(r"\s*if(?=\s*\()")
_PLAIN_STRING = re.compile(r"""\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\$]|\\.)*)")\s*""")


@dataclass(frozen=True)
class Directive:
    """A directive's expression as written (``source``) and where it starts.

    A legacy ``if (C) { container A } else if (D) { container B } else { container E }`` chain
    is folded into one source, ``((C) ? (A) : (((D) ? (B) : (E)))``, so callers always evaluate
    a single expression.
    """

    source: str
    location: Location


@dataclass(frozen=True)
class ProcessDef:
    """One ``process`` definition: declared name, labels, container and conda directives."""

    name: str
    location: Location
    labels: tuple[str, ...] = ()
    container: Directive | None = None
    conda: Directive | None = None
    dynamic_labels: tuple[Directive, ...] = ()


@dataclass(frozen=True)
class WorkflowDef:
    """A workflow block (``name`` ``None`` for the entry workflow) and the names its body uses."""

    name: str | None
    location: Location
    calls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Include:
    """``include { NAME as ALIAS; … } from 'path'``; ``entries`` pairs (declared name, alias)."""

    entries: tuple[tuple[str, str], ...]
    path: str
    location: Location


@dataclass(frozen=True)
class ScriptFile:
    """What one ``.nf`` file defines and includes, and the ``params.x = …`` lines it holds.

    ``path`` is the file's absolute path; ``display`` is how locations name it.
    """

    path: str
    display: str
    processes: tuple[ProcessDef, ...] = ()
    workflows: tuple[WorkflowDef, ...] = ()
    includes: tuple[Include, ...] = ()
    params: tuple[tuple[str, Directive], ...] = ()


@dataclass(frozen=True)
class ProcessInstance:
    """A process as the run reaches it: declared name, include alias, fully qualified name.

    ``reached`` is False for a process that is loaded but never invoked from the entry workflow;
    Nextflow's ``inspect`` still lists those, under their declared name. Where the scanner cannot
    tell what runs (no main script, or a main script without any workflow) nothing is ruled out
    and every process counts as reached.
    """

    definition: ProcessDef
    alias: str
    fqn: str
    reached: bool = True

    @property
    def name(self) -> str:
        return self.definition.name


@dataclass(frozen=True)
class ScanIssue:
    """Something the scanner could not follow (a missing include target, an unknown name)."""

    message: str
    location: Location


@dataclass(frozen=True)
class PipelineScripts:
    """Every loaded ``.nf`` file, every process instance, and what could not be followed.

    ``other_entries`` names the main script's named workflows that its entry workflow never
    calls: ``nextflow run -entry NAME`` would start one of those instead, and reach other
    processes. The scanner follows the entry workflow only. ``entries_followed`` names the
    workflows followed in its stead when the main script has no unnamed workflow (a run must
    then name one with ``-entry``; all are followed, so nothing the run may call is missed).
    """

    files: tuple[ScriptFile, ...]
    instances: tuple[ProcessInstance, ...]
    issues: tuple[ScanIssue, ...] = ()
    script_params: dict[str, Directive] = field(default_factory=dict)
    other_entries: tuple[str, ...] = ()
    entries_followed: tuple[str, ...] = ()

    @property
    def processes(self) -> tuple[ProcessDef, ...]:
        return tuple(p for f in self.files for p in f.processes)


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
            if tail and not tail.endswith(_CONTINUES_AFTER) and not _CONTINUES_BEFORE.match(
                text, match.end()
            ):
                return end
        pos = match.end()


@dataclass
class _Block:
    """An open brace: what it belongs to, so the matching ``}`` can close the right thing."""

    kind: str  # "process", "workflow", "branch", "other"
    name: str | None = None


# Processes are defined at the top level: their directives sit at brace depth 1, and inside a
# legacy ``if``/``else`` block at depth 2.
_BODY = 1
_BRANCH = 2


@dataclass
class _Branch:
    """One arm of a legacy ``if``/``else if``/``else`` chain: its condition (``None`` for the
    final ``else``) and the container it sets, if any."""

    condition: str | None
    container: Directive | None = None


@dataclass
class _ProcessState:
    """A process being read. Directives are calls, so the last one to run wins: a legacy
    ``if``/``else if``/``else`` chain overrides a ``container`` written before it (arms without
    one keep it) and is overridden by one written after it."""

    name: str
    location: Location
    labels: list[str] = field(default_factory=list)
    dynamic_labels: list[Directive] = field(default_factory=list)
    container: Directive | None = None
    conda: Directive | None = None
    in_directives: bool = True
    pending_if: str | None = None  # an ``if (C)`` waiting for its ``{``
    continues_chain: bool = False  # that ``if`` followed an ``else``
    else_seen: bool = False  # an ``else`` waiting for its ``{``
    chain: list[_Branch] = field(default_factory=list)
    branch: _Branch | None = None  # the arm being read

    def start_arm(self, condition: str | None) -> _Branch:
        """Open the next arm: ``else if``/``else`` extend the chain, a lone ``if`` starts one."""
        if condition is not None and not self.continues_chain:
            self.fold_chain()
        arm = _Branch(condition)
        self.chain.append(arm)
        self.branch, self.pending_if, self.continues_chain = arm, None, False
        return arm

    def set_container(self, directive: Directive) -> None:
        """A ``container`` outside any arm: it replaces whatever ran before it."""
        self.chain.clear()
        self.container = directive

    def fold_chain(self) -> None:
        """Fold the chain into one ternary over the arms, ``container`` as the fallback."""
        chain, self.chain = self.chain, []
        arms = [arm for arm in chain if arm.container is not None]
        if not arms:
            return
        fallback = self.container.source if self.container is not None else "null"
        folded = fallback
        for arm in reversed(chain):
            value = arm.container.source if arm.container is not None else fallback
            if arm.condition is None:
                folded = value
            else:
                folded = f"(({arm.condition}) ? ({value}) : ({folded}))"
        assert arms[0].container is not None
        self.container = Directive(folded, arms[0].container.location)

    def finish(self) -> ProcessDef:
        self.fold_chain()
        return ProcessDef(
            name=self.name,
            location=self.location,
            labels=tuple(self.labels),
            container=self.container,
            conda=self.conda,
            dynamic_labels=tuple(self.dynamic_labels),
        )


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
        self.proc: _ProcessState | None = None
        self.workflow_code: list[str] | None = None
        self.workflow_head: tuple[str | None, Location] | None = None

    def run(self, path: str) -> ScriptFile:
        text = self.text
        keywords, braces, up_to_brace = _TOKEN.search, _BRACES.search, _UP_TO_BRACE.match
        word_at = _WORD.match
        pos = 0
        while True:
            proc = self.proc
            if self.stack and self.workflow_code is None and (proc is None
                                                              or not proc.in_directives):
                pos = up_to_brace(text, pos).end()  # type: ignore[union-attr]
                if pos >= len(text):
                    break
                if text[pos] == "{":
                    self.open_brace()
                else:
                    self.close_brace()
                pos += 1
                continue
            wanted = not self.stack or (proc is not None and proc.in_directives)
            match = (keywords if wanted else braces)(text, pos)
            if match is None:
                break
            start = match.start()
            first = text[start]
            if self.workflow_code is not None:
                self.workflow_code.append(text[pos:start])
                self.workflow_code.append(" ")
            pos = match.end()
            if match.lastgroup is not None:  # a statement at the start of a line
                pos = self.statement(match)
                continue
            if first in _SKIPPED_FIRST:  # a comment or a string
                continue
            if first == "{":
                self.open_brace()
            elif first == "}":
                self.close_brace()
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

    def open_brace(self) -> None:
        block = _Block("other")
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
            self.workflows.append(WorkflowDef(name, location, _called_names(code)))
            self.workflow_code, self.workflow_head = None, None
        elif block.kind == "branch" and self.proc is not None:
            self.proc.branch = None
            self.proc.else_seen = False

    def statement(self, word: re.Match[str]) -> int:
        """Handle a statement that starts with a keyword; return where scanning resumes."""
        depth = len(self.stack)
        kind = word.lastgroup
        proc = self.proc
        if kind == "value" and proc is not None and proc.in_directives and depth in (
            _BODY, _BRANCH
        ) and not _CONTINUES_BEFORE.match(self.text, word.end() + 1):
            # The common ``label 'x'`` line: one string, and the next line does not continue it.
            _record(proc, word.group("directive"),
                    Directive(word.group("value"), self.at(word.start("value"))),
                    nested=depth == _BRANCH)
            return word.end("value")
        named = "keyword"
        if kind == "value":  # not a directive here, or continued: read it as a statement
            kind = named = "directive"
        if kind == "path":
            if depth == 0:
                start = word.end() - len(word.group().lstrip())
                self.includes.append(
                    Include(_include_entries(word.group("names")), word.group("path"),
                            self.at(start))
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
        if proc is None or not proc.in_directives or depth not in (_BODY, _BRANCH):
            return word.end()
        if keyword == "if" and depth == _BODY:
            return self.condition(proc, word.end(), continues=False)
        if keyword == "else":
            if depth != _BODY:
                return word.end()
            chained = _ELSE_IF.match(self.text, word.end())
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
            _record(proc, keyword, Directive(source, at), nested=depth == _BRANCH)
            return end
        return word.end()

    def condition(self, proc: _ProcessState, pos: int, *, continues: bool) -> int:
        """Read ``(C)`` after an ``if`` at ``pos``: the next ``{`` opens an arm guarded by C."""
        cond_end = _balanced_parens_end(self.text, pos)
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
        head = (_PROCESS_HEAD if keyword == "process" else _WORKFLOW_HEAD).match(self.text, pos)
        if head is None:
            return pos
        self.stack.append(_Block(keyword, head.group(1)))
        if keyword == "process":
            self.proc = _ProcessState(head.group(1), self.at(start))
        else:
            self.workflow_code = []
            self.workflow_head = (head.group(1), self.at(start))
        return head.end()


def _record(proc: _ProcessState, word: str, directive: Directive, *, nested: bool) -> None:
    if word == "label":
        plain = _PLAIN_STRING.fullmatch(directive.source)
        if plain:
            proc.labels.append(plain.group(1) if plain.group(1) is not None else plain.group(2))
        else:
            proc.dynamic_labels.append(directive)
    elif word == "conda":
        proc.conda = directive
    elif nested and proc.branch is not None:
        proc.branch.container = directive
    elif not nested:
        proc.set_container(directive)


def _balanced_parens_end(text: str, pos: int) -> int | None:
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


def _include_entries(names: str) -> tuple[tuple[str, str], ...]:
    cleaned = _COMMENTS.sub(" ", names) if "/" in names else names
    entries: list[tuple[str, str]] = []
    for part in _ENTRY_SEPARATORS.split(cleaned):
        found = _INCLUDE_ENTRY.fullmatch(part.strip())
        if found:
            entries.append((found.group(1), found.group(2) or found.group(1)))
    return tuple(entries)


def _called_names(code: str) -> tuple[str, ...]:
    """Identifiers a workflow body uses, in first-use order (filtered against scope later)."""
    names = dict.fromkeys(_IDENTIFIER.findall(code))
    names.pop("", None)  # runs that start with no identifier
    return tuple(names)


def read_script(path: Path, root: Path) -> ScriptFile:
    """Read and scan one file; ``display`` is the path relative to ``root`` when inside it."""
    return _read(os.fspath(path), os.fspath(root))


def _read(path: str, root: str) -> ScriptFile:
    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8", errors="replace")
    return scan_script(text, path, _display(path, root))


def _display(path: str, root: str) -> str:
    prefix = root.rstrip(os.sep) + os.sep
    return path[len(prefix):].replace(os.sep, "/") if path.startswith(prefix) else path


def _canonical(path: str) -> str:
    """An absolute, normalised path (``..`` folded) without the cost of resolving symlinks."""
    return os.path.normpath(os.path.abspath(path))


def resolve_include(including: Path, target: str) -> Path | None:
    """The file an include names, as Nextflow resolves it; ``None`` for plugin or missing ones.

    Relative paths start from the including file's directory; ``.nf`` is added when the name has
    no extension, and a directory stands for its ``main.nf``.
    """
    found = _resolve_include(os.path.dirname(os.fspath(including)), target)
    return Path(found) if found is not None else None


_DIR_VARIABLE = re.compile(r"^\$\{?(projectDir|baseDir|moduleDir)\}?(?=/)")


def _resolve_include(directory: str, target: str, project: str = "") -> str | None:
    variable = _DIR_VARIABLE.match(target)
    if variable is not None:  # "${projectDir}/modules/x", "$moduleDir/../y"
        base_dir = directory if variable.group(1) == "moduleDir" else project or directory
        target = base_dir + target[variable.end():]
    if not target.startswith(("./", "../", "/")):
        return None
    base = target if target.startswith("/") else os.path.join(directory, target)
    candidates = (base,) if base.endswith(".nf") else (base + ".nf", base)
    # Absolute already (the usual case): folding ``..`` is all that is left to do.
    canonical = os.path.normpath if os.path.isabs(base) else _canonical
    for candidate in candidates:
        if os.path.isfile(candidate):
            return canonical(candidate)
        main = os.path.join(candidate, "main.nf")
        if os.path.isfile(main):
            return canonical(main)
    return None


MODULE_DIRS = ("workflows", "subworkflows", "modules")


def scan_pipeline(root: Path, main_script: Path | None = None) -> PipelineScripts:
    """Scan what ``nextflow run`` would load, and reach every process from the entry workflow.

    With a main script, the files are those its includes reach (as Nextflow loads them). Without
    one, every ``.nf`` file under ``workflows/``, ``subworkflows/`` and ``modules/`` is scanned
    and each process is listed under its declared name. The cycle collector is paused meanwhile:
    what a scan allocates forms no cycles and lives until it returns.
    """
    with collector_paused():
        return _scan_pipeline(root, main_script)


def _scan_pipeline(root: Path, main_script: Path | None) -> PipelineScripts:
    top = _canonical(os.fspath(root))
    files: dict[str, ScriptFile] = {}
    issues: list[ScanIssue] = []
    targets: dict[tuple[str, str], str | None] = {}
    main = _canonical(os.fspath(main_script)) if main_script is not None else None
    if main is not None:
        resolved: dict[tuple[str, str], str | None] = {}
        queue = [main]
        while queue:
            path = queue.pop()
            if path in files:
                continue
            script = files[path] = _read(path, top)
            directory = os.path.dirname(path)
            for include in script.includes:
                key = (directory, include.path)
                if key not in resolved:
                    resolved[key] = _resolve_include(directory, include.path, top)
                target = targets[(path, include.path)] = resolved[key]
                if target is not None:
                    queue.append(target)
                elif not include.path.startswith("plugin/"):
                    issues.append(
                        ScanIssue(f"include target {include.path!r} was not found",
                                  include.location)
                    )
    else:
        for directory in MODULE_DIRS:
            for found in sorted((Path(top) / directory).rglob("*.nf")):
                path = _canonical(os.fspath(found))
                if path not in files:
                    files[path] = _read(path, top)
    instances, other_entries = _reach(files, targets, main)
    workflows = files[main].workflows if main is not None and main in files else ()
    followed = () if any(w.name is None for w in workflows) else tuple(
        w.name for w in workflows if w.name is not None
    )
    script_params = dict(files[main].params) if main is not None and main in files else {}
    ordered = tuple(sorted(files.values(), key=lambda f: f.display))
    return PipelineScripts(
        ordered, tuple(instances), tuple(issues), script_params, other_entries, followed
    )


@dataclass(frozen=True)
class _Target:
    kind: str  # "process" | "workflow"
    file: str
    name: str


def _scope(path: str, files: dict[str, ScriptFile],
           targets: dict[tuple[str, str], str | None]) -> dict[str, _Target]:
    script = files[path]
    scope: dict[str, _Target] = {}
    for include in script.includes:
        target = targets.get((path, include.path))
        if target is None:
            continue
        included = files.get(target)
        if included is None:
            continue
        processes = {p.name for p in included.processes}
        for name, alias in include.entries:
            if name in processes:
                scope[alias] = _Target("process", target, name)
            elif any(w.name == name for w in included.workflows):
                scope[alias] = _Target("workflow", target, name)
    for process in script.processes:
        scope[process.name] = _Target("process", path, process.name)
    for workflow in script.workflows:
        if workflow.name is not None:
            scope[workflow.name] = _Target("workflow", path, workflow.name)
    return scope


def _reach(
    files: dict[str, ScriptFile],
    targets: dict[tuple[str, str], str | None],
    main: str | None,
) -> tuple[list[ProcessInstance], tuple[str, ...]]:
    """Every process instance, walked from the entry workflow, then the loaded but uncalled ones.

    Returns the instances and the main script's named workflows the walk never entered.
    Without an entry workflow, every named workflow of the main script is walked.
    """
    found: dict[str, ProcessInstance] = {}
    entered: set[str] = set()
    scopes: dict[str, dict[str, _Target]] = {}

    def scope_of(path: str) -> dict[str, _Target]:
        if path not in scopes:
            scopes[path] = _scope(path, files, targets)
        return scopes[path]

    def definition(path: str, name: str) -> ProcessDef:
        return next(p for p in files[path].processes if p.name == name)

    def visit(path: str, workflow: WorkflowDef, prefix: str, active: tuple[str, ...]) -> None:
        scope = scope_of(path)
        for called in workflow.calls:
            target = scope.get(called)
            if target is None:
                continue
            if target.kind == "process":
                fqn = f"{prefix}{called}"
                found.setdefault(
                    fqn, ProcessInstance(definition(target.file, target.name), called, fqn)
                )
            else:
                key = f"{target.file}:{target.name}"
                if key in active:
                    continue
                entered.add(key)
                sub = next(w for w in files[target.file].workflows if w.name == target.name)
                visit(target.file, sub, f"{prefix}{called}:", (*active, key))

    workflows = files[main].workflows if main is not None and main in files else ()
    entry = [w for w in workflows if w.name is None]
    for workflow in entry or workflows:
        prefix = "" if workflow.name is None else f"{workflow.name}:"
        visit(main or "", workflow, prefix, ())
    others = tuple(
        w.name for w in workflows
        if w.name is not None and entry and f"{main}:{w.name}" not in entered
    )
    # Without a workflow to follow, nothing can be ruled out: every process may run.
    unknown = not workflows
    reached = {(i.definition.location, i.definition.name) for i in found.values()}
    for script in files.values():
        for process in script.processes:
            if (process.location, process.name) not in reached:
                found.setdefault(
                    process.name, ProcessInstance(process, process.name, process.name, unknown)
                )
    return list(found.values()), others

