"""The emulator's responses and the client's requests, held against the API description.

Every exchange of a scripted session — each operation, each declared status — goes through
the real client (or a raw request) and the real emulator, and is checked by openapi-core
(``openapi_check``). The suite-wide plug-in (``platform_contract``) checks every other test's
exchanges the same way; here each status is reached on purpose, and the checker is shown able to
fail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from preflight.errors import InputError, PlatformError
from preflight.sandbox.platform import PlatformEmulator
from preflight.sandbox.platform_state import VIEWER_USER
from preflight.secret import Secret
from preflight.seqera.client import PlatformClient

from .conftest import ENDPOINT, bridge
from .openapi_check import Exchange, check


class Recorder:
    """A transport that records each exchange on its way to the emulator."""

    def __init__(self, emulator: PlatformEmulator) -> None:
        self.inner = bridge(emulator)
        self.exchanges: list[Exchange] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        self.exchanges.append(
            Exchange(
                method=request.method,
                path=request.url.path,
                query=parse_qs(request.url.query.decode(), keep_blank_values=True),
                request_headers=tuple(request.headers.multi_items()),
                request_body=request.content,
                status=response.status_code,
                response_headers=tuple(response.headers.multi_items()),
                response_body=response.content,
            )
        )
        return response


@pytest.fixture
def recorder(emulator: PlatformEmulator) -> Recorder:
    return Recorder(emulator)


@pytest.fixture
def http(recorder: Recorder) -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.MockTransport(recorder.handle), timeout=5.0) as client:
        yield client


def raw(http: httpx.Client, method: str, path: str, token: str | None, **kwargs: Any) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return http.request(method, ENDPOINT + path, headers=headers, **kwargs).status_code


@pytest.mark.platform_off_spec_requests  # one malformed workspaceId, checked below
def test_every_operation_and_status_conforms(
    emulator: PlatformEmulator, recorder: Recorder, http: httpx.Client
) -> None:
    state = emulator.state
    token = state.describe()["access_token"]
    viewer = state.token_of(VIEWER_USER)
    ws = state.workspace_by_name("acme", "pipelines").id
    client = PlatformClient(http, ENDPOINT, Secret(token), sleep=lambda _: None)

    client.service_info()
    user = client.user_info()
    client.workspaces(user.id)
    assert raw(http, "GET", "/orgs", token) == 200
    assert raw(http, "GET", "/orgs/77001/workspaces", token) == 200
    client.list_credentials(ws)
    client.list_credentials(None)
    client.validate_credential_name("acr-sandbox", ws)  # 204
    new_id = client.create_credential(
        ws,
        name="acr-sandbox",
        registry="sandboxacr.azurecr.io",
        user_name="preflight-pull",
        password=Secret("pw-123456"),
    )
    with pytest.raises(InputError):
        client.validate_credential_name("acr-sandbox", ws)  # 409
    with pytest.raises(InputError):
        client.validate_credential_name("bad name!", ws)  # 400
    assert raw(http, "GET", f"/credentials/{new_id}", token, params={"workspaceId": ws}) == 200
    assert (
        raw(
            http,
            "GET",
            f"/credentials/{new_id}/keys",
            token,
            params={"workspaceId": ws, "pairingId": "p1"},
        )
        == 200
    )
    update = {
        "credentials": {
            "name": "acr-sandbox",
            "provider": "container-reg",
            "keys": {
                "discriminator": "container-reg",
                "userName": "other",
                "registry": "sandboxacr.azurecr.io",
            },
        }
    }
    assert (
        raw(http, "PUT", f"/credentials/{new_id}", token, params={"workspaceId": ws}, json=update)
        == 204
    )
    with pytest.raises(PlatformError):
        client.create_credential(
            ws, name="bad name!", registry="r", user_name="u", password=Secret("pw-pw")
        )  # 400
    viewer_client = PlatformClient(http, ENDPOINT, Secret(viewer), sleep=lambda _: None)
    with pytest.raises(PlatformError):
        viewer_client.create_credential(
            ws, name="x1", registry="r", user_name="u", password=Secret("pw-pw")
        )  # 403
    assert raw(http, "GET", "/credentials", None) == 401
    client.delete_credential(new_id, ws)  # 204
    assert raw(http, "GET", "/credentials", token, params={"workspaceId": "abc"}) == 400
    bad_request = recorder.exchanges.pop()  # its query departs from the spec on purpose
    assert any(": request: " in e for e in check(bad_request))
    assert not any(": response: " in e for e in check(bad_request))  # a valid ErrorResponse

    statuses = {(e.method, e.path, e.status) for e in recorder.exchanges}
    assert {s for _, _, s in statuses} >= {200, 204, 400, 401, 403, 409}
    assert len(recorder.exchanges) >= 18
    errors = [e for exchange in recorder.exchanges for e in check(exchange)]
    assert errors == []


def test_the_api_prefix_serves_the_same_shapes(
    recorder: Recorder, http: httpx.Client, emulator: PlatformEmulator
) -> None:
    token = Secret(emulator.state.describe()["access_token"])
    client = PlatformClient(http, ENDPOINT + "/api", token)
    client.list_credentials(None)
    client.service_info()
    assert all(e.path.startswith("/api/") for e in recorder.exchanges)
    assert [e for ex in recorder.exchanges for e in check(ex)] == []


def _response(path: str, payload: Any, status: int = 200, method: str = "GET") -> Exchange:
    return Exchange(
        method=method,
        path=path,
        query={},
        request_headers=(("Authorization", "Bearer t"),),
        request_body=b"",
        status=status,
        response_headers=(("Content-Type", "application/json"),),
        response_body=json.dumps(payload).encode() if payload is not None else b"",
    )


def test_the_validator_catches_departures() -> None:
    """The checker itself must be able to fail, or the tests above prove nothing."""
    good: dict[str, Any] = {
        "id": "a",
        "name": "n",
        "provider": "container-reg",
        "keys": {"discriminator": "container-reg", "userName": "u", "registry": "r"},
    }

    def listing(credential: dict[str, Any]) -> list[str]:
        return check(_response("/credentials", {"credentials": [credential]}))

    assert listing(good) == []
    assert any(
        "write-only" in e for e in listing({**good, "keys": {**good["keys"], "password": "s"}})
    )
    assert any("nullable" in e for e in listing({**good, "description": None}))
    assert any("regsitry" in e for e in listing({**good, "regsitry": "x"}))  # closed objects
    assert any("docker" in e for e in listing({**good, "provider": "docker"}))
    assert check(_response("/user-info", {"user": {"id": "7"}})) != []
    org_row = {"orgId": 1, "orgName": "acme", "workspaceId": None, "roles": []}
    assert check(_response("/user/1/workspaces", {"orgsAndWorkspaces": [org_row]})) != []
    assert check(_response("/credentials/validate", None, status=201)) != []
    bad_query = Exchange(
        **{
            **_response("/credentials", {"credentials": []}).__dict__,
            "query": {"workspaceId": ["x"]},
        }
    )
    assert any(": request: " in e for e in check(bad_query))
    keys_without_discriminator = {
        "credentials": {"name": "n", "provider": "container-reg", "keys": {"userName": "u"}}
    }
    unsent = Exchange(
        **{
            **_response("/credentials", {"credentialsId": "x"}, method="POST").__dict__,
            "request_body": json.dumps(keys_without_discriminator).encode(),
            "request_headers": (
                ("Authorization", "Bearer t"),
                ("Content-Type", "application/json"),
            ),
        }
    )
    assert any("discriminat" in e for e in check(unsent))


def test_departures_never_show_a_secret() -> None:
    body = {
        "credentials": {
            "name": "n",
            "provider": "container-reg",
            "keys": {"password": "pw-s3cr3t-1"},
        }
    }
    exchange = Exchange(
        method="POST",
        path="/credentials",
        query={},
        request_headers=(
            ("Authorization", "Bearer tok-s3cr3t-2"),
            ("Content-Type", "application/json"),
        ),
        request_body=json.dumps(body).encode(),
        status=200,
        response_headers=(("Content-Type", "application/json"),),
        response_body=b'{"credentialsId": "x"}',
    )
    errors = check(exchange)
    assert errors and "<hidden>" in " ".join(errors)
    assert not any("pw-s3cr3t-1" in e or "tok-s3cr3t-2" in e for e in errors)
