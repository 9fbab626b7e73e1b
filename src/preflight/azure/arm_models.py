"""The SDK's ACR models as preflight's frozen ones (:mod:`preflight.azure.models`).

The SDK's models accept any shape; whatever later steps address a resource by is checked here,
and a missing part raises ``ValueError``, which the gateway reports as a malformed answer.
"""

from __future__ import annotations

from typing import Any

from preflight.azure.models import PasswordInfo, RegistryInfo, ScopeMapInfo, TokenInfo


def parse_resource_group(resource_id: str) -> str:
    """The resource group named in an ARM resource id ('' when it names none)."""
    parts = resource_id.strip("/").split("/")
    for index, part in enumerate(parts[:-1]):
        if part.lower() == "resourcegroups":
            return parts[index + 1]
    return ""


def wire_text(value: Any) -> str:
    """An SDK string-enum (``SkuName.STANDARD``) or plain string as its wire value."""
    return str(getattr(value, "value", value) or "")


def name_from_id(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def registry_info(registry: Any) -> RegistryInfo:
    sku = wire_text(getattr(getattr(registry, "sku", None), "name", None))
    resource_group = parse_resource_group(str(registry.id or ""))
    if not resource_group or not registry.name:
        # Every later step is addressed by resource group and name: never guess them.
        raise ValueError(f"a registry without a resource id and name: {registry.id!r}")
    return RegistryInfo(
        id=registry.id,
        name=registry.name,
        resource_group=resource_group,
        login_server=(registry.login_server or "").lower(),
        sku=sku,
    )


def token_info(token: Any) -> TokenInfo:
    credentials = getattr(token, "credentials", None)
    passwords = tuple(
        PasswordInfo(name=wire_text(p.name), created=p.creation_time, expiry=p.expiry)
        for p in (getattr(credentials, "passwords", None) or [])
    )
    scope_map_id = token.scope_map_id or ""
    return TokenInfo(
        id=token.id,
        name=token.name,
        scope_map_id=scope_map_id,
        scope_map_name=name_from_id(scope_map_id) if scope_map_id else "",
        enabled=(wire_text(token.status) or "enabled").lower() == "enabled",
        passwords=passwords,
        created=token.creation_date,
    )


def scope_map_info(scope_map: Any) -> ScopeMapInfo:
    # The model's own ``type`` is the resource type; the property says System/UserDefined.
    kind = wire_text(getattr(getattr(scope_map, "properties", None), "type", None))
    return ScopeMapInfo(
        id=scope_map.id,
        name=scope_map.name,
        actions=tuple(scope_map.actions or ()),
        system_defined=kind.lower().startswith("system"),
    )
