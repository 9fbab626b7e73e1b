"""The tree of a resolved configuration: nested scopes in the order Nextflow applied them.

A ``ConfigScope`` is an ordered ``dict`` of setting names to values or nested scopes, the
shape of Nextflow's own ``ConfigObject``. Keys are taken as written first, so a selector key
(``withName:.*STAR.ALIGN``, dots included) is found whole; a dotted path that is not itself a
key (``scope["docker.enabled"]``) navigates the nested scopes.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

_MISSING = object()


class ConfigScope(OrderedDict[str, Any]):
    """One scope of the merged configuration (``process``, ``docker``, a selector block …)."""

    def __getitem__(self, key: str) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        found = self._navigate(key)
        if found is _MISSING:
            raise KeyError(key)
        return found

    def get(self, key: str, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        found = self._navigate(key)
        return default if found is _MISSING else found

    def _navigate(self, key: Any) -> Any:
        if not isinstance(key, str) or "." not in key:
            return _MISSING
        node: Any = self
        for part in key.split("."):
            if not isinstance(node, dict) or not dict.__contains__(node, part):
                return _MISSING
            node = dict.__getitem__(node, part)
        return node
