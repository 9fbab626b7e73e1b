"""The Platform client in isolation: requests it sends, retries, and how every failure reads.

Scripted servers are httpx ``MockTransport`` handlers; sleeping is recorded, never done.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest
from tests.net.scripted_server import Server

from preflight.errors import InputError, PlatformError
from preflight.secret import Secret
from preflight.seqera.client import PlatformClient, build_platform_client, web_url
from preflight.settings import Settings

TOKEN = "tok-ABCDEF-123456-secret"
ENDPOINT = "https://api.cloud.seqera.io"

MakeClient = Callable[..., PlatformClient]


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client_for(sleeps: list[float]) -> Iterator[Callable[..., PlatformClient]]:
    made: list[httpx.Client] = []

    def make(server: Server, endpoint: str = ENDPOINT, **kwargs: object) -> PlatformClient:
        http = httpx.Client(transport=httpx.MockTransport(server), timeout=5.0)
        made.append(http)
        return PlatformClient(http, endpoint, Secret(TOKEN), sleep=sleeps.append, **kwargs)  # type: ignore[arg-type]

    yield make
    for http in made:
        http.close()


def ok(payload: object, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=payload, headers=headers)


def assert_no_token(exc: BaseException) -> None:
    text = f"{exc} {exc!r} {getattr(exc, 'remedy', '')} {getattr(exc, 'where', '')}"
    assert TOKEN not in text


CRED_LIST = {
    "credentials": [
        {
            "id": "1S7A9csbEQOsudkVFRLckq",
            "name": "quay",
            "provider": "container-reg",
            "dateCreated": "2022-12-07T12:28:31.485811+01:00",
            "lastUpdated": "2022-12-07T12:28:31.485811+01:00",
            "keys": {
                "userName": "andrea",
                "password": None,
                "registry": "quay.io",
                "discriminator": "container-reg",
            },
        },
        {
            "id": "2",
            "name": "hub",
            "provider": "container-reg",
            "keys": {"userName": "x", "password": None, "registry": None},
        },
        {"id": "3", "name": "aws", "provider": "aws", "keys": {"accessKey": "AKIA"}},
    ]
}


def test_requests_carry_bearer_token_and_workspace(client_for: MakeClient) -> None:
    server = Server(ok(CRED_LIST))
    creds = client_for(server).list_credentials(42)
    request = server.requests[0]
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.url.path == "/credentials"
    assert request.url.params["workspaceId"] == "42"
    assert [(c.name, c.registry, c.user_name, c.workspace_id) for c in creds] == [
        ("quay", "quay.io", "andrea", 42),
        ("hub", None, "x", 42),
        ("aws", None, None, 42),
    ]
    assert creds[0].date_created == "2022-12-07T12:28:31.485811+01:00"


def test_personal_workspace_sends_no_workspace_id(client_for: MakeClient) -> None:
    server = Server(ok({"credentials": []}))
    client_for(server).list_credentials(None)
    assert "workspaceId" not in server.requests[0].url.params


def test_enterprise_endpoint_keeps_api_prefix(client_for: MakeClient) -> None:
    server = Server(ok({"user": {"id": 7, "userName": "u", "email": "e"}}))
    user = client_for(server, endpoint="https://platform.example.com/api/").user_info()
    assert str(server.requests[0].url) == "https://platform.example.com/api/user-info"
    assert (user.id, user.user_name, user.email) == (7, "u", "e")


def test_workspaces_skip_org_rows_and_take_strongest_role(
    client_for: MakeClient,
) -> None:
    rows = {
        "orgsAndWorkspaces": [
            {
                "orgId": 1,
                "orgName": "acme",
                "workspaceId": None,
                "workspaceName": None,
                "roles": [],
            },
            {
                "orgId": 1,
                "orgName": "acme",
                "workspaceId": 10,
                "workspaceName": "ws",
                "roles": ["launch", "admin"],
            },
        ]
    }
    [ws] = client_for(Server(ok(rows))).workspaces(5)
    assert (ws.id, ws.full_name, ws.role, ws.personal) == (10, "acme/ws", "admin", False)


def test_create_credential_body_and_id(client_for: MakeClient) -> None:
    server = Server(ok({"credentialsId": "5JFPt8U5J4zYcnjD7qQaiF"}))
    new_id = client_for(server).create_credential(
        9, name="acr-x", registry="x.azurecr.io", user_name="preflight-x", password=Secret("pw-1")
    )
    assert new_id == "5JFPt8U5J4zYcnjD7qQaiF"
    request = server.requests[0]
    assert request.method == "POST" and request.url.params["workspaceId"] == "9"
    assert json.loads(request.content) == {
        "credentials": {
            "name": "acr-x",
            "provider": "container-reg",
            "keys": {
                "discriminator": "container-reg",
                "userName": "preflight-x",
                "password": "pw-1",
                "registry": "x.azurecr.io",
            },
        }
    }


def test_create_error_never_echoes_the_password(client_for: MakeClient) -> None:
    server = Server(ok({"message": "bad keys: hunter2-password for user"}, status=400))
    with pytest.raises(PlatformError) as info:
        client_for(server).create_credential(
            None, name="n", registry="r", user_name="u", password=Secret("hunter2-password")
        )
    assert "hunter2-password" not in str(info.value)
    assert "<hidden>" in str(info.value)


def test_validate_name(client_for: MakeClient) -> None:
    server = Server(
        httpx.Response(204),
        ok({"message": "Duplicate element"}, status=409),
        ok({"message": "Invalid name"}, status=400),
    )
    client = client_for(server)
    client.validate_credential_name("free", 3)
    assert server.requests[0].url.params["name"] == "free"
    with pytest.raises(InputError, match="already exists"):
        client.validate_credential_name("taken", 3)
    with pytest.raises(InputError, match="Invalid name"):
        client.validate_credential_name("bad name", 3)


def test_delete(client_for: MakeClient) -> None:
    server = Server(httpx.Response(204))
    client_for(server).delete_credential("abc", 4)
    assert server.requests[0].method == "DELETE"
    assert server.requests[0].url.path == "/credentials/abc"


def test_retries_429_honouring_retry_after(client_for: MakeClient, sleeps: list[float]) -> None:
    server = Server(
        ok({"message": "slow down"}, status=429, **{"Retry-After": "2"}),
        ok({"message": "busy"}, status=503),
        ok({"credentials": []}),
    )
    assert client_for(server, backoff=0.25).list_credentials(None) == []
    assert len(server.requests) == 3
    assert sleeps == [2.0, 0.5]  # Retry-After, then backoff * 2**1


@pytest.mark.parametrize("wait", ["3600", "http-date"])
def test_retry_after_beyond_the_bound_is_reported_not_waited_for(
    client_for: MakeClient, sleeps: list[float], wait: str
) -> None:
    if wait == "http-date":
        wait = format_datetime(datetime.now(timezone.utc) + timedelta(hours=1), usegmt=True)
    server = Server(ok({"message": "slow down"}, status=429, **{"Retry-After": wait}))
    with pytest.raises(PlatformError, match="429") as info:
        client_for(server, max_sleep=10.0).list_credentials(None)
    assert len(server.requests) == 1 and sleeps == []
    assert info.value.remedy


def test_gives_up_after_max_retries(client_for: MakeClient, sleeps: list[float]) -> None:
    server = Server(ok({"message": "down"}, status=500))
    with pytest.raises(PlatformError) as info:
        client_for(server, max_retries=2).list_credentials(1)
    assert len(server.requests) == 3 and len(sleeps) == 2
    assert "500" in info.value.message and "list credentials" in info.value.message
    assert info.value.remedy


def test_transport_errors_are_retried_then_reported(
    client_for: MakeClient, sleeps: list[float]
) -> None:
    server = Server(
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("dropped"),
        ok({"credentials": []}),
    )
    client_for(server).list_credentials(None)
    assert len(server.requests) == 3
    # A whole read timeout already spent is not spent again.
    slept_before = len(sleeps)
    server = Server(httpx.ReadTimeout("slow"), ok({"credentials": []}))
    with pytest.raises(PlatformError, match="timed out") as info:
        client_for(server, max_retries=3).user_info()
    assert len(server.requests) == 1 and len(sleeps) == slept_before
    assert "TOWER_API_ENDPOINT" in info.value.remedy
    assert_no_token(info.value)


def create(client: PlatformClient) -> str:
    return client.create_credential(
        1, name="n", registry="r", user_name="u", password=Secret("pw-pw")
    )


@pytest.mark.parametrize(
    "failure",
    [
        ok({"message": "oops"}, status=500),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
    ],
)
def test_create_is_never_repeated_when_it_may_have_taken_effect(
    client_for: MakeClient, sleeps: list[float], failure: httpx.Response | Exception
) -> None:
    server = Server(failure, ok({"credentialsId": "x"}))
    with pytest.raises(PlatformError):
        create(client_for(server))
    assert len(server.requests) == 1 and sleeps == []


@pytest.mark.parametrize(
    "failure",
    [ok({"message": "slow down"}, status=429), httpx.ConnectError("refused")],
)
def test_create_is_repeated_when_the_server_did_nothing(
    client_for: MakeClient, sleeps: list[float], failure: httpx.Response | Exception
) -> None:
    server = Server(failure, ok({"credentialsId": "x"}))
    assert create(client_for(server)) == "x"
    assert len(server.requests) == 2 and len(sleeps) == 1


def test_tls_failure_is_not_retried_and_names_the_ca_bundle(
    client_for: MakeClient,
) -> None:
    cause = ssl.SSLCertVerificationError("certificate verify failed: self-signed certificate")
    error = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]")
    error.__cause__ = cause
    server = Server(error)
    with pytest.raises(PlatformError, match="not trusted") as info:
        client_for(server).user_info()
    assert len(server.requests) == 1
    assert "PREFLIGHT_CA_BUNDLE" in info.value.remedy


def test_401_says_where_to_get_a_new_token(client_for: MakeClient) -> None:
    with pytest.raises(PlatformError) as info:
        client_for(Server(httpx.Response(401))).user_info()
    assert "401" in info.value.message
    assert "https://cloud.seqera.io/tokens" in info.value.remedy
    assert "TOWER_ACCESS_TOKEN" in info.value.remedy
    assert_no_token(info.value)


def test_403_names_the_operation_and_the_role(client_for: MakeClient) -> None:
    server = Server(ok({"message": "Forbidden"}, status=403))
    with pytest.raises(PlatformError) as info:
        client_for(server).create_credential(
            1, name="n", registry="r", user_name="u", password=Secret("pw-pw")
        )
    assert "create credentials" in info.value.message and "role" in info.value.message
    assert "owner or admin" in info.value.remedy


def test_server_message_echoing_the_token_is_redacted(
    client_for: MakeClient,
) -> None:
    server = Server(ok({"message": f"token {TOKEN} is not allowed"}, status=403))
    with pytest.raises(PlatformError) as info:
        client_for(server).list_credentials(1)
    assert_no_token(info.value)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>login</html>", headers={"Content-Type": "text/html"}),
        ok([1, 2]),
        ok({"unexpected": True}),
        ok({"credentials": [{"name": "no id"}]}),
        ok({"credentials": "nope"}),
    ],
)
def test_bad_bodies_are_clear_errors_never_key_errors(
    client_for: MakeClient, response: httpx.Response
) -> None:
    with pytest.raises(PlatformError) as info:
        client_for(Server(response)).list_credentials(1)
    assert "TOWER_API_ENDPOINT" in info.value.remedy


@pytest.mark.parametrize(
    ("call", "payload"),
    [
        (lambda c: c.user_info(), {"user": {"userName": "no id"}}),
        (lambda c: c.service_info(), {"version": "x"}),
        (lambda c: c.workspaces(1), {"orgsAndWorkspaces": [{"workspaceId": "ten"}]}),
        (
            lambda c: c.create_credential(
                None, name="n", registry="r", user_name="u", password=Secret("pw-pw")
            ),
            {"id": "x"},
        ),
    ],
)
def test_missing_fields_are_clear_errors(
    client_for: MakeClient,
    call: Callable[[PlatformClient], object],
    payload: object,
) -> None:
    with pytest.raises(PlatformError, match="field"):
        call(client_for(Server(ok(payload))))


def test_client_without_timeouts_gets_one() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return ok({"serviceInfo": {}})

    with httpx.Client(transport=httpx.MockTransport(handler), timeout=None) as http:
        PlatformClient(http, ENDPOINT, Secret(TOKEN)).service_info()
    assert seen[0]["read"] == 30.0


def test_build_platform_client_needs_a_token() -> None:
    with httpx.Client() as http:
        with pytest.raises(InputError) as info:
            build_platform_client(Settings(), http)
        assert "TOWER_ACCESS_TOKEN" in info.value.remedy
        client = build_platform_client(
            Settings(platform_endpoint="https://p.example/api", platform_token=Secret("t")), http
        )
        assert client.endpoint == "https://p.example/api"


@pytest.mark.parametrize(
    ("endpoint", "web"),
    [
        ("https://api.cloud.seqera.io", "https://cloud.seqera.io"),
        ("https://platform.example.com/api", "https://platform.example.com"),
        ("https://127.0.0.1:8443/api/", "https://127.0.0.1:8443"),
    ],
)
def test_web_url(endpoint: str, web: str) -> None:
    assert web_url(endpoint) == web
