"""What a fresh sandbox holds: its identities, registries, images, scope maps and tokens.

The default world is small and fixed so that tests and the demo can name things:

- ``sandboxacr.azurecr.io`` (resource group ``rg-preflight``, Standard) with ``team/app:1.0`` and
  ``team/app:1.1`` (OCI), ``team/tool:2.1`` (Docker v2) and ``shared/base:latest``, and one ACR
  token ``pipeline-reader`` whose scope map ``pipeline-reader-scope`` grants ``content/read`` on
  ``team/app`` and ``team/tool`` (not ``shared/base``);
- ``otheracr.azurecr.io`` (resource group ``rg-lab``) with ``lab/align:3.0``.

Tenant, subscription and client ids are fixed GUIDs; the client secret and token passwords are
random per start and stay the same across :meth:`Sandbox.reset`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from preflight.sandbox.push import DOCKER_MANIFEST, OCI_MANIFEST
from preflight.sandbox.state import (
    AcrToken,
    AzureState,
    RegistryState,
    ScopeMap,
    TokenPassword,
    new_password,
    utcnow,
)

TENANT_ID = "7f3c9a52-4d1e-4b6a-9c0e-5a1d2e3f4b60"
SUBSCRIPTION_ID = "1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7a80"
CLIENT_ID = "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c60"


@dataclass(frozen=True)
class ImageSeed:
    repository: str
    tag: str
    media_type: str = OCI_MANIFEST


@dataclass(frozen=True)
class TokenSeed:
    """An ACR token with ``password1`` and a scope map granting ``actions`` on ``repositories``."""

    name: str
    scope_map: str
    repositories: tuple[str, ...]
    actions: tuple[str, ...] = ("content/read",)
    enabled: bool = True


@dataclass(frozen=True)
class RegistrySeed:
    login_server: str
    resource_group: str
    images: tuple[ImageSeed, ...] = ()
    tokens: tuple[TokenSeed, ...] = ()
    sku: str = "Standard"
    location: str = "westeurope"
    name: str = field(default="")

    @property
    def registry_name(self) -> str:
        """The ARM resource name: the login server's first label unless given."""
        return self.name or self.login_server.split(".", 1)[0]

    def image_refs(self) -> list[str]:
        return [f"{self.login_server}/{i.repository}:{i.tag}" for i in self.images]


DEFAULT_REGISTRIES: tuple[RegistrySeed, ...] = (
    RegistrySeed(
        login_server="sandboxacr.azurecr.io",
        resource_group="rg-preflight",
        images=(
            ImageSeed("team/app", "1.0"),
            ImageSeed("team/app", "1.1"),
            ImageSeed("team/tool", "2.1", DOCKER_MANIFEST),
            ImageSeed("shared/base", "latest"),
        ),
        tokens=(
            TokenSeed(
                name="pipeline-reader",
                scope_map="pipeline-reader-scope",
                repositories=("team/app", "team/tool"),
            ),
        ),
    ),
    RegistrySeed(
        login_server="otheracr.azurecr.io",
        resource_group="rg-lab",
        images=(ImageSeed("lab/align", "3.0"),),
    ),
)

PasswordBook = Mapping[tuple[str, str], str]  # (login server, token name) -> password1


def new_password_book(seeds: Sequence[RegistrySeed]) -> dict[tuple[str, str], str]:
    """A fresh random ``password1`` for every seeded token."""
    return {(s.login_server.lower(), t.name): new_password() for s in seeds for t in s.tokens}


def registry_state(seed: RegistrySeed, passwords: PasswordBook) -> RegistryState:
    """The ARM and token-service view of one seeded registry."""
    now = utcnow()
    repositories: dict[str, list[str]] = {}
    for image in seed.images:
        repositories.setdefault(image.repository, []).append(image.tag)
    registry = RegistryState(
        name=seed.registry_name,
        login_server=seed.login_server.lower(),
        resource_group=seed.resource_group,
        location=seed.location,
        sku=seed.sku,
        repositories=repositories,
        created=now,
    )
    for token in seed.tokens:
        registry.scope_maps[token.scope_map] = ScopeMap(
            name=token.scope_map,
            actions=[f"repositories/{r}/{a}" for r in token.repositories for a in token.actions],
            description=f"Seeded for {token.name}",
            created=now,
        )
        password = passwords[(registry.login_server, token.name)]
        registry.tokens[token.name] = AcrToken(
            name=token.name,
            scope_map=token.scope_map,
            enabled=token.enabled,
            passwords=[TokenPassword("password1", password, created=now)],
            created=now,
        )
    return registry


def reseed(state: AzureState, seeds: Sequence[RegistrySeed], passwords: PasswordBook) -> None:
    """Put every registry of ``state`` back to its seed, in place (others keep the object)."""
    fresh = {s.login_server.lower(): registry_state(s, passwords) for s in seeds}
    with state.lock:
        state.registries.clear()
        state.registries.update(fresh)


def azure_state(
    seeds: Sequence[RegistrySeed], passwords: PasswordBook, client_secret: str
) -> AzureState:
    """A new tenant with the fixed ids, ``client_secret`` and the seeded registries."""
    state = AzureState(
        tenant_id=TENANT_ID,
        subscription_id=SUBSCRIPTION_ID,
        client_id=CLIENT_ID,
        client_secret=client_secret,
    )
    reseed(state, seeds, passwords)
    return state
