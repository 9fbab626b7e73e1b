"""The emulator's responses and the client's requests, held against the API subset schema.

Every exchange of a scripted session — each operation, each declared status — goes through
the real client (or a raw request) and the real emulator, and is checked by ``spec_shape``.
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
from .spec_shape import check_exchange, validate

Exchange = tuple[str, str, dict[str, list[str]], Any, int, bytes]


class Recorder:
    """A transport that records each exchange on its way to the emulator."""

    def __init__(self, emulator: PlatformEmulator) -> None:
        self.inner = bridge(emulator)
        self.exchanges: list[Exchange] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        body = json.loads(request.content) if request.content else None
        self.exchanges.append(
            (
                request.method,
                request.url.path,
                parse_qs(request.url.query.decode(), keep_blank_values=True),
                body,
                response.status_code,
                response.content,
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
            "keys": {"userName": "other", "registry": "sandboxacr.azurecr.io"},
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
    assert validate(json.loads(bad_request[5]), "ErrorResponse", "response", "400") == []

    statuses = {(m, p, s) for m, p, _, _, s, _ in recorder.exchanges}
    assert {s for _, _, s in statuses} >= {200, 204, 400, 401, 403, 409}
    assert len(recorder.exchanges) >= 18
    errors = [e for exchange in recorder.exchanges for e in check_exchange(*exchange)]
    assert errors == []


def test_the_api_prefix_serves_the_same_shapes(
    recorder: Recorder, http: httpx.Client, emulator: PlatformEmulator
) -> None:
    token = Secret(emulator.state.describe()["access_token"])
    client = PlatformClient(http, ENDPOINT + "/api", token)
    client.list_credentials(None)
    client.service_info()
    assert all(path.startswith("/api/") for _, path, *_ in recorder.exchanges)
    assert [e for ex in recorder.exchanges for e in check_exchange(*ex)] == []


def test_the_validator_catches_departures() -> None:
    """The checker itself must be able to fail, or the tests above prove nothing."""
    good: dict[str, Any] = {
        "id": "a",
        "name": "n",
        "provider": "container-reg",
        "keys": {
            "discriminator": "container-reg",
            "userName": "u",
            "registry": "r",
            "password": None,
        },
    }
    assert validate(good, "Credentials", "response", "c") == []
    leaked = {**good, "keys": {**good["keys"], "password": "secret"}}
    assert any("write-only" in e for e in validate(leaked, "Credentials", "response", "c"))
    assert any(
        "unknown field" in e
        for e in validate({**good, "regsitry": "x"}, "Credentials", "response", "c")
    )
    assert any(
        "not one of" in e
        for e in validate({**good, "provider": "docker"}, "Credentials", "response", "c")
    )
    assert any(
        "read-only" in e
        for e in validate(
            {**good, "dateCreated": "2024-01-01T00:00:00+00:00"}, "Credentials", "request", "c"
        )
    )
    assert any(
        "expected integer" in e for e in validate({"id": "7"}, "UserResponseDto", "response", "u")
    )
    assert (
        check_exchange(
            "GET", "/credentials", {"workspaceId": ["x"]}, None, 200, b'{"credentials": []}'
        )
        != []
    )
    assert check_exchange("GET", "/credentials/validate", {}, None, 201, b"") != []
