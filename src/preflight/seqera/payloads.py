"""Turning the Platform's JSON bodies into preflight's models, or into a clear error.

A body that is not JSON, or lacks a field preflight relies on, becomes a
:class:`~preflight.errors.PlatformError` that points at the usual cause (an endpoint that names
the web interface, not the API) — never a ``KeyError`` or ``TypeError`` far from the call.
"""

from __future__ import annotations

from typing import Any

import httpx

from preflight.errors import PlatformError
from preflight.seqera.models import Credential, PlatformUser, WorkspaceRef
from preflight.seqera.roles import strongest

_ENDPOINT_REMEDY = (
    "check that TOWER_API_ENDPOINT names the Platform API (Enterprise: https://HOST/api), "
    "not the web interface"
)


def shape_error(what: str, field: str, where: str) -> PlatformError:
    """The error for a body that lacks a usable ``field``."""
    return PlatformError(
        f"Seqera Platform's {what} has no usable {field!r} field",
        remedy=_ENDPOINT_REMEDY,
        where=where,
    )


def json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    """The body as a JSON object."""
    where = str(response.request.url.copy_with(query=None))
    if not response.content.strip():
        raise PlatformError(
            f"Seqera Platform's {what} is empty (HTTP {response.status_code} without a body)",
            remedy=_ENDPOINT_REMEDY,
            where=where,
        )
    try:
        payload = response.json()
    except ValueError:
        raise PlatformError(
            f"Seqera Platform's {what} is not JSON "
            f"(Content-Type {response.headers.get('Content-Type', 'none')!r})",
            remedy=_ENDPOINT_REMEDY,
            where=where,
        ) from None
    if not isinstance(payload, dict):
        raise shape_error(what, "(top level object)", where)
    return payload


def service_info(body: dict[str, Any], where: str) -> dict[str, Any]:
    info = body.get("serviceInfo")
    if not isinstance(info, dict):
        raise shape_error("service info", "serviceInfo", where)
    return info


def user(body: dict[str, Any], where: str) -> PlatformUser:
    raw = body.get("user")
    if not isinstance(raw, dict):
        raise shape_error("user info", "user", where)
    user_id = raw.get("id")
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise shape_error("user info", "user.id", where)
    return PlatformUser(
        id=user_id,
        user_name=str(raw.get("userName") or ""),
        email=str(raw.get("email") or ""),
    )


def workspaces(body: dict[str, Any], where: str) -> list[WorkspaceRef]:
    """Organisation workspaces; organisation-membership rows (no ``workspaceId``) are dropped.

    A member's strongest role is kept; an unreadable role list counts as ``view``.
    """
    rows = body.get("orgsAndWorkspaces")
    if not isinstance(rows, list):
        raise shape_error("workspace list", "orgsAndWorkspaces", where)
    found: list[WorkspaceRef] = []
    for row in rows:
        if not isinstance(row, dict) or row.get("workspaceId") is None:
            continue
        workspace_id, org_id = row.get("workspaceId"), row.get("orgId")
        if not _is_int(workspace_id) or not _is_int(org_id):
            raise shape_error("workspace list", "orgsAndWorkspaces[].workspaceId/orgId", where)
        roles = row.get("roles")
        role = strongest(tuple(str(r) for r in roles)) if isinstance(roles, list) else None
        found.append(
            WorkspaceRef(
                id=workspace_id,
                name=str(row.get("workspaceName") or ""),
                org_id=org_id,
                org_name=str(row.get("orgName") or ""),
                role=role or "view",
                personal=False,
            )
        )
    return found


def credentials(body: dict[str, Any], workspace_id: int | None, where: str) -> list[Credential]:
    """Every credential of a listing, in the listing's order (Wave takes the first match)."""
    items = body.get("credentials")
    if not isinstance(items, list):
        raise shape_error("credential list", "credentials", where)
    return [_credential(item, workspace_id, where) for item in items]


def created_id(body: dict[str, Any], where: str) -> str:
    credential_id = body.get("credentialsId")
    if not isinstance(credential_id, str) or not credential_id:
        raise shape_error("created credential", "credentialsId", where)
    return credential_id


def _credential(item: Any, workspace_id: int | None, where: str) -> Credential:
    if not isinstance(item, dict):
        raise shape_error("credential list", "credentials[]", where)
    cred_id, name = item.get("id"), item.get("name")
    if not isinstance(cred_id, str) or not isinstance(name, str):
        raise shape_error("credential list", "credentials[].id/name", where)
    raw_keys = item.get("keys")
    keys: dict[str, Any] = raw_keys if isinstance(raw_keys, dict) else {}
    return Credential(
        id=cred_id,
        name=name,
        provider=str(item.get("provider") or ""),
        registry=_opt_str(keys.get("registry")),
        user_name=_opt_str(keys.get("userName")),
        date_created=_opt_str(item.get("dateCreated")),
        last_updated=_opt_str(item.get("lastUpdated")),
        workspace_id=workspace_id,
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
