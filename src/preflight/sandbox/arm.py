"""The sandbox's Azure Resource Manager: registries, scope maps, tokens and their passwords.

:class:`ArmEmulator` answers the ``Microsoft.ContainerRegistry`` paths azure-mgmt-containerregistry
uses, with the status codes and long-running-operation headers of Azure's recorded responses:

- every request needs ``Authorization: Bearer`` with a token ``verify_token`` accepts and whose
  ``aud`` is Resource Manager's (401 with ARM's error JSON otherwise), and ``api-version`` (400
  otherwise);
- registries: list in the subscription or a resource group, get;
- scope maps and tokens: PUT (201 + ``Azure-AsyncOperation`` for a new resource, 200 for a
  replaced one), PATCH (201 + ``Azure-AsyncOperation``), DELETE (202 + ``Location``, body
  ``null``; 204 when already gone), GET, list. The change is made at once and every operation
  reports ``Succeeded`` on its first poll, with ``Retry-After: 0``, so no SDK ever sleeps;
- ``generateCredentials`` (``tokenId``, optional ``name`` and ``expiry``; both slots when no name
  is given) answers 200 with the values, as Azure does, and stores them with their dates.

All of it reads and changes the shared :class:`~preflight.sandbox.state.AzureState` under its
lock, so a token provisioned here works at the registry's token service at once.

Where Azure's behaviour is not on record the emulator chooses the stricter reading and says so
in its error code: deleting a scope map a token still uses is refused (409 ``ScopeMapInUse``),
and the per-SKU limits on tokens and scope maps answer 409 ``QuotaExceeded``.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from preflight.sandbox import arm_shapes as shapes
from preflight.sandbox.http import Request, Response
from preflight.sandbox.state import (
    ACTION_GRANTS,
    AcrToken,
    AzureState,
    RegistryState,
    ScopeMap,
    TokenPassword,
    new_password,
    utcnow,
)

TOKEN_NAME = re.compile(r"^[a-zA-Z0-9-]{5,50}$")
SCOPE_MAP_NAME = re.compile(r"^[a-zA-Z0-9_-]{5,50}$")
MAX_ACTIONS = 500
# Tokens, and scope maps, per registry (Basic / Standard / Premium).
SKU_LIMITS = {"basic": 100, "standard": 500, "premium": 50_000}
SLOTS = ("password1", "password2")
# Audiences ARM accepts, besides its own origin (the sandbox's ``https://127.0.0.1:PORT``).
ARM_AUDIENCES = ("https://management.azure.com", "https://management.core.windows.net")

Route = Callable[[Request, dict[str, str]], Response]


class ArmEmulator:
    """``handle(request) -> Response`` for the ARM paths of container registries."""

    def __init__(
        self,
        state: AzureState,
        verify_token: Callable[[str], Mapping[str, Any]],
        *,
        page_size: int = 100,
    ) -> None:
        self.state = state
        self._verify = verify_token
        self._page_size = page_size
        self._operations: set[str] = set()
        self._counter = itertools.count(1)

    # --- entry point -------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        refusal = self._authenticate(request)
        if refusal is not None:
            return refusal
        if not request.arg("api-version"):
            return shapes.arm_error(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        parts = [unquote(p) for p in request.path.strip("/").split("/") if p]
        with self.state.lock:
            return self._route(request, parts)

    def _authenticate(self, request: Request) -> Response | None:
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
            claims = self._verify(token.strip())
        except Exception:  # noqa: BLE001 - whatever the verifier refuses, ARM answers 401
            return shapes.arm_error(
                401,
                "InvalidAuthenticationToken",
                "The access token is invalid.",
                [("WWW-Authenticate", 'Bearer error="invalid_token"')],
            )
        audience = str(claims.get("aud", "")).rstrip("/")
        if audience not in (*ARM_AUDIENCES, _origin(request)):
            return shapes.arm_error(
                401,
                "InvalidAuthenticationToken",
                "The access token has been obtained for wrong audience or resource "
                f"'{audience}'. It should exactly match with one of the allowed audiences "
                f"'{ARM_AUDIENCES[0]}/', '{_origin(request)}/'.",
                [("WWW-Authenticate", 'Bearer error="invalid_token"')],
            )
        return None

    # --- routing -----------------------------------------------------------------------------

    def _route(self, request: Request, parts: list[str]) -> Response:
        lowered = [p.lower() for p in parts]
        if len(parts) < 2 or lowered[0] != "subscriptions":
            return _no_route(request)
        if parts[1].lower() != self.state.subscription_id.lower():
            return shapes.arm_error(
                404, "SubscriptionNotFound", f"The subscription '{parts[1]}' could not be found."
            )
        rest, rest_lower = parts[2:], lowered[2:]
        provider = ["providers", shapes.PROVIDER.lower()]
        if rest_lower == [*provider, "registries"]:
            return self._only(request, "GET", lambda: self._list_registries(request, None))
        if (
            rest_lower[:3] == [*provider, "locations"]
            and len(rest) == 6
            and (rest_lower[4] == "operationresults")
        ):
            return self._only(request, "GET", lambda: self._operation_result(rest[5]))
        if len(rest) < 5 or rest_lower[0] != "resourcegroups" or rest_lower[2:4] != provider:
            return _no_route(request)
        group = rest[1]
        if not any(r.resource_group.lower() == group.lower() for r in self._registries()):
            return shapes.arm_error(
                404, "ResourceGroupNotFound", f"Resource group '{group}' could not be found."
            )
        if rest_lower[4] != "registries":
            return _no_route(request)
        if len(rest) == 5:
            return self._only(request, "GET", lambda: self._list_registries(request, group))
        registry = self._registry(group, rest[5])
        if registry is None:
            return shapes.not_found("registries", rest[5], group)
        tail, tail_lower = rest[6:], rest_lower[6:]
        if not tail:
            return self._only(
                request, "GET", lambda: self._json(shapes.registry_body(self._sub, registry))
            )
        if tail_lower == ["generatecredentials"]:
            return self._only(request, "POST", lambda: self._generate(request, registry))
        if tail_lower[0] not in ("scopemaps", "tokens"):
            return _no_route(request)
        kind = "scopeMaps" if tail_lower[0] == "scopemaps" else "tokens"
        if len(tail) == 1:
            return self._only(request, "GET", lambda: self._list_children(request, registry, kind))
        if len(tail) == 4 and tail_lower[2] == "operationstatuses":
            return self._only(request, "GET", lambda: self._operation_status(tail[3]))
        if len(tail) != 2:
            return _no_route(request)
        handlers = self._scope_map_routes if kind == "scopeMaps" else self._token_routes
        handler = handlers().get(request.method.upper())
        if handler is None:
            return _method_not_allowed(request)
        return handler(request, registry, tail[1])

    def _scope_map_routes(self) -> dict[str, Callable[[Request, RegistryState, str], Response]]:
        return {
            "GET": self._get_scope_map,
            "PUT": self._put_scope_map,
            "PATCH": self._patch_scope_map,
            "DELETE": self._delete_scope_map,
        }

    def _token_routes(self) -> dict[str, Callable[[Request, RegistryState, str], Response]]:
        return {
            "GET": self._get_token,
            "PUT": self._put_token,
            "PATCH": self._patch_token,
            "DELETE": self._delete_token,
        }

    @staticmethod
    def _only(request: Request, method: str, answer: Callable[[], Response]) -> Response:
        return answer() if request.method.upper() == method else _method_not_allowed(request)

    # --- registries ----------------------------------------------------------------------------

    @property
    def _sub(self) -> str:
        return self.state.subscription_id

    def _registries(self) -> list[RegistryState]:
        return sorted(self.state.registries.values(), key=lambda r: r.name.lower())

    def _registry(self, group: str, name: str) -> RegistryState | None:
        return next(
            (
                r
                for r in self._registries()
                if r.name.lower() == name.lower() and r.resource_group.lower() == group.lower()
            ),
            None,
        )

    def _list_registries(self, request: Request, group: str | None) -> Response:
        items = [
            shapes.registry_body(self._sub, r)
            for r in self._registries()
            if group is None or r.resource_group.lower() == group.lower()
        ]
        return self._page(request, items)

    def _page(self, request: Request, items: list[dict[str, Any]]) -> Response:
        """One page of ``items``; ``nextLink`` carries ``$skipToken`` to the next page."""
        start = int(request.arg("$skipToken") or 0)
        page: dict[str, Any] = {"value": items[start : start + self._page_size]}
        if start + self._page_size < len(items):
            page["nextLink"] = (
                f"{_origin(request)}{request.path}?api-version="
                f"{request.arg('api-version')}&$skipToken={start + self._page_size}"
            )
        return Response.of_json(200, page)

    def _list_children(self, request: Request, registry: RegistryState, kind: str) -> Response:
        if kind == "scopeMaps":
            items = [
                shapes.scope_map_body(self._sub, registry, s)
                for s in sorted(registry.scope_maps.values(), key=lambda s: s.name)
            ]
        else:
            items = [
                shapes.token_body(self._sub, registry, t)
                for t in sorted(registry.tokens.values(), key=lambda t: t.name)
            ]
        return self._page(request, items)

    # --- scope maps ----------------------------------------------------------------------------

    def _get_scope_map(self, request: Request, registry: RegistryState, name: str) -> Response:
        scope_map = _lookup(registry.scope_maps, name)
        if scope_map is None:
            return shapes.not_found("registries/scopeMaps", name, registry.resource_group)
        return self._json(shapes.scope_map_body(self._sub, registry, scope_map))

    def _put_scope_map(self, request: Request, registry: RegistryState, name: str) -> Response:
        if not SCOPE_MAP_NAME.match(name):
            return _bad_name("scope map", name, "5-50 letters, digits, '-' or '_'")
        properties = _properties(request)
        if properties is None:
            return _bad_body("a JSON object with 'properties'")
        actions, problem = _check_actions(properties.get("actions"))
        if problem:
            return shapes.arm_error(400, "InvalidScopeMapActions", problem)
        existing = _lookup(registry.scope_maps, name)
        if existing is None and len(registry.scope_maps) >= _limit(registry):
            return _quota(registry, "scope maps")
        if existing is not None and existing.system_defined:
            return shapes.arm_error(
                400, "SystemScopeMapCannotBeModified", f"Scope map '{name}' is system-defined."
            )
        description = str(properties.get("description") or "")
        if existing is None:
            scope_map = ScopeMap(name=name, actions=actions, description=description)
            registry.scope_maps[name] = scope_map
            body = shapes.scope_map_body(self._sub, registry, scope_map, "Creating")
            return self._accepted_for_polling(request, 201, body)
        existing.actions = actions
        existing.description = description
        return self._json(shapes.scope_map_body(self._sub, registry, existing))

    def _patch_scope_map(self, request: Request, registry: RegistryState, name: str) -> Response:
        scope_map = _lookup(registry.scope_maps, name)
        if scope_map is None:
            return shapes.not_found("registries/scopeMaps", name, registry.resource_group)
        properties = _properties(request)
        if properties is None:
            return _bad_body("a JSON object with 'properties'")
        if "actions" in properties:
            actions, problem = _check_actions(properties["actions"])
            if problem:
                return shapes.arm_error(400, "InvalidScopeMapActions", problem)
            scope_map.actions = actions
        if "description" in properties:
            scope_map.description = str(properties["description"] or "")
        body = shapes.scope_map_body(self._sub, registry, scope_map, "Updating")
        return self._accepted_for_polling(request, 201, body)

    def _delete_scope_map(self, request: Request, registry: RegistryState, name: str) -> Response:
        scope_map = _lookup(registry.scope_maps, name)
        if scope_map is None:
            return Response.empty(204)
        users = sorted(t.name for t in registry.tokens.values() if t.scope_map == scope_map.name)
        if users:
            return shapes.arm_error(
                409,
                "ScopeMapInUse",
                f"Scope map '{name}' is used by token(s) {', '.join(users)}; delete them first.",
            )
        del registry.scope_maps[scope_map.name]
        return self._deleted(request, registry)

    # --- tokens --------------------------------------------------------------------------------

    def _get_token(self, request: Request, registry: RegistryState, name: str) -> Response:
        token = _lookup(registry.tokens, name)
        if token is None:
            return shapes.not_found("registries/tokens", name, registry.resource_group)
        return self._json(shapes.token_body(self._sub, registry, token))

    def _put_token(self, request: Request, registry: RegistryState, name: str) -> Response:
        if not TOKEN_NAME.match(name):
            return _bad_name("token", name, "5-50 letters, digits or '-'")
        properties = _properties(request)
        if properties is None:
            return _bad_body("a JSON object with 'properties'")
        scope_map = self._scope_map_of(registry, properties.get("scopeMapId"))
        if scope_map is None:
            return shapes.arm_error(
                400,
                "InvalidScopeMapId",
                f"Scope map '{properties.get('scopeMapId')}' was not found in registry "
                f"'{registry.name}'.",
            )
        status = _status(properties.get("status", "enabled"))
        if status is None:
            return _bad_body("'status' of 'enabled' or 'disabled'")
        existing = _lookup(registry.tokens, name)
        if existing is None and len(registry.tokens) >= _limit(registry):
            return _quota(registry, "tokens")
        if existing is not None:
            existing.scope_map, existing.enabled = scope_map.name, status
            return self._json(shapes.token_body(self._sub, registry, existing))
        token = AcrToken(name=name, scope_map=scope_map.name, enabled=status)
        registry.tokens[name] = token
        body = shapes.token_body(self._sub, registry, token, "Creating")
        return self._accepted_for_polling(request, 201, body)

    def _patch_token(self, request: Request, registry: RegistryState, name: str) -> Response:
        token = _lookup(registry.tokens, name)
        if token is None:
            return shapes.not_found("registries/tokens", name, registry.resource_group)
        properties = _properties(request)
        if properties is None:
            return _bad_body("a JSON object with 'properties'")
        if "scopeMapId" in properties:
            scope_map = self._scope_map_of(registry, properties["scopeMapId"])
            if scope_map is None:
                return shapes.arm_error(
                    400, "InvalidScopeMapId", f"Scope map '{properties['scopeMapId']}' not found."
                )
            token.scope_map = scope_map.name
        if "status" in properties:
            status = _status(properties["status"])
            if status is None:
                return _bad_body("'status' of 'enabled' or 'disabled'")
            token.enabled = status
        body = shapes.token_body(self._sub, registry, token, "Updating")
        return self._accepted_for_polling(request, 201, body)

    def _delete_token(self, request: Request, registry: RegistryState, name: str) -> Response:
        token = _lookup(registry.tokens, name)
        if token is None:
            return Response.empty(204)
        del registry.tokens[token.name]
        return self._deleted(request, registry)

    def _scope_map_of(self, registry: RegistryState, scope_map_id: object) -> ScopeMap | None:
        if not isinstance(scope_map_id, str):
            return None
        prefix = shapes.registry_id(self._sub, registry).lower() + "/scopemaps/"
        if not scope_map_id.lower().startswith(prefix):
            return None
        found: ScopeMap | None = _lookup(registry.scope_maps, scope_map_id[len(prefix) :])
        return found

    # --- passwords -----------------------------------------------------------------------------

    def _generate(self, request: Request, registry: RegistryState) -> Response:
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("tokenId"), str):
            return _bad_body("a JSON object with 'tokenId'")
        prefix = shapes.registry_id(self._sub, registry).lower() + "/tokens/"
        token_id: str = body["tokenId"]
        token = (
            _lookup(registry.tokens, token_id[len(prefix) :])
            if token_id.lower().startswith(prefix)
            else None
        )
        if token is None:
            return shapes.not_found("registries/tokens", token_id, registry.resource_group)
        slot = body.get("name")
        if slot is not None and slot not in SLOTS:
            return _bad_body("'name' of 'password1' or 'password2'")
        expiry: datetime | None = None
        if body.get("expiry") is not None:
            expiry = _parse_time(body["expiry"])
            if expiry is None:
                return _bad_body("'expiry' as an RFC 3339 date-time")
        now = utcnow()
        fresh = [
            TokenPassword(name=name, value=new_password(), created=now, expiry=expiry)
            for name in ([slot] if slot else SLOTS)
        ]
        kept = [p for p in token.passwords if p.name not in {f.name for f in fresh}]
        token.passwords = sorted(kept + fresh, key=lambda p: p.name)
        return Response.of_json(
            200,
            {
                "username": token.name,
                "passwords": [shapes.password_body(p, with_value=True) for p in fresh],
            },
        )

    # --- long-running operations -----------------------------------------------------------------

    def _new_operation(self) -> str:
        operation = f"token-{uuid.uuid4()}"
        self._operations.add(operation)
        return operation

    def _accepted_for_polling(self, request: Request, status: int, body: Any) -> Response:
        """``status`` with an ``Azure-AsyncOperation`` that reports success on its first poll."""
        operation = self._new_operation()
        url = (
            f"{_origin(request)}{request.path}/operationStatuses/{operation}"
            f"?api-version={request.arg('api-version')}"
        )
        headers = [("Azure-AsyncOperation", url), ("Retry-After", "0")]
        return Response.of_json(status, body, headers)

    def _deleted(self, request: Request, registry: RegistryState) -> Response:
        """202 with a ``Location`` whose first poll answers 200: the resource is gone."""
        operation = self._new_operation()
        url = (
            f"{_origin(request)}/subscriptions/{self._sub}/providers/{shapes.PROVIDER}"
            f"/locations/{registry.location.upper()}/operationResults/{operation}"
            f"?api-version={request.arg('api-version')}"
        )
        return Response(
            202,
            [("Content-Type", "application/json"), ("Location", url), ("Retry-After", "0")],
            b"null",
        )

    def _operation_status(self, operation: str) -> Response:
        if operation not in self._operations:
            return shapes.arm_error(404, "OperationNotFound", f"Operation '{operation}' not found.")
        return Response.of_json(200, {"status": "Succeeded"})

    def _operation_result(self, operation: str) -> Response:
        if operation not in self._operations:
            return shapes.arm_error(404, "OperationNotFound", f"Operation '{operation}' not found.")
        return Response(200, [("Content-Type", "application/json")])

    @staticmethod
    def _json(body: Any) -> Response:
        return Response.of_json(200, body)


# --- helpers -----------------------------------------------------------------------------------


def _origin(request: Request) -> str:
    return f"https://{request.header('Host') or request.host or 'management.azure.com'}"


def _lookup(items: Mapping[str, Any], name: str) -> Any:
    """ARM names compare case-insensitively."""
    if name in items:
        return items[name]
    lowered = name.lower()
    return next((v for k, v in items.items() if k.lower() == lowered), None)


def _properties(request: Request) -> dict[str, Any] | None:
    try:
        body = request.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
        return None
    properties: dict[str, Any] = body["properties"]
    return properties


def _check_actions(actions: object) -> tuple[list[str], str]:
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


def _status(value: object) -> bool | None:
    if isinstance(value, str) and value.lower() in ("enabled", "disabled"):
        return value.lower() == "enabled"
    return None


def _parse_time(value: object) -> datetime | None:
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


def _limit(registry: RegistryState) -> int:
    return SKU_LIMITS.get(registry.sku.lower(), SKU_LIMITS["standard"])


def _quota(registry: RegistryState, what: str) -> Response:
    return shapes.arm_error(
        409,
        "QuotaExceeded",
        f"Registry '{registry.name}' ({registry.sku}) may hold at most {_limit(registry)} {what}.",
    )


def _bad_name(kind: str, name: str, rule: str) -> Response:
    return shapes.arm_error(
        400, "InvalidResourceName", f"The {kind} name '{name}' is invalid: use {rule}."
    )


def _bad_body(expected: str) -> Response:
    return shapes.arm_error(400, "InvalidRequestContent", f"The request body must be {expected}.")


def _no_route(request: Request) -> Response:
    return shapes.arm_error(
        404, "InvalidResourceType", f"No resource type is served at '{request.path}'."
    )


def _method_not_allowed(request: Request) -> Response:
    return shapes.arm_error(
        405,
        "MethodNotAllowed",
        f"The method '{request.method}' is not allowed on '{request.path}'.",
    )
