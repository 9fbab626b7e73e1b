"""Nextflow's selector rules for a process's settings: which value of a key a process gets.

Pure functions over the merged configuration (any nested ``Mapping``; in practice a
``ConfigScope`` whose ``process`` scope keeps ``withName:PATTERN`` / ``withLabel:PATTERN`` keys in
the order the files applied them). Keys are read with plain mapping access, never the scope's
dotted paths, because selector patterns contain dots (``'.*:ALIGN'``).

The engine, registry and Wave strategy rules are :mod:`preflight.images.engine`'s.

Selector priority, lowest to highest (Nextflow's ``ProcessConfigBuilder``):
``process.<key>`` (only when the script did not set the directive) < the directive <
``withLabel`` (any label matches; a negated pattern applies when *no* label matches; a process
without labels is matched as ``''``) < ``withName`` on the declared name < on the include alias
< on the fully qualified name. Within one rank the last matching selector wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from preflight.model import Location

Origin = Callable[[str], "Location | None"]


@dataclass(frozen=True)
class Setting:
    """A value one process gets for a key, which rule set it (``origin``) and where."""

    value: Any
    origin: str
    location: Location | None = None


def child(mapping: Any, key: str) -> Any:
    """``mapping[key]`` without the scope's dotted-path navigation; ``None`` when absent."""
    if isinstance(mapping, dict):
        return dict.get(mapping, key)
    if isinstance(mapping, Mapping):
        return mapping.get(key)
    return None


def has(mapping: Any, key: str) -> bool:
    """Whether ``key`` is set in ``mapping`` (even to null), read as :func:`child` reads."""
    if isinstance(mapping, dict):
        return dict.__contains__(mapping, key)
    return isinstance(mapping, Mapping) and key in mapping


def entries(mapping: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    """The keys and values of ``mapping`` in order, read as stored."""
    if isinstance(mapping, dict):
        for key in mapping:
            yield str(key), dict.__getitem__(mapping, key)
    else:
        for key, value in mapping.items():
            yield str(key), value


def selectors(process_scope: Mapping[str, Any], kind: str) -> Iterable[tuple[str, str, Any]]:
    """``(key, pattern, block)`` for each ``withName``/``withLabel`` block, in applied order."""
    prefix = f"{kind}:"
    for raw_key, block in entries(process_scope):
        key = raw_key.strip("'\"")
        if key.startswith(prefix) and isinstance(block, Mapping):
            yield key, key[len(prefix) :].strip().strip("'\""), block


def _matcher() -> Callable[[str, str], bool]:
    from preflight.nextflow.config.selectors import selector_matches

    matcher: Callable[[str, str], bool] = selector_matches
    return matcher


def labels_match(
    pattern: str, labels: tuple[str, ...], matches: Callable[[str, str], bool]
) -> bool:
    """Nextflow's label test: any label matches; ``!P`` applies when no label matches ``P``."""
    candidates = labels or ("",)
    if pattern.startswith("!"):
        return not any(matches(pattern[1:], label) for label in candidates)
    return any(matches(pattern, label) for label in candidates)


# A pattern made only of name characters and ``.``, ``.*``, ``.+`` must contain each literal run
# between them; testing those runs as substrings first spares most regex calls on big pipelines.
_SIMPLE_PATTERN = re.compile(r"(?:\.\*|\.\+|\.|[A-Za-z0-9_:-])+")
_WILDCARDS = re.compile(r"\.\*|\.\+|\.")
_LITERAL = re.compile(r"[A-Za-z0-9_:-]*")


@dataclass(frozen=True)
class _Selector:
    key: str
    pattern: str
    block: Mapping[str, Any]
    required: tuple[str, ...] | None  # literal runs every match contains; None: unknown
    # The most common shapes, ``NAME``, ``.*:NAME`` and ``PREFIX:.*``, as a plain string test:
    # ("exact" | "suffix" | "prefix", the literal). Exact for names without a line break.
    literal: tuple[str, str] | None = None


def _selector(key: str, pattern: str, block: Mapping[str, Any]) -> _Selector:
    required = None
    literal = None
    if _SIMPLE_PATTERN.fullmatch(pattern):
        required = tuple(run for run in _WILDCARDS.split(pattern) if run)
        if _LITERAL.fullmatch(pattern):
            literal = ("exact", pattern)
        elif pattern.startswith(".*") and _LITERAL.fullmatch(pattern, 2):
            literal = ("suffix", pattern[2:])
        elif pattern.endswith(".*") and _LITERAL.fullmatch(pattern, 0, len(pattern) - 2):
            literal = ("prefix", pattern[:-2])
    return _Selector(key, pattern, block, required, literal)


def _literal_test(literal: tuple[str, str], name: str) -> bool:
    kind, text = literal
    if kind == "exact":
        return name == text
    return name.endswith(text) if kind == "suffix" else name.startswith(text)


def _any_of(patterns: list[str]) -> re.Pattern[str] | None:
    """One regex matching a name iff some pattern fully matches it: a quick "none apply" test.

    ``None`` (no shortcut) when a pattern uses Java-only spellings or does not compile here;
    the per-pattern test with Nextflow's matcher stays the authority either way.
    """
    if not patterns or any("\\Q" in p or "\\E" in p for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns))
    except re.error:
        return None


