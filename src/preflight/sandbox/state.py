"""The Azure side of the sandbox's world: registries, their repositories, scope maps and tokens.

One ``AzureState`` is shared by the ARM emulator (which changes it) and the ACR token service
(which reads it), so a token provisioned through ARM works at the registry at once, and a
scope-map change changes what the registry grants. Every access goes through ``lock``.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone

# Scope-map actions as ACR spells them, and the registry actions each one grants.
ACTION_GRANTS: dict[str, frozenset[str]] = {
    "content/read": frozenset({"pull"}),
    "content/write": frozenset({"push"}),
    "content/delete": frozenset({"delete"}),
    "metadata/read": frozenset({"metadata_read"}),
    "metadata/write": frozenset({"metadata_write"}),
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class TokenPassword:
    """One of a token's two passwords; the value is kept only in the sandbox."""

    name: str  # "password1" | "password2"
    value: str
    created: datetime
    expiry: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return self.expiry is not None and self.expiry <= now


@dataclass
class ScopeMap:
    name: str
    actions: list[str]
    description: str = ""
    created: datetime = field(default_factory=utcnow)
    system_defined: bool = False


@dataclass
class AcrToken:
    name: str
    scope_map: str
    enabled: bool = True
    passwords: list[TokenPassword] = field(default_factory=list)
    created: datetime = field(default_factory=utcnow)


@dataclass
class RegistryState:
    """One ACR registry: its ARM identity and its data-plane contents."""

    name: str
    login_server: str
    resource_group: str
    location: str = "westeurope"
    sku: str = "Standard"
    admin_user_enabled: bool = False
    repositories: dict[str, list[str]] = field(default_factory=dict)  # repo -> tags (seeded)
    scope_maps: dict[str, ScopeMap] = field(default_factory=dict)
    tokens: dict[str, AcrToken] = field(default_factory=dict)
    created: datetime = field(default_factory=utcnow)

    def granted_actions(self, token: AcrToken, repository: str) -> frozenset[str]:
        """The registry actions ``token``'s scope map grants on ``repository``.

        ``repositories/REPO/content/read`` names one repository; ``repositories/PREFIX/*`` with a
        trailing wildcard covers every repository under PREFIX (ACR's only wildcard form).
        """
        scope_map = self.scope_maps.get(token.scope_map)
        if scope_map is None:
            return frozenset()
        granted: set[str] = set()
        for action in scope_map.actions:
            parts = action.split("/")
            if len(parts) < 4 or parts[0] != "repositories":
                continue
            repo_pattern = "/".join(parts[1:-2])
            verb = "/".join(parts[-2:])
            if repo_pattern == repository or (
                repo_pattern.endswith("/*") and repository.startswith(repo_pattern[:-1])
            ):
                granted |= ACTION_GRANTS.get(verb, frozenset())
        return frozenset(granted)


class AuthRefused(Exception):
    """The token service refuses these credentials; ``reason`` is what ACR would say."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class AzureState:
    """The tenant, the subscription, the service principal and every registry."""

    tenant_id: str
    subscription_id: str
    client_id: str
    client_secret: str
    registries: dict[str, RegistryState] = field(default_factory=dict)  # login server -> state
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def registry(self, login_server: str) -> RegistryState | None:
        return self.registries.get(login_server.lower())

    def authenticate(self, login_server: str, username: str, password: str) -> AcrToken:
        """The token ``username`` if ``password`` is one of its live passwords, else refuse."""
        with self.lock:
            registry = self.registry(login_server)
            token = registry.tokens.get(username) if registry else None
            if token is None:
                raise AuthRefused("invalid username or password")
            now = utcnow()
            match = next(
                (p for p in token.passwords if secrets.compare_digest(p.value, password)), None
            )
            if match is None:
                raise AuthRefused("invalid username or password")
            if not token.enabled:
                raise AuthRefused("token is disabled")
            if match.expired(now):
                raise AuthRefused("password has expired")
            return token


def new_password() -> str:
    """A password shaped like ACR's (44 characters of base64-ish text)."""
    return secrets.token_urlsafe(33)[:44]
