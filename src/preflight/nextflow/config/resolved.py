"""The result of reading a pipeline's configuration: the merged tree and where each value came from.

``ResolvedConfig.tree`` is a :class:`~preflight.nextflow.config.scope.ConfigScope` (nested
scopes, in the order Nextflow applied them). Selector blocks stay keys of the ``process`` scope,
``withName:PATTERN`` / ``withLabel:PATTERN``, exactly as Nextflow keeps them. Values are plain
Python values, :class:`~preflight.nextflow.groovy.values.Dynamic`,
:class:`~preflight.nextflow.groovy.values.Closure`, memory and duration amounts, or a
:class:`~preflight.secret.Secret` for credentials.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from preflight.model import Location
from preflight.nextflow.config.scope import ConfigScope

_MISSING = object()


def is_tree(value: Any) -> bool:
    """Whether ``value`` is a scope of the tree (not a map the config assigned as a value)."""
    return isinstance(value, ConfigScope)


@dataclass(frozen=True)
class ConfigSource:
    """One configuration file read, and why (``project nextflow.config``, ``-c``, an include)."""

    path: str
    reason: str


@dataclass(frozen=True)
class DynamicEntry:
    """A key whose value is only known at run time."""

    key: str
    location: Location
    reason: str


@dataclass(frozen=True)
class Assignment:
    """One time a key was set: where, to what, in which profile (if any), in which file."""

    key: str
    location: Location
    value: Any
    profile: str | None = None


@dataclass(frozen=True)
class UnreadInclude:
    """An ``includeConfig`` preflight did not follow: a URL, a dynamic path, a caught error."""

    target: str
    location: Location
    reason: str


@dataclass
class ResolvedConfig:
    """The configuration Nextflow would run with, and the evidence for each value.

    ``syntax`` is the parser whose rules were applied (``v1`` legacy, ``v2`` strict);
    ``legacy`` lists where and why the strict parser would reject a file.
    """

    tree: ConfigScope
    files: list[ConfigSource]
    dynamic: list[DynamicEntry]
    profiles: tuple[str, ...]
    syntax: str
    known_profiles: tuple[str, ...] = ()
    unread: list[UnreadInclude] = field(default_factory=list)
    history: dict[str, list[Assignment]] = field(default_factory=dict)
    legacy: list[tuple[Location, str]] = field(default_factory=list)

    @property
    def params(self) -> dict[str, Any]:
        """The final parameters (config, then ``--params-file``, then ``--param``), plain."""
        value = self.get("params")
        return to_plain(value) if is_tree(value) else {}

    def get(self, key: str, default: Any = None) -> Any:
        """The value at dotted ``key``; selector segments may be quoted (``'withName:A.B'``)."""
        node: Any = self.tree
        for part in split_key(key):
            if not isinstance(node, dict) or not dict.__contains__(node, part):
                return default
            node = dict.__getitem__(node, part)
        return node

    def has(self, key: str) -> bool:
        """Whether ``key`` was set at all (even to null or an empty string)."""
        return self.get(key, _MISSING) is not _MISSING

    def origin(self, key: str) -> Location | None:
        """Where the value at dotted ``key`` was last set; None if it never was."""
        entries = self.history.get(join_key(split_key(key)))
        return entries[-1].location if entries else None

    def assignments(self, key: str) -> list[Assignment]:
        """Every assignment of ``key`` in the order Nextflow applied them (last one wins)."""
        return list(self.history.get(join_key(split_key(key)), ()))

    def flat(self) -> Iterator[tuple[str, Any]]:
        """``(dotted key, value)`` for every leaf, in tree order (selector keys quoted)."""
        yield from _flatten(self.tree, ())


def split_key(key: str) -> tuple[str, ...]:
    """``process.'withName:A.B'.cpus`` → ``('process', 'withName:A.B', 'cpus')``."""
    parts: list[str] = []
    current: list[str] = []
    quote = ""
    for char in key:
        if quote:
            if char == quote:
                quote = ""
            else:
                current.append(char)
        elif char in "'\"":
            quote = char
        elif char == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return tuple(parts)


def join_key(parts: tuple[str, ...]) -> str:
    """The inverse of :func:`split_key`: segments that need it are single-quoted."""
    return ".".join(map(_key_segment, parts))


_BARE_KEY = re.compile(r"[\w$]+")


@lru_cache(maxsize=4096)  # the same few segments (process, ext, withName:…) again and again
def _key_segment(part: str) -> str:
    return part if _BARE_KEY.fullmatch(part) else f"'{part}'"


def _flatten(node: Any, prefix: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    for key in node:
        value = dict.__getitem__(node, key)
        path = (*prefix, str(key))
        if is_tree(value):
            if len(value) == 0:
                yield join_key(path), {}
            yield from _flatten(value, path)
        else:
            yield join_key(path), value


def to_plain(value: Any) -> Any:
    """A scope (and nested ones) as plain dicts; other values as they are."""
    if is_tree(value):
        return {str(k): to_plain(dict.__getitem__(value, k)) for k in value}
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value


def display_path(path: Path, root: Path | None = None) -> str:
    """A path as users should see it: relative to ``root`` when inside it."""
    if root is not None:
        try:
            return str(path.relative_to(root))
        except ValueError:
            pass
    return str(path)