class SelectorTable:
    """A process scope's selectors, read once, answering "which blocks apply to this process?".

    Blocks come back lowest priority first: label selectors, then name selectors for the
    declared name, the alias and the fully qualified name (each distinct name once, as Nextflow
    applies them), each rank in the order the configuration applied them.
    """

    def __init__(
        self, process_scope: Mapping[str, Any], matches: Callable[[str, str], bool] | None = None
    ) -> None:
        self.scope = process_scope
        self.match = matches or _matcher()
        # Plain string tests stand in for the regex only when it is Nextflow's own matcher.
        self.literals = matches is None
        self.labels = [_selector(*s) for s in selectors(process_scope, "withLabel")]
        self.names = [_selector(*s) for s in selectors(process_scope, "withName")]
        self.negated = [s for s in self.names if s.pattern.startswith("!")]
        positive = [s for s in self.names if not s.pattern.startswith("!")]
        literal = [s.literal for s in positive if s.literal is not None and self.literals]
        self.exact = frozenset(text for kind, text in literal if kind == "exact")
        self.suffixes = tuple(text for kind, text in literal if kind == "suffix")
        self.prefixes = tuple(text for kind, text in literal if kind == "prefix")
        others = [s.pattern for s in positive if s.literal is None or not self.literals]
        self.has_others = bool(others)
        self.any_positive = _any_of(others)
        # Where each selector sits in the applied order, by how it is tested.
        self._exact_at: dict[str, list[int]] = {}
        self._suffix_at: list[tuple[str, int]] = []
        self._prefix_at: list[tuple[str, int]] = []
        self._other_at: list[int] = []
        for index, selector in enumerate(self.names):
            if selector.literal is None or not self.literals:
                self._other_at.append(index)
            elif selector.literal[0] == "exact":
                self._exact_at.setdefault(selector.literal[1], []).append(index)
            else:
                kind, text = selector.literal
                (self._suffix_at if kind == "suffix" else self._prefix_at).append((text, index))
        # Processes share a handful of label sets: each set is matched once.
        self._label_blocks: dict[tuple[str, ...], list[tuple[str, Mapping[str, Any]]]] = {}

    def labels_set(self, key: str) -> bool:
        """Whether any ``withLabel`` selector sets ``key``."""
        return any(has(s.block, key) for s in self.labels)

    def label_blocks(self, labels: tuple[str, ...]) -> list[tuple[str, Mapping[str, Any]]]:
        """``(selector key, block)`` of the ``withLabel`` selectors that apply to ``labels``."""
        found = self._label_blocks.get(labels)
        if found is None:
            found = self._label_blocks[labels] = [
                (s.key, s.block) for s in self.labels if labels_match(s.pattern, labels, self.match)
            ]
        return found

    def _name_matches(self, selector: _Selector, name: str) -> bool:
        if selector.literal is not None and self.literals and "\n" not in name:
            return _literal_test(selector.literal, name)
        if selector.required is not None and not all(r in name for r in selector.required):
            return False
        return self.match(selector.pattern, name)

    def _may_match(self, name: str) -> bool:
        """False only when no positive ``withName`` pattern can match ``name``."""
        if "\n" in name:
            return True
        if name in self.exact or name.endswith(self.suffixes) or name.startswith(self.prefixes):
            return True
        if not self.has_others:
            return False
        return self.any_positive is None or self.any_positive.fullmatch(name) is not None

    def _names_matching(self, name: str) -> list[_Selector]:
        if not self._may_match(name):
            # No positive pattern can match: only the negated ones are left to test.
            return [s for s in self.negated if self.match(s.pattern, name)]
        if not self.literals or "\n" in name:
            return [s for s in self.names if self._name_matches(s, name)]
        # String tests without a call per selector; then back into the applied order.
        hits = list(self._exact_at.get(name, ()))
        hits.extend(i for text, i in self._suffix_at if name.endswith(text))
        hits.extend(i for text, i in self._prefix_at if name.startswith(text))
        hits.extend(i for i in self._other_at if self._name_matches(self.names[i], name))
        return [self.names[i] for i in sorted(hits)]

    def blocks(
        self, names: tuple[str, ...], labels: tuple[str, ...]
    ) -> list[tuple[str, Mapping[str, Any]]]:
        """``(selector key, block)`` of every selector that applies, lowest priority first."""
        found = list(self.label_blocks(labels))
        for name in dict.fromkeys(names):
            found.extend((s.key, s.block) for s in self._names_matching(name))
        return found

    def declared_only(
        self, names: tuple[str, ...], labels: tuple[str, ...]
    ) -> tuple[list[tuple[str, Mapping[str, Any]]], list[tuple[str, Mapping[str, Any]]]]:
        """``(blocks for every name, blocks for the declared name only)`` in one pass.

        The second list is what ``nextflow inspect`` applies: it ignores aliases and fully
        qualified names.
        """
        declared = self.blocks(names[:1], labels)
        rest = [
            (s.key, s.block)
            for name in dict.fromkeys(names)
            if name != names[0]
            for s in self._names_matching(name)
        ]
        return declared + rest, declared


