"""The pull handshake against an in-process fake registry: every step and every diagnosis.

The fake answers as ACR does (see ``fake_registry``); the sandbox-backed tests repeat the
important cases against the real registry process.
"""

from __future__ import annotations

import base64
import socket
import ssl
from typing import Any

import httpx
import pytest
from tests.registry.fake_registry import FakeRegistry

from preflight.net.retry import RetryPolicy
from preflight.registry import Problem, Step, probe_many, probe_pull
from preflight.registry.diagnosis import findings_for
from preflight.registry.failures import HandshakeFailure
from preflight.registry.handshake import MANIFEST_ACCEPT, ManifestCheck, PullResult, PullTarget
from preflight.secret import Secret

NO_WAIT = RetryPolicy(sleep=lambda _s: None)


def probe(
    fake: FakeRegistry,
    tags: tuple[str, ...] = ("v1",),
    *,
    repository: str = "team/app",
    password: str | None = None,
    **kwargs: Any,
) -> PullResult:
    with fake.client() as client:
        return probe_pull(
            client,
            fake.host,
            repository,
            tags,
            username=fake.username,
            password=Secret(password if password is not None else fake.password),
            retry=kwargs.pop("retry", NO_WAIT),
            **kwargs,
        )


def failed(outcome: PullResult | ManifestCheck) -> HandshakeFailure:
    """The failure the test expects ``outcome`` to carry."""
    assert outcome.failure is not None, outcome
    return outcome.failure


def _basic_sent(fake: FakeRegistry) -> list[httpx.Request]:
    return [r for r in fake.requests if r.headers.get("authorization", "").startswith("Basic")]


def test_success_follows_waves_sequence_and_reuses_one_token_across_tags() -> None:
    fake = FakeRegistry()
    result = probe(fake, ("v1", "v2"))
    assert result.ok, result
    paths = [(r.method, r.url.path) for r in fake.requests]
    assert paths == [
        ("GET", "/v2/"),
        ("GET", "/oauth2/token"),
        ("HEAD", "/v2/team/app/manifests/v1"),
        ("HEAD", "/v2/team/app/manifests/v2"),
    ]
    challenge, token, head, _ = fake.requests
    assert "authorization" not in challenge.headers
    assert token.url.params["scope"] == "repository:team/app:pull"
    assert token.url.params["service"] == fake.host
    user, _, _ = base64.b64decode(token.headers["authorization"][6:]).decode().partition(":")
    assert user == fake.username
    assert head.headers["authorization"].startswith("Bearer ")
    for media_type in (
        "oci.image.index.v1",
        "oci.image.manifest.v1",
        "docker.distribution.manifest.list.v2",
        "docker.distribution.manifest.v2",
    ):
        assert media_type in head.headers["accept"]
    assert head.headers["accept"] == MANIFEST_ACCEPT
    assert [m.digest for m in result.manifests] == [
        fake.digest(fake.manifests[("team/app", t)]) for t in ("v1", "v2")
    ]
    assert result.granted == ("pull",)
    finding_v1 = findings_for(result)[0]
    assert finding_v1.status.value == "pass" and finding_v1.subject == f"{fake.host}/team/app:v1"


def test_token_under_the_token_key_is_accepted_too() -> None:
    assert probe(FakeRegistry(token_key="token")).ok


def test_head_without_digest_falls_back_to_get_and_computes_the_digest() -> None:
    fake = FakeRegistry(head_digest=False)
    result = probe(fake)
    assert result.ok
    assert [r.method for r in fake.requests][-2:] == ["HEAD", "GET"]
    assert result.manifests[0].digest == fake.digest(fake.manifests[("team/app", "v1")])


def test_digest_missing_everywhere_is_a_warning_with_the_computed_digest() -> None:
    result = probe(FakeRegistry(head_digest=False, get_digest=False))
    check = result.manifests[0]
    assert check.failure is not None and check.failure.problem is Problem.DIGEST_MISSING
    assert result.ok
    assert findings_for(result)[0].status.value == "warn"


