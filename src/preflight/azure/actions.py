"""The scope-map action grammar: which actions grant what on which repository.

An action is ``repositories/<repository>/<permission>`` with a permission such as
``content/read``. The only wildcard ACR accepts is a trailing ``/*`` on the repository
(``repositories/team/*/content/read`` covers every repository under ``team/``), or ``*`` alone
for the whole registry; grants add up across every matching action.
"""

from __future__ import annotations

from collections.abc import Iterable

PULL = "content/read"
PERMISSIONS = ("content/read", "content/write", "content/delete", "metadata/read", "metadata/write")


def read_action(repository: str) -> str:
    """The action granting pull on exactly ``repository``."""
    return f"repositories/{repository}/{PULL}"


def wildcard_read_action(prefix: str) -> str:
    """The action granting pull on every repository under ``prefix/`` (``*`` alone: all)."""
    prefix = prefix.strip("/")
    if not prefix or prefix == "*":
        return f"repositories/*/{PULL}"
    return f"repositories/{prefix}/*/{PULL}"


def split_action(action: str) -> tuple[str, str] | None:
    """``(repository pattern, permission)`` of a repository action, else ``None``."""
    parts = action.split("/")
    if len(parts) < 4 or parts[0] != "repositories":
        return None
    pattern, permission = "/".join(parts[1:-2]), "/".join(parts[-2:])
    if not pattern or permission not in PERMISSIONS:
        return None
    return pattern, permission


def is_valid_pattern(pattern: str) -> bool:
    """ACR's rule: no ``*`` except one trailing ``/*``, or ``*`` alone."""
    if pattern == "*":
        return True
    if pattern.endswith("/*"):
        pattern = pattern[:-2]
    return bool(pattern) and "*" not in pattern


def pattern_covers(pattern: str, repository: str) -> bool:
    """Whether a repository pattern (exact, ``prefix/*`` or ``*``) names ``repository``."""
    if pattern == "*":
        return True
    if pattern.endswith("/*"):
        return repository.startswith(pattern[:-1])
    return pattern == repository


def grants(actions: Iterable[str], repository: str, permission: str = PULL) -> bool:
    """Whether any of ``actions`` grants ``permission`` on ``repository``."""
    for action in actions:
        parsed = split_action(action)
        if parsed and parsed[1] == permission and pattern_covers(parsed[0], repository):
            return True
    return False


def repositories_of(actions: Iterable[str]) -> set[str]:
    """The distinct repository patterns the actions name (what ACR's per-map limit counts)."""
    return {parsed[0] for a in actions if (parsed := split_action(a))}
