"""A malicious or misconfigured registry never gets the password sent anywhere but itself.

Two real HTTPS servers on loopback, reached under their own names through the host map: a
registry whose challenge or token endpoint points elsewhere, and a collector that records every
request. The collector must never see the password, a Basic header, or any request at all.
"""

from __future__ import annotations

import base64
import ssl
from collections.abc import Iterator

import httpx
import pytest
import trustme
from tests.registry.tiny_https import Answer, Seen, serve

from preflight.net import connect_to
from preflight.registry import Problem, probe_pull
from preflight.registry.diagnosis import findings_for
from preflight.registry.handshake import PullResult
from preflight.secret import Secret

REGISTRY = "hostile.azurecr.io"
COLLECTOR = "collector.example.net"
PASSWORD = "forwarding-canary-password-0123456789abcdef"


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def client(ca: trustme.CA) -> Iterator[httpx.Client]:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    with httpx.Client(verify=context, timeout=5.0) as http:
        yield http
    connect_to.uninstall()


def _challenge(realm: str) -> Answer:
    return 401, {"WWW-Authenticate": f'Bearer realm="{realm}",service="{REGISTRY}"'}, b"{}"


def _collector_saw_nothing(seen: list[Seen]) -> None:
    assert seen == []


def _no_secret_anywhere(result: PullResult) -> None:
    encoded = base64.b64encode(f"u:{PASSWORD}".encode()).decode()
    text = repr(result) + repr(findings_for(result))
    assert PASSWORD not in text and encoded not in text


def _probe(client: httpx.Client) -> PullResult:
    return probe_pull(
        client, REGISTRY, "team/app", ["1.0"], username="u", password=Secret(PASSWORD)
    )


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_realm_on_another_host_never_receives_the_password(
    ca: trustme.CA, client: httpx.Client, scheme: str
) -> None:
    with serve(
        ca, [COLLECTOR], lambda m, p, h: (200, {}, b'{"token":"x.y.z"}'), tls=scheme == "https"
    ) as collector:
        realm = f"{scheme}://{COLLECTOR}:{collector.port}/oauth2/token"
        with serve(ca, [REGISTRY], lambda m, p, h: _challenge(realm)) as registry:
            connect_to.install(
                {
                    (REGISTRY, 443): ("127.0.0.1", registry.port),
                    (COLLECTOR, collector.port): ("127.0.0.1", collector.port),
                }
            )
            result = _probe(client)
    assert result.failure is not None
    expected = Problem.INSECURE_REALM if scheme == "http" else Problem.FOREIGN_REALM
    assert result.failure.problem is expected
    assert not result.failure.credentials_sent
    _collector_saw_nothing(collector.seen)
    assert all("authorization" not in s.headers for s in registry.seen)
    _no_secret_anywhere(result)


def test_plain_http_realm_on_the_registrys_own_host_is_refused(
    ca: trustme.CA, client: httpx.Client
) -> None:
    with serve(ca, [REGISTRY], lambda m, p, h: (200, {}, b""), tls=False) as plain:
        realm = f"http://{REGISTRY}:{plain.port}/oauth2/token"
        with serve(ca, [REGISTRY], lambda m, p, h: _challenge(realm)) as registry:
            connect_to.install(
                {
                    (REGISTRY, 443): ("127.0.0.1", registry.port),
                    (REGISTRY, plain.port): ("127.0.0.1", plain.port),
                }
            )
            result = _probe(client)
    assert result.failure is not None and result.failure.problem is Problem.INSECURE_REALM
    assert plain.seen == []


def test_token_endpoint_redirect_to_another_host_is_not_followed(
    ca: trustme.CA, client: httpx.Client
) -> None:
    with serve(ca, [COLLECTOR], lambda m, p, h: (200, {}, b'{"token":"x.y.z"}')) as collector:
        target = f"https://{COLLECTOR}:{collector.port}/steal"

        def registry_answer(method: str, path: str, headers: dict[str, str]) -> Answer:
            if path == "/v2/":
                return _challenge(f"https://{REGISTRY}/oauth2/token")
            return 302, {"Location": target}, b""

        with serve(ca, [REGISTRY], registry_answer) as registry:
            connect_to.install(
                {
                    (REGISTRY, 443): ("127.0.0.1", registry.port),
                    (COLLECTOR, collector.port): ("127.0.0.1", collector.port),
                }
            )
            result = _probe(client)
    assert result.failure is not None and result.failure.problem is Problem.REDIRECT_ELSEWHERE
    _collector_saw_nothing(collector.seen)
    # The registry's own token endpoint did get the password: that is where it belongs.
    assert any(s.headers.get("authorization", "").startswith("Basic") for s in registry.seen)
    _no_secret_anywhere(result)


def test_manifest_redirect_to_another_host_does_not_carry_the_token(
    ca: trustme.CA, client: httpx.Client
) -> None:
    token = (
        "eyJhbGciOiJub25lIn0."
        + base64.urlsafe_b64encode(
            b'{"access":[{"Type":"repository","Name":"team/app","Actions":["pull"]}]}'
        )
        .decode()
        .rstrip("=")
        + ".c2ln"
    )
    with serve(ca, [COLLECTOR], lambda m, p, h: (200, {}, b"{}")) as collector:
        target = f"https://{COLLECTOR}:{collector.port}/manifest"

        def registry_answer(method: str, path: str, headers: dict[str, str]) -> Answer:
            if path == "/v2/":
                return _challenge(f"https://{REGISTRY}/oauth2/token")
            if path.startswith("/oauth2/token"):
                return (
                    200,
                    {"Content-Type": "application/json"},
                    (f'{{"access_token":"{token}"}}'.encode()),
                )
            return 307, {"Location": target}, b""

        with serve(ca, [REGISTRY], registry_answer) as registry:
            connect_to.install(
                {
                    (REGISTRY, 443): ("127.0.0.1", registry.port),
                    (COLLECTOR, collector.port): ("127.0.0.1", collector.port),
                }
            )
            result = _probe(client)
    check = result.manifests[0]
    assert check.failure is not None and check.failure.problem is Problem.REDIRECT_ELSEWHERE
    _collector_saw_nothing(collector.seen)
    assert token not in repr(result) + repr(findings_for(result))