def test_body_not_matching_its_digest_header_fails() -> None:
    fake = FakeRegistry(head_digest=False)

    def tamper(request: httpx.Request) -> httpx.Response | None:
        if request.method == "GET" and "/manifests/" in request.url.path:
            return httpx.Response(
                200, content=b"{}", headers={"Docker-Content-Digest": "sha256:" + "0" * 64}
            )
        return None

    fake.override = tamper
    check = probe(fake).manifests[0]
    assert check.failure is not None and check.failure.problem is Problem.DIGEST_MISMATCH


def test_pinned_digest_is_compared_and_digest_references_are_checked() -> None:
    fake = FakeRegistry()
    right = fake.digest(fake.manifests[("team/app", "v1")])
    assert probe(fake, pinned={"v1": right}).ok
    wrong = probe(FakeRegistry(), pinned={"v1": "sha256:" + "1" * 64})
    assert failed(wrong.manifests[0]).problem is Problem.PINNED_DIGEST_MISMATCH
    assert probe(FakeRegistry(), (right,)).ok
    assert "@sha256:" in findings_for(probe(FakeRegistry(), (right,)))[0].subject


def test_basic_challenge_sends_credentials_to_the_registry_itself() -> None:
    fake = FakeRegistry(challenge='Basic realm="Azure Container Registry"')
    seen: list[str] = []

    def registry_with_basic(request: httpx.Request) -> httpx.Response | None:
        if "/manifests/" in request.url.path:
            seen.append(request.headers.get("authorization", ""))
            return httpx.Response(200, headers={"Docker-Content-Digest": "sha256:" + "a" * 64})
        return None

    fake.override = registry_with_basic
    assert probe(fake).ok
    assert seen and seen[0].startswith("Basic ")


@pytest.mark.parametrize(
    ("realm", "problem"),
    [
        ("https://evil.example.net/oauth2/token", Problem.FOREIGN_REALM),
        ("https://myreg.azurecr.io.evil.net/oauth2/token", Problem.FOREIGN_REALM),
        ("https://myreg.azurecr.io:8443/oauth2/token", Problem.FOREIGN_REALM),
        ("http://myreg.azurecr.io/oauth2/token", Problem.INSECURE_REALM),
        ("not a url", Problem.BAD_CHALLENGE),
    ],
)
def test_a_realm_off_the_registry_or_over_http_never_gets_the_password(
    realm: str, problem: Problem
) -> None:
    fake = FakeRegistry(realm=realm)
    result = probe(fake)
    assert result.failure is not None and result.failure.problem is problem
    expected_step = Step.CHALLENGE if problem is Problem.BAD_CHALLENGE else Step.TOKEN
    assert result.failure.step is expected_step
    assert not result.failure.credentials_sent
    assert _basic_sent(fake) == []
    assert [r.url.path for r in fake.requests] == ["/v2/"]
    (finding,) = findings_for(result)
    assert finding.status.value == "fail"
    if problem is not Problem.BAD_CHALLENGE:
        assert "not sent" in finding.message


def test_insecure_registry_allows_plain_http_on_its_own_host_only() -> None:
    fake = FakeRegistry(realm="http://myreg.azurecr.io/oauth2/token")
    assert probe(fake, insecure=True).ok
    assert all(r.url.scheme == "http" for r in fake.requests)


