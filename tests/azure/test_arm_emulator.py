"""The ARM emulator's contract, called directly: auth, routing, shapes, LRO headers, state."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import pytest

from preflight.sandbox.arm import ArmEmulator
from preflight.sandbox.http import Request, Response
from preflight.sandbox.state import AcrToken, AzureState, RegistryState, ScopeMap

SUB = "11111111-2222-3333-4444-555555555555"
API = "2025-11-01"
PROVIDER = "Microsoft.ContainerRegistry"
RG = f"/subscriptions/{SUB}/resourceGroups/rg-one/providers/Microsoft.ContainerRegistry"
REG = f"{RG}/registries/oneacr"


AUDIENCES = {"good": "https://management.azure.com/", "acr": "https://containerregistry.azure.net"}


def verify(token: str) -> Mapping[str, Any]:
    if token not in AUDIENCES:
        raise ValueError("bad token")
    return {"aud": AUDIENCES[token]}


@pytest.fixture
def state() -> AzureState:
    azure = AzureState(tenant_id="t", subscription_id=SUB, client_id="c", client_secret="s")
    one = RegistryState(name="oneacr", login_server="oneacr.azurecr.io", resource_group="rg-one")
    one.repositories = {"team/app": ["1.0"], "team/tool": ["2.1"]}
    two = RegistryState(
        name="twoacr", login_server="twoacr.azurecr.io", resource_group="rg-two", sku="Basic"
    )
    azure.registries = {r.login_server: r for r in (one, two)}
    return azure


@pytest.fixture
def arm(state: AzureState) -> ArmEmulator:
    return ArmEmulator(state, verify)


def call(
    arm: ArmEmulator,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = "good",
    api: str | None = API,
    query: Mapping[str, list[str]] | None = None,
) -> Response:
    headers = [("Host", "127.0.0.1:9999")]
    if token is not None:
        headers.append(("Authorization", f"Bearer {token}"))
    params = dict(query or {})
    if api:
        params["api-version"] = [api]
    return arm.handle(
        Request(
            method=method,
            path=path,
            query=params,
            headers=tuple(headers),
            body=json.dumps(body).encode() if body is not None else b"",
            host="127.0.0.1",
        )
    )


def payload(response: Response) -> Any:
    assert isinstance(response.body, bytes)
    return json.loads(response.body)


def header(response: Response, name: str) -> str | None:
    return next((v for k, v in response.headers if k.lower() == name.lower()), None)


def path_of(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    query: dict[str, list[str]] = {}
    for pair in parts.query.split("&"):
        key, _, value = pair.partition("=")
        query.setdefault(key, []).append(value)
    return parts.path, query


def test_requests_without_a_bearer_token_get_arms_401(arm: ArmEmulator) -> None:
    missing = call(
        arm,
        "GET",
        f"/subscriptions/{SUB}/providers/Microsoft.ContainerRegistry/registries",
        token=None,
    )
    forged = call(
        arm,
        "GET",
        f"/subscriptions/{SUB}/providers/Microsoft.ContainerRegistry/registries",
        token="forged",
    )
    wrong_audience = call(arm, "GET", REG, token="acr")
    assert missing.status == forged.status == wrong_audience.status == 401
    assert "wrong audience" in payload(wrong_audience)["error"]["message"]
    assert payload(missing)["error"]["code"] == "AuthenticationFailed"
    assert payload(forged)["error"]["code"] == "InvalidAuthenticationToken"


def test_api_version_is_required(arm: ArmEmulator) -> None:
    response = call(arm, "GET", f"{REG}", api=None)
    assert response.status == 400
    assert payload(response)["error"]["code"] == "MissingApiVersionParameter"


def test_registries_are_listed_in_the_subscription_and_by_resource_group(arm: ArmEmulator) -> None:
    everything = payload(
        call(arm, "GET", f"/subscriptions/{SUB}/providers/Microsoft.ContainerRegistry/registries")
    )
    assert [r["properties"]["loginServer"] for r in everything["value"]] == [
        "oneacr.azurecr.io",
        "twoacr.azurecr.io",
    ]
    first = everything["value"][0]
    assert first["id"] == REG
    assert first["type"] == "Microsoft.ContainerRegistry/registries"
    assert first["sku"] == {"name": "Standard", "tier": "Standard"}
    assert first["properties"]["provisioningState"] == "Succeeded"
    in_group = payload(
        call(
            arm,
            "GET",
            f"/subscriptions/{SUB}/resourceGroups/RG-TWO/providers/Microsoft.ContainerRegistry/registries",
        )
    )
    assert [r["name"] for r in in_group["value"]] == ["twoacr"]
    assert payload(call(arm, "GET", REG))["name"] == "oneacr"


def test_unknown_subscription_group_and_registry_are_404s(arm: ArmEmulator) -> None:
    other = call(arm, "GET", "/subscriptions/0/providers/Microsoft.ContainerRegistry/registries")
    group = call(
        arm,
        "GET",
        f"/subscriptions/{SUB}/resourceGroups/nope/providers/Microsoft.ContainerRegistry/registries",
    )
    registry = call(arm, "GET", f"{RG}/registries/nope")
    assert [other.status, group.status, registry.status] == [404, 404, 404]
    assert payload(other)["error"]["code"] == "SubscriptionNotFound"
    assert payload(group)["error"]["code"] == "ResourceGroupNotFound"
    assert payload(registry)["error"]["code"] == "ResourceNotFound"


def test_listing_pages_with_next_link(state: AzureState) -> None:
    arm = ArmEmulator(state, verify, page_size=1)
    first = payload(
        call(arm, "GET", f"/subscriptions/{SUB}/providers/Microsoft.ContainerRegistry/registries")
    )
    assert len(first["value"]) == 1 and first["nextLink"].startswith("https://127.0.0.1:9999/")
    path, query = path_of(first["nextLink"])
    second = payload(call(arm, "GET", path, query={"$skipToken": query["$skipToken"]}))
    assert [r["name"] for r in second["value"]] == ["twoacr"] and "nextLink" not in second


def test_scope_map_and_token_lifecycle_changes_the_shared_state(
    arm: ArmEmulator, state: AzureState
) -> None:
    actions = ["repositories/team/app/content/read"]
    created = call(
        arm, "PUT", f"{REG}/scopeMaps/reader-scope", {"properties": {"actions": actions}}
    )
    assert created.status == 201
    assert payload(created)["properties"]["provisioningState"] == "Creating"
    assert header(created, "Retry-After") == "0"
    poll_path, _ = path_of(header(created, "Azure-AsyncOperation") or "")
    assert poll_path.startswith(f"{REG}/scopeMaps/reader-scope/operationStatuses/token-")
    assert payload(call(arm, "GET", poll_path)) == {"status": "Succeeded"}

    token = call(
        arm,
        "PUT",
        f"{REG}/tokens/reader",
        {"properties": {"scopeMapId": f"{REG}/scopeMaps/reader-scope", "status": "enabled"}},
    )
    assert token.status == 201
    body = payload(token)
    assert body["properties"]["credentials"] == {"certificates": [], "passwords": []}
    registry = state.registries["oneacr.azurecr.io"]
    assert registry.tokens["reader"].scope_map == "reader-scope"
    assert registry.granted_actions(registry.tokens["reader"], "team/app") == {"pull"}

    patched = call(
        arm,
        "PATCH",
        f"{REG}/scopeMaps/reader-scope",
        {"properties": {"actions": [*actions, "repositories/team/tool/content/read"]}},
    )
    assert patched.status == 201 and header(patched, "Azure-AsyncOperation")
    assert registry.granted_actions(registry.tokens["reader"], "team/tool") == {"pull"}

    disabled = call(arm, "PATCH", f"{REG}/tokens/reader", {"properties": {"status": "disabled"}})
    assert disabled.status == 201 and registry.tokens["reader"].enabled is False
    listed = payload(call(arm, "GET", f"{REG}/tokens"))
    assert [t["properties"]["status"] for t in listed["value"]] == ["disabled"]


def test_put_on_an_existing_resource_replaces_it_synchronously(arm: ArmEmulator) -> None:
    body = {"properties": {"actions": ["repositories/a/content/read"]}}
    assert call(arm, "PUT", f"{REG}/scopeMaps/reader-scope", body).status == 201
    again = call(
        arm,
        "PUT",
        f"{REG}/scopeMaps/reader-scope",
        {"properties": {"actions": ["repositories/b/content/read"]}},
    )
    assert again.status == 200 and header(again, "Azure-AsyncOperation") is None
    assert payload(again)["properties"]["actions"] == ["repositories/b/content/read"]


def test_generate_credentials_returns_values_once_and_stores_dates(
    arm: ArmEmulator, state: AzureState
) -> None:
    registry = state.registries["oneacr.azurecr.io"]
    registry.scope_maps["reader-scope"] = ScopeMap(
        "reader-scope", ["repositories/team/app/content/read"]
    )
    registry.tokens["reader"] = AcrToken("reader", "reader-scope")
    one = call(
        arm,
        "POST",
        f"{REG}/generateCredentials",
        {"tokenId": f"{REG}/tokens/reader", "name": "password1"},
    )
    assert one.status == 200
    result = payload(one)
    assert result["username"] == "reader"
    [password] = result["passwords"]
    assert password["name"] == "password1" and "expiry" not in password
    assert state.authenticate("oneacr.azurecr.io", "reader", password["value"])

    both = payload(
        call(
            arm,
            "POST",
            f"{REG}/generateCredentials",
            {"tokenId": f"{REG}/tokens/reader", "expiry": "2030-01-01T00:00:00.1234567Z"},
        )
    )
    assert [p["name"] for p in both["passwords"]] == ["password1", "password2"]
    assert all(p["expiry"].startswith("2030-01-01T00:00:00.123456") for p in both["passwords"])
    shown = payload(call(arm, "GET", f"{REG}/tokens/reader"))["properties"]["credentials"]
    assert [p["name"] for p in shown["passwords"]] == ["password1", "password2"]
    assert all("value" not in p for p in shown["passwords"])
    # The first password1 was replaced: it no longer authenticates.
    from preflight.sandbox.state import AuthRefused

    with pytest.raises(AuthRefused):
        state.authenticate("oneacr.azurecr.io", "reader", password["value"])


def test_generate_credentials_for_an_unknown_token_is_404(arm: ArmEmulator) -> None:
    response = call(arm, "POST", f"{REG}/generateCredentials", {"tokenId": f"{REG}/tokens/ghost"})
    assert response.status == 404


def test_delete_answers_202_with_location_then_204_when_gone(
    arm: ArmEmulator, state: AzureState
) -> None:
    registry = state.registries["oneacr.azurecr.io"]
    registry.scope_maps["reader-scope"] = ScopeMap(
        "reader-scope", ["repositories/team/app/content/read"]
    )
    registry.tokens["reader"] = AcrToken("reader", "reader-scope")
    in_use = call(arm, "DELETE", f"{REG}/scopeMaps/reader-scope")
    assert in_use.status == 409 and payload(in_use)["error"]["code"] == "ScopeMapInUse"
    deleted = call(arm, "DELETE", f"{REG}/tokens/reader")
    assert deleted.status == 202 and deleted.body == b"null"
    location, _ = path_of(header(deleted, "Location") or "")
    assert (
        "/providers/Microsoft.ContainerRegistry/locations/WESTEUROPE/operationResults/" in location
    )
    assert call(arm, "GET", location).status == 200
    assert "reader" not in registry.tokens
    assert call(arm, "DELETE", f"{REG}/tokens/reader").status == 204
    assert call(arm, "DELETE", f"{REG}/scopeMaps/reader-scope").status == 202
    assert call(arm, "GET", f"{REG}/scopeMaps/reader-scope").status == 404


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        (
            f"{REG}/tokens/bad_name",
            {"properties": {"scopeMapId": f"{REG}/scopeMaps/x"}},
            "InvalidResourceName",
        ),
        (
            f"{REG}/tokens/abcd",
            {"properties": {"scopeMapId": f"{REG}/scopeMaps/x"}},
            "InvalidResourceName",
        ),
        (
            f"{REG}/tokens/reader",
            {"properties": {"scopeMapId": f"{REG}/scopeMaps/missing"}},
            "InvalidScopeMapId",
        ),
        (
            f"{REG}/scopeMaps/reader-scope",
            {"properties": {"actions": []}},
            "InvalidScopeMapActions",
        ),
        (
            f"{REG}/scopeMaps/reader-scope",
            {"properties": {"actions": ["repositories/a*/content/read"]}},
            "InvalidScopeMapActions",
        ),
        (
            f"{REG}/scopeMaps/reader-scope",
            {"properties": {"actions": ["repositories/a/pull"]}},
            "InvalidScopeMapActions",
        ),
        (
            f"{REG}/scopeMaps/reader-scope",
            {"properties": {"actions": [f"repositories/r{i}/content/read" for i in range(501)]}},
            "InvalidScopeMapActions",
        ),
        (f"{REG}/scopeMaps/reader-scope", {"nothing": 1}, "InvalidRequestContent"),
    ],
)
def test_invalid_puts_are_refused_with_400(
    arm: ArmEmulator, path: str, body: Any, code: str
) -> None:
    response = call(arm, "PUT", path, body)
    assert response.status == 400
    assert payload(response)["error"]["code"] == code


def test_wildcards_are_accepted_only_trailing(arm: ArmEmulator, state: AzureState) -> None:
    actions = ["repositories/team/*/content/read", "repositories/*/metadata/read"]
    assert (
        call(arm, "PUT", f"{REG}/scopeMaps/wild-scope", {"properties": {"actions": actions}}).status
        == 201
    )


def test_token_quota_follows_the_sku(arm: ArmEmulator, state: AzureState) -> None:
    basic = state.registries["twoacr.azurecr.io"]
    basic.scope_maps["reader-scope"] = ScopeMap("reader-scope", ["repositories/a/content/read"])
    basic.tokens = {f"tok{i:03d}": AcrToken(f"tok{i:03d}", "reader-scope") for i in range(100)}
    reg = f"/subscriptions/{SUB}/resourceGroups/rg-two/providers/{PROVIDER}/registries/twoacr"
    response = call(
        arm,
        "PUT",
        f"{reg}/tokens/one-more",
        {"properties": {"scopeMapId": f"{reg}/scopeMaps/reader-scope"}},
    )
    assert response.status == 409 and payload(response)["error"]["code"] == "QuotaExceeded"


def test_unknown_operation_ids_are_404(arm: ArmEmulator) -> None:
    assert call(arm, "GET", f"{REG}/tokens/reader/operationStatuses/token-nope").status == 404
