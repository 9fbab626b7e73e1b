"""The HTTPS listener (headers, bodies, keep-alive) and fault injection, seen through httpx."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from preflight.net.tls import ssl_context
from preflight.sandbox.faults import FaultBoard
from preflight.sandbox.http import Request, Response
from preflight.sandbox.runtime import Sandbox, start_sandbox
from preflight.sandbox.seed import RegistrySeed
from preflight.sandbox.server import HttpsListener
from preflight.sandbox.tls import SandboxCertificates, make_certificates


class Echo:
    """Answers with what it received; ``/stream`` answers with a chunked body, ``/boom`` fails."""

    def handle(self, request: Request) -> Response:
        if request.path == "/boom":
            raise RuntimeError("emulator bug")
        if request.path == "/stream":
            return Response(200, [("Content-Type", "text/plain")], iter([b"one,", b"two"]))
        payload = {
            "method": request.method,
            "path": request.path,
            "query": {k: list(v) for k, v in request.query.items()},
            "headers": [list(h) for h in request.headers],
            "body": request.body.decode(),
            "host": request.host,
        }
        body = json.dumps(payload).encode()
        return Response(
            200,
            [
                ("Content-Type", "application/json"),
                ("X-Out", "a"),
                ("X-Out", "b"),
                ("Content-Length", str(len(body))),
            ],
            body,
        )


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> SandboxCertificates:
    return make_certificates(tmp_path_factory.mktemp("tls"), ["example.azurecr.io"])


@pytest.fixture
def faults() -> FaultBoard:
    return FaultBoard()


@pytest.fixture
def listener(certificates: SandboxCertificates, faults: FaultBoard) -> Iterator[HttpsListener]:
    running = HttpsListener(
        Echo(), certificates.server_context(), fault_keys=["platform"], faults=faults
    ).start()
    yield running
    running.close()


@pytest.fixture
def client(listener: HttpsListener, certificates: SandboxCertificates) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"https://{listener.address}", verify=certificates.client_context(), timeout=10
    ) as http:
        yield http


def test_request_keeps_repeated_headers_query_and_host(client: httpx.Client) -> None:
    response = client.get(
        "/v2/a/b",
        params=[("scope", "x"), ("scope", "y")],
        headers=[("Accept", "one"), ("Accept", "two")],
    )
    echoed = response.json()
    assert [v for k, v in echoed["headers"] if k.lower() == "accept"] == ["one", "two"]
    assert echoed["query"] == {"scope": ["x", "y"]}
    assert echoed["host"] == "127.0.0.1"
    assert response.headers.get_list("x-out") == ["a", "b"]


def test_chunked_request_body_is_read_whole(client: httpx.Client) -> None:
    response = client.post("/upload", content=iter([b"hello ", b"chunked ", b"world"]))
    assert response.json()["body"] == "hello chunked world"


def test_iterator_body_is_sent_chunked(client: httpx.Client) -> None:
    response = client.get("/stream")
    assert response.headers["transfer-encoding"] == "chunked"
    assert response.text == "one,two"


def test_head_keeps_content_length_and_sends_no_body(client: httpx.Client) -> None:
    response = client.head("/thing")
    assert int(response.headers["content-length"]) > 0
    assert response.content == b""


def test_connections_are_kept_alive(
    listener: HttpsListener, certificates: SandboxCertificates
) -> None:
    connection = http.client.HTTPSConnection(
        "127.0.0.1", listener.port, context=certificates.client_context(), timeout=10
    )
    try:
        connection.request("GET", "/first")
        first = connection.getresponse()
        first.read()
        socket_before = connection.sock
        connection.request("POST", "/second", body=b"x")
        second = connection.getresponse()
        assert json.loads(second.read())["path"] == "/second"
        assert not first.will_close and connection.sock is socket_before
    finally:
        connection.close()


def test_an_emulator_exception_is_a_500_and_is_kept(
    client: httpx.Client, listener: HttpsListener
) -> None:
    assert client.get("/boom").status_code == 500
    assert isinstance(listener.errors[-1], RuntimeError)


def test_latency_delays_the_answer(client: httpx.Client, faults: FaultBoard) -> None:
    faults.set("platform", latency_ms=200)
    began = time.perf_counter()
    assert client.get("/x").status_code == 200
    assert time.perf_counter() - began >= 0.2


def test_global_latency_applies_to_every_request(client: httpx.Client, faults: FaultBoard) -> None:
    faults.latency_ms = 150
    began = time.perf_counter()
    client.get("/x")
    assert time.perf_counter() - began >= 0.15


def test_429_with_retry_after(client: httpx.Client, faults: FaultBoard) -> None:
    faults.set("platform", status=429, retry_after=7)
    response = client.get("/x")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert "message" in response.json()


def test_times_limits_a_fault_to_the_next_n_requests(
    client: httpx.Client, faults: FaultBoard
) -> None:
    faults.set("platform", status=503, times=2)
    assert [client.get("/x").status_code for _ in range(3)] == [503, 503, 200]
    assert faults.active() == []


def test_path_prefix_limits_a_fault_to_matching_paths(
    client: httpx.Client, faults: FaultBoard
) -> None:
    faults.set("platform", path_prefix="/orgs", status=500)
    assert client.get("/orgs/1").status_code == 500
    assert client.get("/user-info").status_code == 200


def test_a_fault_for_another_service_does_not_apply(
    client: httpx.Client, faults: FaultBoard
) -> None:
    faults.set("arm", status=500)
    assert client.get("/x").status_code == 200


def test_drop_closes_the_connection_without_an_answer(
    client: httpx.Client, faults: FaultBoard
) -> None:
    faults.set("platform", drop=True, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/x")
    assert client.get("/x").status_code == 200


def test_slow_body_streams_the_body_slowly(client: httpx.Client, faults: FaultBoard) -> None:
    faults.set("platform", slow_body_ms=40)
    began = time.perf_counter()
    response = client.get("/slow")  # the echo body is well over 5 chunks of 16 bytes
    assert response.json()["path"] == "/slow"
    assert time.perf_counter() - began >= 0.2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"service": "nowhere"},
        {"service": "platform:x"},
        {"service": "arm", "status": 200},
        {"service": "arm", "times": 0},
    ],
)
def test_fault_board_refuses_nonsense(kwargs: dict[str, object]) -> None:
    board = FaultBoard()
    service = str(kwargs.pop("service"))
    with pytest.raises(ValueError):
        board.set(service, **kwargs)  # type: ignore[arg-type]


def test_closing_twice_is_harmless(certificates: SandboxCertificates) -> None:
    listener = HttpsListener(Echo(), certificates.server_context(), fault_keys=["arm"]).start()
    listener.close()
    listener.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"https://{listener.address}/", verify=certificates.client_context(), timeout=2)


@pytest.mark.sandbox
def test_a_fault_on_one_registry_leaves_the_other_alone(sandbox_env: Sandbox) -> None:
    context = httpx.Client(verify=ssl_context(sandbox_env.ca_bundle), timeout=10)
    sandbox_env.faults.set("acr:sandboxacr.azurecr.io", status=503, retry_after=1)
    with context:
        assert context.get("https://sandboxacr.azurecr.io/v2/").status_code == 503
        assert context.get("https://otheracr.azurecr.io/v2/").status_code == 401
        sandbox_env.faults.clear()
        sandbox_env.faults.set("acr", status=429, retry_after=2, times=1)
        limited = context.get("https://otheracr.azurecr.io/v2/")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "2"
        assert limited.json()["errors"][0]["code"] == "TOOMANYREQUESTS"
        assert context.get("https://otheracr.azurecr.io/v2/").status_code == 401


def test_a_fault_written_as_text_is_parsed_into_its_fields() -> None:
    board = FaultBoard()
    fault = board.set_from_text(
        "service=acr:sandboxacr.azurecr.io, path_prefix=/v2/, status=429, retry_after=2,"
        " times=3, drop=false"
    )
    assert fault.service == "acr:sandboxacr.azurecr.io"
    assert (fault.path_prefix, fault.status, fault.retry_after, fault.times) == ("/v2/", 429, 2, 3)
    assert fault.drop is False
    assert board.set_from_text("service=platform,drop=true").drop is True


@pytest.mark.parametrize(
    "text", ["status=429", "service=acr,status=lots", "service=acr,colour=red", "service"]
)
def test_a_malformed_fault_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        FaultBoard().set_from_text(text)


@pytest.mark.sandbox
def test_faults_given_at_start_up_apply_from_the_first_request(tmp_path: Path) -> None:
    seed = RegistrySeed(login_server="faulty.azurecr.io", resource_group="rg-faulty")
    with (
        start_sandbox(
            tmp_path / "state", registries=[seed], faults=["service=acr,status=503,times=1"]
        ) as running,
        httpx.Client(verify=ssl_context(running.ca_bundle), timeout=10) as client,
    ):
        url = f"https://{running.address('faulty.azurecr.io')}/v2/"
        assert [client.get(url).status_code for _ in range(2)] == [503, 401]
