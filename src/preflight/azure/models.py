"""What preflight needs to know about a registry, its tokens and scope maps: frozen, SDK-free.

These are read from Azure Resource Manager by :mod:`preflight.azure.arm` and consumed by the
token-health check and the provisioning planner, neither of which imports an Azure SDK.
Nothing here ever holds a password value: only a password's name and dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RegistryInfo:
    """One registry: its ARM ``id`` (which names the resource group) and its login server."""

    id: str
    name: str
    resource_group: str
    login_server: str
    sku: str


@dataclass(frozen=True)
class PasswordInfo:
    """A token password's slot (``password1``/``password2``) and dates; never its value."""

    name: str
    created: datetime | None
    expiry: datetime | None

    def expired(self, now: datetime) -> bool:
        """True when the password has an expiry and it has passed at ``now``."""
        return self.expiry is not None and self.expiry <= now


@dataclass(frozen=True)
class TokenInfo:
    """An ACR token: its scope map, whether it is enabled, and its passwords' metadata."""

    id: str
    name: str
    scope_map_id: str
    scope_map_name: str
    enabled: bool
    passwords: tuple[PasswordInfo, ...]
    created: datetime | None

    def password(self, name: str) -> PasswordInfo | None:
        """The password in slot ``name``, if the token has one there."""
        return next((p for p in self.passwords if p.name == name), None)

    def live_passwords(self, now: datetime) -> tuple[PasswordInfo, ...]:
        """The passwords that have not expired at ``now``."""
        return tuple(p for p in self.passwords if not p.expired(now))


@dataclass(frozen=True)
class ScopeMapInfo:
    """A scope map and its actions, e.g. ``repositories/team/app/content/read``."""

    id: str
    name: str
    actions: tuple[str, ...]
    system_defined: bool = False
