"""What each workspace role may do with credentials, as Seqera Platform's role matrix says.

    role      read list   create/update/delete   read encrypted keys (what Wave needs)
    owner        yes              yes                      yes
    admin        yes              yes                      yes
    maintain     yes              no                       yes
    launch       yes              no                       yes
    connect      yes              no                       no
    view         yes              no                       no

The personal workspace behaves as ``owner``. Shared by the client-side checks and the sandbox's
Platform emulator, so both enforce the same matrix.
"""

from __future__ import annotations

ROLES = ("owner", "admin", "maintain", "launch", "connect", "view")  # strongest first
_WRITE = frozenset({"owner", "admin"})
_READ_KEYS = frozenset({"owner", "admin", "maintain", "launch"})


def can_list_credentials(role: str) -> bool:
    """Whether ``role`` may list and describe the workspace's credentials (every role may)."""
    return role in ROLES


def can_create_credentials(role: str) -> bool:
    """Whether ``role`` may create, update or delete credentials (``credentials:write``)."""
    return role in _WRITE


def can_read_credentials(role: str) -> bool:
    """Whether a run under ``role`` lets Wave read a credential's encrypted keys.

    This is the right that matters for a pull: Wave fetches ``/credentials/{id}/keys`` with the
    run's token, and ``connect`` and ``view`` are refused.
    """
    return role in _READ_KEYS


def strongest(roles: list[str] | tuple[str, ...]) -> str | None:
    """The most capable known role of ``roles`` (the API lists a member's roles), or ``None``."""
    known = [r for r in ROLES if r in roles]
    return known[0] if known else None
