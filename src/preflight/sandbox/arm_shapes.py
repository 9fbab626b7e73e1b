"""The JSON the ARM emulator answers with, shaped like Azure's recorded responses.

Ids, ``type`` strings, ``properties``, ``provisioningState``, timestamps with ``+00:00``, token
``credentials.passwords[]`` without values, and ARM's error body ``{"error": {code, message}}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from preflight.sandbox.http import Response
from preflight.sandbox.state import AcrToken, RegistryState, ScopeMap, TokenPassword

PROVIDER = "Microsoft.ContainerRegistry"


def timestamp(moment: datetime) -> str:
    """ARM's timestamp form, e.g. ``2020-08-11T07:56:27.891282+00:00``."""
    return moment.isoformat()


def registry_id(subscription: str, registry: RegistryState) -> str:
    return (
        f"/subscriptions/{subscription}/resourceGroups/{registry.resource_group}"
        f"/providers/{PROVIDER}/registries/{registry.name}"
    )


def registry_body(subscription: str, registry: RegistryState) -> dict[str, Any]:
    return {
        "sku": {"name": registry.sku, "tier": registry.sku},
        "type": f"{PROVIDER}/registries",
        "id": registry_id(subscription, registry),
        "name": registry.name,
        "location": registry.location,
        "tags": {},
        "properties": {
            "loginServer": registry.login_server,
            "creationDate": timestamp(registry.created),
            "provisioningState": "Succeeded",
            "adminUserEnabled": registry.admin_user_enabled,
            "networkRuleSet": {"defaultAction": "Allow", "ipRules": []},
            "policies": {
                "quarantinePolicy": {"status": "disabled"},
                "trustPolicy": {"type": "Notary", "status": "disabled"},
                "retentionPolicy": {"days": 7, "status": "disabled"},
                "exportPolicy": {"status": "enabled"},
                "azureADAuthenticationAsArmPolicy": {"status": "enabled"},
            },
            "encryption": {"status": "disabled"},
            "dataEndpointEnabled": False,
            "dataEndpointHostNames": [],
            "privateEndpointConnections": [],
            "publicNetworkAccess": "Enabled",
            "networkRuleBypassOptions": "AzureServices",
            "zoneRedundancy": "Disabled",
            "anonymousPullEnabled": False,
        },
    }


def scope_map_id(subscription: str, registry: RegistryState, name: str) -> str:
    return f"{registry_id(subscription, registry)}/scopeMaps/{name}"


def token_id(subscription: str, registry: RegistryState, name: str) -> str:
    return f"{registry_id(subscription, registry)}/tokens/{name}"


def scope_map_body(
    subscription: str, registry: RegistryState, scope_map: ScopeMap, state: str = "Succeeded"
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "type": "SystemDefined" if scope_map.system_defined else "UserDefined",
        "creationDate": timestamp(scope_map.created),
        "provisioningState": state,
        "actions": list(scope_map.actions),
    }
    if scope_map.description:
        properties["description"] = scope_map.description
    return {
        "type": f"{PROVIDER}/registries/scopeMaps",
        "id": scope_map_id(subscription, registry, scope_map.name),
        "name": scope_map.name,
        "properties": properties,
    }


def password_body(password: TokenPassword, *, with_value: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"creationTime": timestamp(password.created), "name": password.name}
    if password.expiry is not None:
        body["expiry"] = timestamp(password.expiry)
    if with_value:
        body["value"] = password.value
    return body


def token_body(
    subscription: str, registry: RegistryState, token: AcrToken, state: str = "Succeeded"
) -> dict[str, Any]:
    return {
        "type": f"{PROVIDER}/registries/tokens",
        "id": token_id(subscription, registry, token.name),
        "name": token.name,
        "properties": {
            "creationDate": timestamp(token.created),
            "provisioningState": state,
            "scopeMapId": scope_map_id(subscription, registry, token.scope_map),
            "credentials": {
                "certificates": [],
                "passwords": [password_body(p) for p in sorted(token.passwords, key=_slot)],
            },
            "status": "enabled" if token.enabled else "disabled",
        },
    }


def _slot(password: TokenPassword) -> str:
    return password.name


def arm_error(
    status: int, code: str, message: str, headers: list[tuple[str, str]] | None = None
) -> Response:
    """ARM's error response: ``{"error": {"code", "message"}}``."""
    return Response.of_json(status, {"error": {"code": code, "message": message}}, headers)


def not_found(kind: str, name: str, resource_group: str) -> Response:
    return arm_error(
        404,
        "ResourceNotFound",
        f"The Resource '{PROVIDER}/{kind}/{name}' under resource group '{resource_group}' "
        "was not found.",
    )
