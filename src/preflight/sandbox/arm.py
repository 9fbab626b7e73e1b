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

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from preflight.sandbox import arm_rules as rules
from preflight.sandbox import arm_shapes as shapes
from preflight.sandbox.arm_operations import Operations
from preflight.sandbox.arm_routes import (
    PROVIDER_PATH,
    REGISTRY,
    RESOURCE_GROUP,
    SUBSCRIPTION,
    Place,
    Route,
    find,
)
from preflight.sandbox.http import Request, Response
from preflight.sandbox.state import (
    AcrToken,
    AzureState,
    RegistryState,
    ScopeMap,
    TokenPassword,
    new_password,
    utcnow,
)


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
        self._operations = Operations()
        self._routes = self._table()

    # --- entry point -------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        refusal = rules.refusal(request, self._verify)
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

    # --- routing -----------------------------------------------------------------------------

    def _table(self) -> tuple[Route, ...]:
        """Every path this ARM serves, as ARM writes it."""
        scope_maps, tokens = REGISTRY + "/scopeMaps", REGISTRY + "/tokens"
        return (
            Route("GET", f"{SUBSCRIPTION}/{PROVIDER_PATH}/registries", self._list_registries),
            Route(
                "GET",
                f"{SUBSCRIPTION}/{PROVIDER_PATH}/locations/{{location}}"
                "/operationResults/{operation}",
                lambda _, at: self._operations.result(at["operation"]),
            ),
            Route("GET", RESOURCE_GROUP + "/registries", self._list_registries),
            Route("GET", REGISTRY, self._get_registry),
            Route("POST", REGISTRY + "/generateCredentials", self._generate),
            Route(
                "GET", scope_maps, lambda r, at: self._list_children(r, at.registry, "scopeMaps")
            ),
            Route("GET", scope_maps + "/{name}", self._get_scope_map),
            Route("PUT", scope_maps + "/{name}", self._put_scope_map),
            Route("PATCH", scope_maps + "/{name}", self._patch_scope_map),
            Route("DELETE", scope_maps + "/{name}", self._delete_scope_map),
            Route("GET", scope_maps + "/{name}/operationStatuses/{operation}", self._poll),
            Route("GET", tokens, lambda r, at: self._list_children(r, at.registry, "tokens")),
            Route("GET", tokens + "/{name}", self._get_token),
            Route("PUT", tokens + "/{name}", self._put_token),
            Route("PATCH", tokens + "/{name}", self._patch_token),
            Route("DELETE", tokens + "/{name}", self._delete_token),
            Route("GET", tokens + "/{name}/operationStatuses/{operation}", self._poll),
        )

    def _route(self, request: Request, parts: list[str]) -> Response:
        lowered = [p.lower() for p in parts]
        if len(parts) < 2 or lowered[0] != "subscriptions":
            return rules.no_route(request)
        # ARM resolves the scopes a path names, outermost first, before the resource type.
        if parts[1].lower() != self.state.subscription_id.lower():
            return shapes.arm_error(
                404, "SubscriptionNotFound", f"The subscription '{parts[1]}' could not be found."
            )
        registry: RegistryState | None = None
        provider = ["providers", shapes.PROVIDER.lower()]
        if len(parts) >= 7 and lowered[2] == "resourcegroups" and lowered[4:6] == provider:
            group = parts[3]
            if not any(r.resource_group.lower() == group.lower() for r in self._registries()):
                return shapes.arm_error(
                    404, "ResourceGroupNotFound", f"Resource group '{group}' could not be found."
                )
            if len(parts) >= 8 and lowered[6] == "registries":
                registry = self._registry(group, parts[7])
                if registry is None:
                    return shapes.not_found("registries", parts[7], group)
        found = find(self._routes, request.method, parts)
        if found is True:
            return rules.method_not_allowed(request)
        if found is False:
            return rules.no_route(request)
        route, params = found
        return route.handler(request, Place(params, registry))

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

    def _list_registries(self, request: Request, at: Place) -> Response:
        group = at.params.get("group")
        items = [
            shapes.registry_body(self._sub, r)
            for r in self._registries()
            if group is None or r.resource_group.lower() == group.lower()
        ]
        return self._page(request, items)

    def _get_registry(self, request: Request, at: Place) -> Response:
        return self._json(shapes.registry_body(self._sub, at.registry))

    def _page(self, request: Request, items: list[dict[str, Any]]) -> Response:
        """One page of ``items``; ``nextLink`` carries ``$skipToken`` to the next page."""
        start = int(request.arg("$skipToken") or 0)
        page: dict[str, Any] = {"value": items[start : start + self._page_size]}
        if start + self._page_size < len(items):
            page["nextLink"] = (
                f"{rules.origin(request)}{request.path}?api-version="
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

    def _poll(self, request: Request, at: Place) -> Response:
        return self._operations.status(at["operation"])

    # --- scope maps ----------------------------------------------------------------------------

    def _get_scope_map(self, request: Request, at: Place) -> Response:
        registry, name = at.registry, at["name"]
        scope_map = rules.lookup(registry.scope_maps, name)
        if scope_map is None:
            return shapes.not_found("registries/scopeMaps", name, registry.resource_group)
        return self._json(shapes.scope_map_body(self._sub, registry, scope_map))

    def _put_scope_map(self, request: Request, at: Place) -> Response:
        registry, name = at.registry, at["name"]
        if not rules.SCOPE_MAP_NAME.match(name):
            return rules.bad_name("scope map", name, "5-50 letters, digits, '-' or '_'")
        properties = rules.properties(request)
        if properties is None:
            return rules.bad_body("a JSON object with 'properties'")
        actions, problem = rules.check_actions(properties.get("actions"))
        if problem:
            return shapes.arm_error(400, "InvalidScopeMapActions", problem)
        existing = rules.lookup(registry.scope_maps, name)
        if existing is None and len(registry.scope_maps) >= rules.limit(registry):
            return rules.quota(registry, "scope maps")
        if existing is not None and existing.system_defined:
            return shapes.arm_error(
                400, "SystemScopeMapCannotBeModified", f"Scope map '{name}' is system-defined."
            )
        description = str(properties.get("description") or "")
        if existing is None:
            scope_map = ScopeMap(name=name, actions=actions, description=description)
            registry.scope_maps[name] = scope_map
            body = shapes.scope_map_body(self._sub, registry, scope_map, "Creating")
            return self._operations.accepted(request, 201, body)
        existing.actions = actions
        existing.description = description
        return self._json(shapes.scope_map_body(self._sub, registry, existing))

    def _patch_scope_map(self, request: Request, at: Place) -> Response:
        registry, name = at.registry, at["name"]
        scope_map = rules.lookup(registry.scope_maps, name)
        if scope_map is None:
            return shapes.not_found("registries/scopeMaps", name, registry.resource_group)
        properties = rules.properties(request)
        if properties is None:
            return rules.bad_body("a JSON object with 'properties'")
        if "actions" in properties:
            actions, problem = rules.check_actions(properties["actions"])
            if problem:
                return shapes.arm_error(400, "InvalidScopeMapActions", problem)
            scope_map.actions = actions
        if "description" in properties:
            scope_map.description = str(properties["description"] or "")
        body = shapes.scope_map_body(self._sub, registry, scope_map, "Updating")
        return self._operations.accepted(request, 201, body)

    def _delete_scope_map(self, request: Request, at: Place) -> Response:
        registry, name = at.registry, at["name"]
        scope_map = rules.lookup(registry.scope_maps, name)
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
        return self._operations.deleted(request, self._sub, registry)

    # --- tokens --------------------------------------------------------------------------------

    def _get_token(self, request: Request, at: Place) -> Response:
        registry, name = at.registry, at["name"]
        token = rules.lookup(registry.tokens, name)
        if token is None:
            return shapes.not_found("registries/tokens", name, registry.resource_group)
        return self._json(shapes.token_body(self._sub, registry, token))

    def _put_token(self, request: Request, at: Place) -> Response:
        registry, name = at.registry, at["name"]
        if not rules.TOKEN_NAME.match(name):
            return rules.bad_name("token", name, "5-50 letters, digits or '-'")
        properties = rules.properties(request)
        if properties is None:
            return rules.bad_body("a JSON object with 'properties'")
        scope_map = self._scope_map_of(registry, properties.get("scopeMapId"))
        if scope_map is None:
            return shapes.arm_error(
                400,
                "InvalidScopeMapId",
                f"Scope map '{properties.get('scopeMapId')}' was not found in registry "
                f"'{registry.name}'.",
            )
        status = rules.status(properties.get("status", "enabled"))
        if status is None:
            return rules.bad_body("'status' of 'enabled' or 'disabled'")
        existing = rules.lookup(registry.tokens, name)
        if existing is None and len(registry.tokens) >= rules.limit(registry):
            return rules.quota(registry, "tokens")
        if existing is not None:
            existing.scope_map, existing.enabled = scope_map.name, status
            return self._json(shapes.token_body(self._sub, registry, existing))
        token = AcrToken(name=name, scope_map=scope_map.name, enabled=status)
        registry.tokens[name] = token
        body = shapes.token_body(self._sub, registry, token, "Creating")
        return self._operations.accepted(request, 201, body)

    def _patch_token(self, request: Request, at: Place) -> Response:
        registry, name = at.registry, at["name"]
        token = rules.lookup(registry.tokens, name)
        if token is None:
            return shapes.not_found("registries/tokens", name, registry.resource_group)
        properties = rules.properties(request)
        if properties is None:
            return rules.bad_body("a JSON object with 'properties'")
        if "scopeMapId" in properties:
            scope_map = self._scope_map_of(registry, properties["scopeMapId"])
            if scope_map is None:
                return shapes.arm_error(
                    400, "InvalidScopeMapId", f"Scope map '{properties['scopeMapId']}' not found."
                )
            token.scope_map = scope_map.name
        if "status" in properties:
            status = rules.status(properties["status"])
            if status is None:
                return rules.bad_body("'status' of 'enabled' or 'disabled'")
            token.enabled = status
        body = shapes.token_body(self._sub, registry, token, "Updating")
        return self._operations.accepted(request, 201, body)

    def _delete_token(self, request: Request, at: Place) -> Response:
        registry, name = at.registry, at["name"]
        token = rules.lookup(registry.tokens, name)
        if token is None:
            return Response.empty(204)
        del registry.tokens[token.name]
        return self._operations.deleted(request, self._sub, registry)

    def _scope_map_of(self, registry: RegistryState, scope_map_id: object) -> ScopeMap | None:
        if not isinstance(scope_map_id, str):
            return None
        prefix = shapes.registry_id(self._sub, registry).lower() + "/scopemaps/"
        if not scope_map_id.lower().startswith(prefix):
            return None
        found: ScopeMap | None = rules.lookup(registry.scope_maps, scope_map_id[len(prefix) :])
        return found

    # --- passwords -----------------------------------------------------------------------------

    def _generate(self, request: Request, at: Place) -> Response:
        registry = at.registry
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("tokenId"), str):
            return rules.bad_body("a JSON object with 'tokenId'")
        prefix = shapes.registry_id(self._sub, registry).lower() + "/tokens/"
        token_id: str = body["tokenId"]
        token = (
            rules.lookup(registry.tokens, token_id[len(prefix) :])
            if token_id.lower().startswith(prefix)
            else None
        )
        if token is None:
            return shapes.not_found("registries/tokens", token_id, registry.resource_group)
        slot = body.get("name")
        if slot is not None and slot not in rules.SLOTS:
            return rules.bad_body("'name' of 'password1' or 'password2'")
        expiry: datetime | None = None
        if body.get("expiry") is not None:
            expiry = rules.parse_time(body["expiry"])
            if expiry is None:
                return rules.bad_body("'expiry' as an RFC 3339 date-time")
        now = utcnow()
        fresh = [
            TokenPassword(name=name, value=new_password(), created=now, expiry=expiry)
            for name in ([slot] if slot else rules.SLOTS)
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

    @staticmethod
    def _json(body: Any) -> Response:
        return Response.of_json(200, body)