def select_setting(
    process_scope: Mapping[str, Any] | SelectorTable,
    key: str,
    *,
    names: tuple[str, ...],
    labels: tuple[str, ...],
    directive: Setting | None,
    origin: Origin = lambda _key: None,
    matches: Callable[[str, str], bool] | None = None,
    blocks: list[tuple[str, Mapping[str, Any]]] | None = None,
) -> Setting | None:
    """The setting of ``key`` for a process, by Nextflow's priority (see the module docstring).

    ``names`` is (declared, alias, fully qualified) — pass only the declared name to get what
    ``nextflow inspect`` would use. ``directive`` is the script's own setting, if any.
    ``blocks`` may pass :meth:`SelectorTable.blocks` already computed for these names.
    """
    table = (
        process_scope
        if isinstance(process_scope, SelectorTable)
        else SelectorTable(process_scope, matches)
    )
    chosen = directive
    if chosen is None and has(table.scope, key):
        chosen = Setting(child(table.scope, key), f"process.{key}", origin(f"process.{key}"))
    for selector, block in blocks if blocks is not None else table.blocks(names, labels):
        if has(block, key):
            chosen = Setting(child(block, key), selector, origin(f"process.'{selector}'.{key}"))
    return chosen


def merged_ext(
    process_scope: Mapping[str, Any] | SelectorTable,
    *,
    names: tuple[str, ...],
    labels: tuple[str, ...],
    matches: Callable[[str, str], bool] | None = None,
    blocks: list[tuple[str, Mapping[str, Any]]] | None = None,
) -> dict[str, Any]:
    """``task.ext`` for a process: every applicable ``ext`` map merged, by selector priority."""
    table = (
        process_scope
        if isinstance(process_scope, SelectorTable)
        else SelectorTable(process_scope, matches)
    )
    ext: dict[str, Any] = {}
    applying = blocks if blocks is not None else table.blocks(names, labels)
    for block in (table.scope, *(b for _key, b in applying)):
        value = child(block, "ext")
        if isinstance(value, Mapping):
            ext.update(dict(entries(value)))
    return ext
