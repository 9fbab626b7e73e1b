"""The realm trust policy: own host, known pairs (Docker Hub → auth.docker.io), user-trusted hosts.

Real HTTPS servers on loopback under their real names (through the host map): a registry whose
challenge names a realm, and a token service or collector that records every request. A realm
outside the policy must receive nothing at all — not the password, not even a request.
"""

from __future__ import annotations

import base64
import ssl
from collections.abc import Iterator

import httpx
import pytest
import trustme
from tests.registry.tiny_https import Answer, Responder, Seen, serve

from preflight.net import connect_to
from preflight.net.trust import RealmTrust
from preflight.registry import Problem
from preflight.registry.existence import (
    ExistenceResult,
    ExistenceTarget,
    Presence,
    probe_repository,
)
from preflight.secret import Secret

PASSWORD = "realm-trust-canary-password-0123456789abcdef"
OPEN_TOKEN = (
    "eyJhbGciOiJub25lIn0."
    + base64.urlsafe_b64encode(
        b'{"access":[{"type":"repository","name":"library/busybox","actions":["pull"]}]}'
    )
    .decode()
    .rstrip("=")
    + ".c2ln"
)


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


def _registry(realm: str, service: str) -> Responder:
    def answer(method: str, path: str, headers: dict[str, str]) -> Answer:
        if "authorization" not in headers:
            # Docker Hub's challenge shape (distribution docs/content/spec/auth/token.md).
            return 401, {"WWW-Authenticate": f'Bearer realm="{realm}",service="{service}"'}, b"{}"
        return 200, {"Docker-Content-Digest": "sha256:" + "a" * 64}, b""

    return answer


def _token_service(method: str, path: str, headers: dict[str, str]) -> Answer:
    return 200, {"Content-Type": "application/json"}, f'{{"token":"{OPEN_TOKEN}"}}'.encode()


def _basic_seen(seen: list[Seen]) -> list[str]:
    return [s.headers["authorization"] for s in seen if "authorization" in s.headers]


def _probe(
    client: httpx.Client, registry: str, *, password: str | None, trust: RealmTrust | None = None
) -> ExistenceResult:
    target = ExistenceTarget(
        registry,
        "library/busybox",
        ("1.36",),
        username="bot" if password else "",
        password=Secret(password) if password else None,
    )
    return probe_repository(client, target, trust=trust or RealmTrust())


def test_docker_hub_logs_in_at_auth_docker_io_its_known_pair(
    ca: trustme.CA, client: httpx.Client
) -> None:
    with serve(ca, ["auth.docker.io"], _token_service) as auth:
        realm = "https://auth.docker.io/token"
        answer = _registry(realm, "registry.docker.io")
        with serve(ca, ["registry-1.docker.io"], answer) as hub:
            connect_to.install(
                {
                    ("registry-1.docker.io", 443): ("127.0.0.1", hub.port),
                    ("auth.docker.io", 443): ("127.0.0.1", auth.port),
                }
            )
            result = _probe(client, "docker.io", password=PASSWORD)
    assert result.failure is None
    assert [c.presence for c in result.checks] == [Presence.EXISTS]
    # Wave's query: scope=repository:<repo>:pull&service=<service>, Basic to the realm.
    (token_request,) = auth.seen
    assert "scope=repository%3Alibrary%2Fbusybox%3Apull" in token_request.path or (
        "scope=repository:library/busybox:pull" in token_request.path
    )
    assert "service=registry.docker.io" in token_request.path
    assert token_request.headers["authorization"].startswith("Basic ")
    assert _basic_seen(hub.seen) == [f"Bearer {OPEN_TOKEN}"]


def test_anonymous_pull_sends_no_authorization_to_the_token_service(
    ca: trustme.CA, client: httpx.Client
) -> None:
    with serve(ca, ["auth.docker.io"], _token_service) as auth:
        answer = _registry("https://auth.docker.io/token", "registry.docker.io")
        with serve(ca, ["registry-1.docker.io"], answer) as hub:
            connect_to.install(
                {
                    ("registry-1.docker.io", 443): ("127.0.0.1", hub.port),
                    ("auth.docker.io", 443): ("127.0.0.1", auth.port),
                }
            )
            result = _probe(client, "docker.io", password=None)
    assert result.anonymous and result.failure is None
    assert len(auth.seen) == 1 and _basic_seen(auth.seen) == []