def test_token_endpoint_redirecting_to_another_host_is_not_followed() -> None:
    fake = FakeRegistry()

    def redirect(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/oauth2/token":
            return httpx.Response(302, headers={"Location": "https://collector.example/steal"})
        return None

    fake.override = redirect
    result = probe(fake)
    assert result.failure is not None and result.failure.problem is Problem.REDIRECT_ELSEWHERE
    assert all(r.url.host == fake.host for r in fake.requests)


def test_token_endpoint_redirect_on_the_same_host_is_followed() -> None:
    fake = FakeRegistry()
    original = fake.handle

    def redirect(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/oauth2/token":
            return httpx.Response(
                307, headers={"Location": "/oauth2/token2?" + str(request.url.query, "ascii")}
            )
        if request.url.path == "/oauth2/token2":
            fake.override = None
            moved = httpx.Request(
                "GET", request.url.copy_with(path="/oauth2/token"), headers=request.headers
            )
            answer = original(moved)
            fake.override = redirect
            return answer
        return None

    fake.override = redirect
    assert probe(fake).ok


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (None, Problem.CREDENTIALS_REFUSED),  # ACR's generic UNAUTHORIZED
        (
            '{"errors":[{"code":"UNAUTHORIZED","message":"token is disabled"}]}',
            Problem.TOKEN_DISABLED,
        ),
        (
            '{"errors":[{"code":"UNAUTHORIZED","message":"password has expired"}]}',
            Problem.PASSWORD_EXPIRED,
        ),
        ("unauthorized: Application not registered with AAD.", Problem.UNKNOWN_TOKEN),
        (
            '{"errors":[{"code":"UNAUTHORIZED","message":"invalid username or password"}]}',
            Problem.WRONG_PASSWORD,
        ),
    ],
)
def test_refused_credentials_are_told_apart_where_the_answer_allows(
    body: str | None, problem: Problem
) -> None:
    fake = FakeRegistry()
    if body is not None:
        fake.refusal_body = body
    wrong = "wrong-password-that-must-never-be-shown"
    result = probe(fake, ("v1", "v2"), password=wrong)
    assert result.failure is not None
    assert (result.failure.step, result.failure.problem) == (Step.TOKEN, problem)
    assert result.failure.status == 401
    (finding,) = findings_for(result)  # one finding for the repository, naming both tags
    assert "v1, v2" in finding.subject and "token request" in finding.message
    assert finding.remedy
    text = repr(result) + repr(finding)
    assert wrong not in text and fake.password not in text


def test_a_password_echoed_by_the_server_is_redacted() -> None:
    fake = FakeRegistry()
    secret = "echoed-password-0123456789"
    fake.refusal_body = f'{{"message": "bad password {secret}"}}'
    result = probe(fake, password=secret)
    assert secret not in repr(result)
    assert "<hidden>" in failed(result).detail


def test_token_without_pull_stops_before_the_manifest() -> None:
    fake = FakeRegistry(grants={"team/app": ["metadata_read"]})
    result = probe(fake)
    assert result.failure is not None
    assert (result.failure.step, result.failure.problem) == (Step.SCOPE, Problem.SCOPE_MISSING)
    assert not any("/manifests/" in r.url.path for r in fake.requests)
    (finding,) = findings_for(result)
    assert "repositories/team/app/content/read" in finding.remedy


