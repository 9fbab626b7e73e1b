"""What the ARM emulator accepts in a request, and the errors it answers when it does not.

A bearer token for Resource Manager on every request; names, bodies, scope-map actions, token
status and dates as Azure documents them; the per-SKU limits Azure publishes. Every refusal is
ARM's error JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from preflight.sandbox import arm_shapes as shapes
from preflight.sandbox.http import Request, Response
from preflight.sandbox.state import ACTION_GRANTS, RegistryState

TOKEN_NAME = re.compile(r"^[a-zA-Z0-9-]{5,50}$")
SCOPE_MAP_NAME = re.compile(r"^[a-zA-Z0-9_-]{5,50}$")
MAX_ACTIONS = 500
# Tokens, and scope maps, per registry (Basic / Standard / Premium).
SKU_LIMITS = {"basic": 100, "standard": 500, "premium": 50_000}
SLOTS = ("password1", "password2")
# Audiences ARM accepts, besides its own origin (the sandbox's ``https://127.0.0.1:PORT``).
ARM_AUDIENCES = ("https://management.azure.com", "https://management.core.windows.net")


def refusal(request: Request, verify: Callable[[str], Mapping[str, Any]]) -> Response | None:
    """ARM's 401 for a request without a bearer token for Resource Manager, else ``None``."""
    header = request.header("Authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return shapes.arm_error(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
            [("WWW-Authenticate", 'Bearer error="invalid_token"')],
        )
    try:
        claims = verify(token.strip())
    except Exception:  # noqa: BLE001 - whatever the verifier refuses, ARM answers 401
        return shapes.arm_error(
            401,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
            [("WWW-Authenticate", 'Bearer error="invalid_token"')],
        )
    audience = str(claims.get("aud", "")).rstrip("/")
    if audience not in (*ARM_AUDIENCES, origin(request)):
        return shapes.arm_error(
            401,
            "InvalidAuthenticationToken",
            "The access token has been obtained for wrong audience or resource "
            f"'{audience}'. It should exactly match with one of the allowed audiences "
            f"'{ARM_AUDIENCES[0]}/', '{origin(request)}/'.",
            [("WWW-Authenticate", 'Bearer error="invalid_token"')],
        )
    return None


def origin(request: Request) -> str:
    return f"https://{request.header('Host') or request.host or 'management.azure.com'}"


def lookup(items: Mapping[str, Any], name: str) -> Any:
    """ARM names compare case-insensitively."""
    if name in items:
        return items[name]
    lowered = name.lower()
    return next((v for k, v in items.items() if k.lower() == lowered), None)


def properties(request: Request) -> dict[str, Any] | None:
    try:
        body = request.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
        return None
    properties: dict[str, Any] = body["properties"]
    return properties


def check_actions(actions: object) -> tuple[list[str], str]:
    """The actions as a list, and why they are not a valid scope-map action list ('' if so)."""
    if not isinstance(actions, list) or not actions:
        return [], "'actions' must be a non-empty list."
    if len(actions) > MAX_ACTIONS:
        return [], f"A scope map may hold at most {MAX_ACTIONS} actions; got {len(actions)}."
    for action in actions:
        parts = action.split("/") if isinstance(action, str) else []
        pattern = "/".join(parts[1:-2])
        verb = "/".join(parts[-2:])
        wildcard_ok = pattern == "*" or (
            "*" not in pattern.removesuffix("/*") and pattern.removesuffix("/*")
        )
        if len(parts) < 4 or parts[0] != "repositories" or verb not in ACTION_GRANTS:
            return [], f"'{action}' is not an action of the form repositories/<name>/<permission>."
        if not wildcard_ok:
            return [], f"'{action}': a wildcard may only be a trailing '/*'."
    return [str(a) for a in actions], ""


def status(value: object) -> bool | None:
    if isinstance(value, str) and value.lower() in ("enabled", "disabled"):
        return value.lower() == "enabled"
    return None


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    # Python < 3.11 takes at most six fractional digits; Azure sends seven.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def limit(registry: RegistryState) -> int:
    return SKU_LIMITS.get(registry.sku.lower(), SKU_LIMITS["standard"])


def quota(registry: RegistryState, what: str) -> Response:
    return shapes.arm_error(
        409,
        "QuotaExceeded",
        f"Registry '{registry.name}' ({registry.sku}) may hold at most {limit(registry)} {what}.",
    )


def bad_name(kind: str, name: str, rule: str) -> Response:
    return shapes.arm_error(
        400, "InvalidResourceName", f"The {kind} name '{name}' is invalid: use {rule}."
    )


def bad_body(expected: str) -> Response:
    return shapes.arm_error(400, "InvalidRequestContent", f"The request body must be {expected}.")


def no_route(request: Request) -> Response:
    return shapes.arm_error(
        404, "InvalidResourceType", f"No resource type is served at '{request.path}'."
    )


def method_not_allowed(request: Request) -> Response:
    return shapes.arm_error(
        405,
        "MethodNotAllowed",
        f"The method '{request.method}' is not allowed on '{request.path}'.",
    )
