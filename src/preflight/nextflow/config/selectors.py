"""Nextflow's process selectors: ``withName:`` / ``withLabel:`` patterns and how they match.

A pattern is a Java regular expression that must match the whole name; a leading ``!`` negates
the whole pattern. Labels match when any label matches, and a process without labels is tested
as the one label ``''`` (so ``withLabel: '!big'`` applies to it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

SELECTOR_PREFIXES = ("withName:", "withLabel:")


@lru_cache(maxsize=4096)
def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(_java_to_python(pattern))
    except re.error:
        return None


def _java_to_python(pattern: str) -> str:
    """The few Java regex spellings Python writes differently (possessive quantifiers aside)."""
    return pattern.replace(r"\Q", "").replace(r"\E", "")


def selector_matches(pattern: str, name: str) -> bool:
    """Whether ``pattern`` (as written after ``withName:``/``withLabel:``) selects ``name``.

    A pattern that is not a valid regular expression matches nothing, as it would fail in
    Nextflow; callers that want to report it can test :func:`is_valid_pattern` first.
    """
    negate = pattern.startswith("!")
    body = pattern[1:] if negate else pattern
    compiled = _compile(body)
    matched = compiled is not None and compiled.fullmatch(name) is not None
    return matched != negate


def labels_match(pattern: str, labels: Iterable[str]) -> bool:
    """``withLabel:`` semantics: any label matches; no labels is tested as ``['']``."""
    names = list(labels) or [""]
    negate = pattern.startswith("!")
    body = pattern[1:] if negate else pattern
    compiled = _compile(body)
    matched = compiled is not None and any(compiled.fullmatch(n) is not None for n in names)
    return matched != negate


def is_valid_pattern(pattern: str) -> bool:
    return _compile(pattern[1:] if pattern.startswith("!") else pattern) is not None


def split_selector(key: str) -> tuple[str, str] | None:
    """``'withName:FOO'`` → ``('withName', 'FOO')``; a key that is not a selector → None."""
    for prefix in SELECTOR_PREFIXES:
        if key.startswith(prefix):
            return prefix[:-1], key[len(prefix) :].strip()
    return None