def test_registry_insufficient_scope_on_the_manifest_is_a_scope_problem() -> None:
    fake = FakeRegistry()
    original = fake._token

    def grant_anything(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/oauth2/token":
            response = original(request)
            fake.grants = {}  # the registry side no longer allows it
            return response
        return None

    fake.override = grant_anything
    check = probe(fake).manifests[0]
    assert check.failure is not None
    assert (check.failure.step, check.failure.problem) == (Step.MANIFEST, Problem.SCOPE_MISSING)


def test_opaque_tokens_skip_the_claim_check_and_let_the_registry_decide() -> None:
    fake = FakeRegistry()
    fake.override = lambda r: (
        httpx.Response(200, json={"token": "opaque"}) if r.url.path == "/oauth2/token" else None
    )
    check = probe(fake).manifests[0]
    assert check.failure is not None and check.failure.problem is Problem.TOKEN_REJECTED


def test_missing_tag_and_missing_repository_are_told_apart() -> None:
    fake = FakeRegistry(grants={"team/app": ["pull"], "team/gone": ["pull"]})
    assert failed(probe(fake, ("nope",)).manifests[0]).problem is Problem.MANIFEST_NOT_FOUND
    fake2 = FakeRegistry(grants={"team/gone": ["pull"]})
    gone = probe(fake2, repository="team/gone").manifests[0]
    assert failed(gone).problem is Problem.REPOSITORY_NOT_FOUND


def test_one_missing_tag_does_not_hide_the_others() -> None:
    result = probe(FakeRegistry(), ("v1", "nope", "v2"))
    assert [m.ok for m in result.manifests] == [True, False, True]
    assert [f.status.value for f in findings_for(result)] == ["pass", "fail", "pass"]


def test_upper_case_repository_is_caught_before_any_request() -> None:
    fake = FakeRegistry()
    result = probe(fake, repository="Team/App")
    assert failed(result).problem is Problem.UPPERCASE_REPOSITORY
    assert fake.requests == []


@pytest.mark.parametrize(
    ("status", "headers", "problem"),
    [
        (200, {}, Problem.NO_CHALLENGE),
        (404, {}, Problem.NO_CHALLENGE),
        (401, {}, Problem.BAD_CHALLENGE),
        (401, {"WWW-Authenticate": "Bearer service=x"}, Problem.BAD_CHALLENGE),
        (403, {}, Problem.FORBIDDEN),
        (500, {}, Problem.SERVER_ERROR),
        (429, {"Retry-After": "600"}, Problem.THROTTLED),
    ],
)
def test_challenge_step_diagnoses(status: int, headers: dict[str, str], problem: Problem) -> None:
    fake = FakeRegistry()
    fake.override = lambda r: (
        httpx.Response(status, headers=headers) if r.url.path == "/v2/" else None
    )
    result = probe(fake)
    assert result.failure is not None
    assert (result.failure.step, result.failure.problem) == (Step.CHALLENGE, problem)
    assert result.failure.status == status
    assert not result.failure.credentials_sent and _basic_sent(fake) == []


def test_firewall_403_at_the_token_service() -> None:
    fake = FakeRegistry()
    fake.override = lambda r: (
        httpx.Response(
            403,
            text="client with IP '203.0.113.9' is not "
            "allowed access. Refer https://aka.ms/acr/firewall",
        )
        if r.url.path == "/oauth2/token"
        else None
    )
    result = probe(fake)
    assert (failed(result).step, failed(result).problem) == (Step.TOKEN, Problem.FORBIDDEN)
    assert "aka.ms/acr/firewall" in findings_for(result)[0].remedy


def test_throttling_is_retried_within_the_bound_then_succeeds() -> None:
    fake = FakeRegistry()
    throttled = {"left": 2}
    waits: list[float] = []

    def throttle(request: httpx.Request) -> httpx.Response | None:
        if "/manifests/" in request.url.path and throttled["left"]:
            throttled["left"] -= 1
            return httpx.Response(429, headers={"Retry-After": "1"})
        return None

    fake.override = throttle
    result = probe(fake, retry=RetryPolicy(attempts=3, sleep=waits.append))
    assert result.ok and result.retries == 2 and waits == [1.0, 1.0]


def test_throttling_beyond_the_bound_is_reported_per_tag() -> None:
    fake = FakeRegistry()
    fake.override = lambda r: (
        httpx.Response(429, headers={"Retry-After": "1"}) if "/manifests/" in r.url.path else None
    )
    result = probe(fake, retry=RetryPolicy(attempts=2, sleep=lambda _s: None))
    check = result.manifests[0]
    assert failed(check).problem is Problem.THROTTLED and failed(check).status == 429
    assert findings_for(result)[0].status.value == "error"
    assert sum("/manifests/" in r.url.path for r in fake.requests) == 2


def test_server_error_on_the_manifest() -> None:
    fake = FakeRegistry()
    fake.override = lambda r: (
        httpx.Response(500, json={"errors": [{"code": "UNKNOWN", "message": "boom"}]})
        if "/manifests/" in r.url.path
        else None
    )
    check = probe(fake).manifests[0]
    assert failed(check).problem is Problem.SERVER_ERROR and "boom" in failed(check).detail


def test_a_passing_server_error_is_retried_like_any_other_client_does() -> None:
    fake = FakeRegistry()
    failed = {"left": 1}

    def once(request: httpx.Request) -> httpx.Response | None:
        if "/manifests/" in request.url.path and failed["left"]:
            failed["left"] -= 1
            return httpx.Response(500)
        return None

    fake.override = once
    result = probe(fake)
    assert result.ok and result.retries == 1


def _raising(exc: Exception) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return httpx.MockTransport(handler)


def _chained(outer: type[httpx.TransportError], cause: BaseException) -> httpx.TransportError:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise outer("wrapped") from inner
    except httpx.TransportError as exc:
        return exc


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (
            _chained(httpx.ConnectError, socket.gaierror(-2, "Name or service not known")),
            Problem.DNS,
        ),
        (
            _chained(httpx.ConnectError, ConnectionRefusedError(111, "refused")),
            Problem.CONNECTION_REFUSED,
        ),
        (httpx.ConnectTimeout("timed out"), Problem.TIMEOUT),
        (_chained(httpx.ConnectError, ssl.SSLError(1, "wrong version number")), Problem.TLS_FAILED),
        (httpx.RemoteProtocolError("closed"), Problem.CONNECTION_FAILED),
    ],
)
def test_transport_errors_are_classified(error: httpx.TransportError, problem: Problem) -> None:
    with httpx.Client(transport=_raising(error)) as client:
        result = probe_pull(
            client, "myreg.azurecr.io", "team/app", ["v1"], username="u", password=Secret("p" * 20)
        )
    assert result.failure is not None
    assert (result.failure.step, result.failure.problem) == (Step.CHALLENGE, problem)