@pytest.mark.parametrize(
    ("registry", "api"),
    [("hostile.azurecr.io", "hostile.azurecr.io"), ("ghcr.io", "ghcr.io")],
)
def test_a_known_pair_is_no_pass_for_other_registries(
    ca: trustme.CA, client: httpx.Client, registry: str, api: str
) -> None:
    """auth.docker.io is trusted for Docker Hub only: another registry naming it is refused."""
    with serve(ca, ["auth.docker.io"], _token_service) as collector:
        answer = _registry("https://auth.docker.io/token", "registry.docker.io")
        with serve(ca, [api], answer) as hostile:
            connect_to.install(
                {
                    (api, 443): ("127.0.0.1", hostile.port),
                    ("auth.docker.io", 443): ("127.0.0.1", collector.port),
                }
            )
            result = _probe(client, registry, password=PASSWORD)
    failure = result.failure
    assert failure is not None and failure.problem is Problem.FOREIGN_REALM
    assert not failure.credentials_sent
    assert collector.seen == []
    assert PASSWORD not in repr(result)


def test_docker_hub_naming_a_realm_elsewhere_is_refused(
    ca: trustme.CA, client: httpx.Client
) -> None:
    with serve(ca, ["collector.example.net"], _token_service) as collector:
        answer = _registry("https://collector.example.net/token", "registry.docker.io")
        with serve(ca, ["registry-1.docker.io"], answer) as hub:
            connect_to.install(
                {
                    ("registry-1.docker.io", 443): ("127.0.0.1", hub.port),
                    ("collector.example.net", 443): ("127.0.0.1", collector.port),
                }
            )
            for password in (PASSWORD, None):
                result = _probe(client, "docker.io", password=password)
                failure = result.failure
                assert failure is not None and failure.problem is Problem.FOREIGN_REALM
                assert result.checks[0].presence is Presence.ERROR
    assert collector.seen == []


def test_a_host_the_user_trusts_receives_the_credentials(
    ca: trustme.CA, client: httpx.Client
) -> None:
    with serve(ca, ["login.corp.example"], _token_service) as login:
        answer = _registry(f"https://login.corp.example:{login.port}/token", "corp")
        with serve(ca, ["registry.corp.example"], answer) as registry:
            connect_to.install(
                {
                    ("registry.corp.example", 443): ("127.0.0.1", registry.port),
                    ("login.corp.example", login.port): ("127.0.0.1", login.port),
                }
            )
            refused = _probe(client, "registry.corp.example", password=PASSWORD)
            wrong_port = _probe(
                client,
                "registry.corp.example",
                password=PASSWORD,
                trust=RealmTrust.of(["login.corp.example:1"]),
            )
            assert login.seen == []
            trusted = _probe(
                client,
                "registry.corp.example",
                password=PASSWORD,
                trust=RealmTrust.of(["LOGIN.corp.example"]),
            )
    assert refused.failure is not None and refused.failure.problem is Problem.FOREIGN_REALM
    assert wrong_port.failure is not None
    assert wrong_port.failure.problem is Problem.FOREIGN_REALM
    assert trusted.failure is None
    assert len(_basic_seen(login.seen)) == 1


def test_policy_reasons() -> None:
    trust = RealmTrust.of(["login.corp.example:8443"])
    assert trust.why_trusted("ghcr.io", 443, "ghcr.io", 443) == "own host"
    assert trust.why_trusted("ghcr.io", 443, "ghcr.io", 8443) is None
    assert trust.why_trusted("registry-1.docker.io", 443, "auth.docker.io", 443) == "known pair"
    assert trust.why_trusted("registry-1.docker.io", 443, "auth.docker.io", 8443) is None
    assert trust.why_trusted("quay.io", 443, "auth.docker.io", 443) is None
    assert trust.why_trusted("reg.corp", 443, "login.corp.example", 8443) == "trusted"
    assert trust.why_trusted("reg.corp", 443, "login.corp.example", 443) is None
