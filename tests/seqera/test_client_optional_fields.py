"""The client reads the Platform's optional fields whether the service leaves them out or sends
``null``: the description marks them not nullable, the service has sent both.

Each case is served twice by a scripted server — once with the field absent, once ``null`` — and
the client must read the same thing both times.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from preflight.secret import Secret
from preflight.seqera.client import PlatformClient

ENDPOINT = "https://platform.test"
Shape = Callable[[dict[str, Any], str], dict[str, Any]]


def absent(row: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != name}


def null(row: dict[str, Any], name: str) -> dict[str, Any]:
    return {**row, name: None}


@pytest.fixture(params=[absent, null], ids=["absent", "null"])
def shape(request: pytest.FixtureRequest) -> Shape:
    chosen: Shape = request.param
    return chosen


@pytest.fixture
def serve() -> Iterator[Callable[[dict[str, Any]], PlatformClient]]:
    made: list[httpx.Client] = []

    def make(payload: dict[str, Any]) -> PlatformClient:
        transport = httpx.MockTransport(lambda _: httpx.Response(200, json=payload))
        http = httpx.Client(transport=transport, timeout=5.0)
        made.append(http)
        return PlatformClient(http, ENDPOINT, Secret("t0ken-t0ken"), sleep=lambda _: None)

    yield make
    for http in made:
        http.close()


CREDENTIAL = {
    "id": "1S7A9csbEQOsudkVFRLckq",
    "name": "acr",
    "provider": "container-reg",
    "description": "pull",
    "baseUrl": "https://x",
    "category": "c",
    "dateCreated": "2022-12-07T12:28:31.485811+01:00",
    "lastUpdated": "2022-12-07T12:28:31.485811+01:00",
    "keys": {"discriminator": "container-reg", "userName": "u", "registry": "r.azurecr.io"},
}


@pytest.mark.parametrize(
    "field", ["description", "baseUrl", "category", "dateCreated", "lastUpdated", "lastUsed"]
)
def test_credential_fields(serve: Callable[..., PlatformClient], shape: Shape, field: str) -> None:
    (credential,) = serve({"credentials": [shape(CREDENTIAL, field)]}).list_credentials(7)
    assert (credential.name, credential.registry, credential.user_name) == (
        "acr",
        "r.azurecr.io",
        "u",
    )
    if field in ("dateCreated", "lastUpdated"):
        assert (
            getattr(credential, "date_created" if field == "dateCreated" else "last_updated")
            is None
        )


@pytest.mark.parametrize("field", ["password", "registry", "userName", "discriminator"])
def test_credential_keys(serve: Callable[..., PlatformClient], shape: Shape, field: str) -> None:
    keys = CREDENTIAL["keys"]
    assert isinstance(keys, dict)
    row = {**CREDENTIAL, "keys": shape(keys, field)}
    (credential,) = serve({"credentials": [row]}).list_credentials(7)
    assert credential.registry == (None if field == "registry" else "r.azurecr.io")
    assert credential.user_name == (None if field == "userName" else "u")


def test_credential_without_keys(serve: Callable[..., PlatformClient], shape: Shape) -> None:
    (credential,) = serve({"credentials": [shape(CREDENTIAL, "keys")]}).list_credentials(7)
    assert (credential.registry, credential.user_name) == (None, None)


ORG_ROW = {"orgId": 1, "orgName": "acme", "orgLogoUrl": "l", "orgType": "pro", "roles": []}
WORKSPACE_ROW = {
    **ORG_ROW,
    "workspaceId": 11,
    "workspaceName": "pipelines",
    "workspaceFullName": "Acme pipelines",
    "visibility": "PRIVATE",
    "roles": ["owner"],
}


@pytest.mark.parametrize("field", ["workspaceId", "workspaceName", "workspaceFullName"])
def test_organisation_rows_are_skipped(
    serve: Callable[..., PlatformClient], shape: Shape, field: str
) -> None:
    org_row = shape({**ORG_ROW, "workspaceId": 0}, "workspaceId")
    org_row = shape(org_row, field)
    found = serve({"orgsAndWorkspaces": [org_row, WORKSPACE_ROW]}).workspaces(4)
    assert [(w.id, w.full_name, w.role) for w in found] == [(11, "acme/pipelines", "owner")]


@pytest.mark.parametrize("field", ["orgLogoUrl", "visibility", "workspaceFullName", "orgType"])
def test_workspace_row_fields(
    serve: Callable[..., PlatformClient], shape: Shape, field: str
) -> None:
    (found,) = serve({"orgsAndWorkspaces": [shape(WORKSPACE_ROW, field)]}).workspaces(4)
    assert (found.id, found.full_name) == (11, "acme/pipelines")


def test_workspace_roles(serve: Callable[..., PlatformClient], shape: Shape) -> None:
    (found,) = serve({"orgsAndWorkspaces": [shape(WORKSPACE_ROW, "roles")]}).workspaces(4)
    assert found.role == "view"  # an unreadable role list is the weakest role


@pytest.mark.parametrize("field", ["userName", "email"])
def test_user_fields(serve: Callable[..., PlatformClient], shape: Shape, field: str) -> None:
    user = {"id": 4, "userName": "demo", "email": "d@example.org"}
    found = serve({"user": shape(user, field)}).user_info()
    assert found.id == 4
    assert (found.user_name, found.email) == (
        "" if field == "userName" else "demo",
        "" if field == "email" else "d@example.org",
    )