def test_probe_many_asks_each_registry_for_its_challenge_once() -> None:
    fakes = {
        h: FakeRegistry(
            host=h,
            grants={f"r{i}": ["pull"] for i in range(6)},
            manifests={(f"r{i}", "1"): b"{}" for i in range(6)},
        )
        for h in ("a.azurecr.io", "b.azurecr.io")
    }

    def route(request: httpx.Request) -> httpx.Response:
        return fakes[request.url.host].handle(request)

    targets = [
        PullTarget(h, f"r{i}", ("1",), "pull-token", Secret(fakes[h].password))
        for h in fakes
        for i in range(6)
    ]
    with httpx.Client(transport=httpx.MockTransport(route)) as client:
        results = probe_many(client, targets, max_workers=4)
    assert [(r.registry, r.repository) for r in results] == [
        (t.registry, t.repository) for t in targets
    ]
    assert all(r.ok for r in results)
    for fake in fakes.values():
        assert sum(r.url.path == "/v2/" for r in fake.requests) == 1
        assert sum(r.url.path == "/oauth2/token" for r in fake.requests) == 6


def test_probe_many_shares_a_challenge_failure_instead_of_repeating_it() -> None:
    calls: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        raise _chained(httpx.ConnectError, socket.gaierror(-2, "Name or service not known"))

    targets = [
        PullTarget("gone.azurecr.io", f"r{i}", ("1",), "u", Secret("p" * 20)) for i in range(5)
    ]
    with httpx.Client(transport=httpx.MockTransport(refuse)) as client:
        results = probe_many(client, targets, max_workers=1)
    assert all(failed(r).problem is Problem.DNS for r in results)
    assert calls == ["/v2/"]


def test_concurrent_probes_of_a_failing_registry_neither_hang_nor_repeat_much() -> None:
    import threading
    import time

    calls: list[str] = []
    lock = threading.Lock()

    def slow_refusal(request: httpx.Request) -> httpx.Response:
        with lock:
            calls.append(request.url.path)
        time.sleep(0.05)
        raise _chained(httpx.ConnectError, ConnectionRefusedError(111, "refused"))

    targets = [
        PullTarget("down.azurecr.io", f"r{i}", ("1",), "u", Secret("p" * 20)) for i in range(8)
    ]
    began = time.perf_counter()
    with httpx.Client(transport=httpx.MockTransport(slow_refusal)) as client:
        results = probe_many(client, targets, max_workers=8)
    assert time.perf_counter() - began < 2.0
    assert all(failed(r).problem is Problem.CONNECTION_REFUSED for r in results)
    assert set(calls) == {"/v2/"} and len(calls) < len(targets) // 2


@pytest.mark.parametrize("body", [b"<html>proxy login</html>", b'{"expires_in": 300}', b"[]"])
def test_a_token_answer_without_a_token_is_a_bad_token_response(body: bytes) -> None:
    fake = FakeRegistry()
    fake.override = lambda r: (
        httpx.Response(200, content=body) if r.url.path == "/oauth2/token" else None
    )
    result = probe(fake)
    assert (failed(result).step, failed(result).problem) == (Step.TOKEN, Problem.BAD_TOKEN_RESPONSE)
    assert not any("/manifests/" in r.url.path for r in fake.requests)


def test_endless_same_host_redirects_stop() -> None:
    fake = FakeRegistry()
    fake.override = lambda r: (
        httpx.Response(302, headers={"Location": "/oauth2/token"})
        if r.url.path == "/oauth2/token"
        else None
    )
    result = probe(fake)
    assert failed(result).problem is Problem.REDIRECT_ELSEWHERE
    assert "too many redirects" in failed(result).detail
    assert sum(r.url.path == "/oauth2/token" for r in fake.requests) == 4
