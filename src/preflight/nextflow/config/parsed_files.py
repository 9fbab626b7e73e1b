"""Parsed configuration files, kept by their text: a file read again unchanged is not parsed again.

One process may resolve the same configuration several times: ``fix`` proves each edit by
resolving the whole configuration again with one file changed, and the ``auto`` syntax may run
a second pass. Parsing is most of the cost of resolving, so the syntax tree of each file is kept
under the file's text itself (and its shown name, which its locations carry): changed bytes are
a new entry, and no modification time is trusted. Trees are immutable, so one serves every
reader. At most :data:`MAX_TEXT` characters of source are held, least recently used out first;
a file that does not parse is never kept, and raises again when read again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

from preflight.model import Location
from preflight.nextflow.config.parser import parse_config, strict_violations
from preflight.nextflow.groovy import ast

# Characters of source kept, over all files: a tree takes about 40 bytes per character, so
# this bounds the memory held to some 40 MiB; a large pipeline's configuration is ~150 KiB.
MAX_TEXT = 1024 * 1024

_lock = threading.Lock()
_entries: OrderedDict[tuple[str, str], ParsedFile] = OrderedDict()
_size = 0


class ParsedFile(NamedTuple):
    """A file's syntax tree and where the strict parser would reject it."""

    config: ast.ConfigFile
    violations: tuple[tuple[Location, str], ...]


def parsed(text: str, shown: str) -> ParsedFile:
    """The parse of ``text`` (the file shown as ``shown``): kept, or made and kept.

    Raises ``ConfigError`` as :func:`~preflight.nextflow.config.parser.parse_config` does.
    """
    global _size
    key = (shown, text)
    with _lock:
        found = _entries.get(key)
        if found is not None:
            _entries.move_to_end(key)
            return found
    config = parse_config(text, shown)  # outside the lock: other readers need not wait
    made = ParsedFile(config, tuple(strict_violations(config)))
    if len(text) > MAX_TEXT:
        return made
    with _lock:
        if key not in _entries:
            _entries[key] = made
            _size += len(text)
            while _size > MAX_TEXT:
                (_, old_text), _ = _entries.popitem(last=False)
                _size -= len(old_text)
    return made


def forget_all() -> None:
    """Drop every kept parse (the next read of any file parses it)."""
    global _size
    with _lock:
        _entries.clear()
        _size = 0
