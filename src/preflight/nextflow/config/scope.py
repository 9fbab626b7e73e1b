"""The tree of a resolved configuration: a pyhocon ``ConfigTree`` that reads selector keys.

In a module of its own so that pyhocon (and the pyparsing it loads, the largest import of the
configuration reader) is imported only when a tree is first built, not by every command that
imports the reader.
"""

from __future__ import annotations

from typing import Any

from pyhocon import ConfigTree

_MISSING = object()


class ConfigScope(ConfigTree):  # type: ignore[misc]
    """A ``ConfigTree`` whose keys are taken as written first (``withName:.*FOO`` has dots).

    ``scope["withName:.*STAR"]`` finds the selector key; a dotted path that is not itself a key
    (``scope["docker.enabled"]``) still navigates, as pyhocon does.
    """

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str) and dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = _MISSING) -> Any:
        if isinstance(key, str) and dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        try:
            if default is _MISSING:
                return super().get(key)
            return super().get(key, default)
        except Exception:
            if default is _MISSING:
                raise
            return default
