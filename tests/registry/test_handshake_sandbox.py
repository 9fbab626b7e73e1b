"""The pull handshake against the sandbox: the real registry process behind ACR's token service.

Every diagnosis that the sandbox can produce is produced for real here: refused credentials
(wrong password, disabled token, expired password — ACR answers each the same way), a scope
map without the repository, a missing tag or repository, throttling, server errors, a firewall,
and TLS trouble. The sandbox records every ``/oauth2/*`` request, so the tests also assert what
reached the token service.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from preflight.net import connect_to
from preflight.net.retry import RetryPolicy
from preflight.registry import Problem, Step, probe_many, probe_pull
from preflight.registry.diagnosis import findings_for
from preflight.registry.handshake import PullResult, PullTarget
from preflight.sandbox.runtime import Sandbox
from preflight.sandbox.state import utcnow
from preflight.secret import Secret
from preflight.settings import Settings
from preflight.wiring import build_http_client

pytestmark = pytest.mark.sandbox

LOGIN = "sandboxacr.azurecr.io"
TOKEN = "pipeline-reader"
QUICK = RetryPolicy(attempts=3, max_delay=2.0, backoff=0.01)


def _probe(
    sandbox: Sandbox,
    repository: str = "team/app",
    tags: tuple[str, ...] = ("1.0",),
    *,
    password: str | None = None,
    client: httpx.Client | None = None,
    retry: RetryPolicy = QUICK,
) -> PullResult:
    own = client is None
    http = client or build_http_client(Settings(ca_bundle=sandbox.ca_bundle))
    try:
        return probe_pull(
            http,
            LOGIN,
            repository,
            tags,
            username=TOKEN,
            password=Secret(password if password is not None else sandbox.password(LOGIN, TOKEN)),
            retry=retry,
        )
    finally:
        if own:
            http.close()


def test_pull_succeeds_with_one_token_request_for_two_tags(sandbox_env: Sandbox) -> None:
    result = _probe(sandbox_env, tags=("1.0", "1.1"))
    assert result.ok, result
    assert all(m.digest and m.digest.startswith("sha256:") for m in result.manifests)
    assert result.manifests[0].digest != result.manifests[1].digest
    assert result.granted == ("pull",)
    records = sandbox_env.acr_requests(LOGIN)
    assert [(r.method, r.had_basic_auth, r.username) for r in records] == [("GET", True, TOKEN)]
    assert [f.status.value for f in findings_for(result)] == ["pass", "pass"]


def test_docker_v2_manifests_pass_too(sandbox_env: Sandbox) -> None:
    result = _probe(sandbox_env, "team/tool", ("2.1",))
    assert result.ok
    assert result.manifests[0].media_type == "application/vnd.docker.distribution.manifest.v2+json"


def test_pinned_digest_is_verified_against_the_real_registry(sandbox_env: Sandbox) -> None:
    digest = _probe(sandbox_env).manifests[0].digest
    assert digest is not None
    assert _probe(sandbox_env, tags=(digest,)).ok
    with build_http_client(Settings(ca_bundle=sandbox_env.ca_bundle)) as client:
        pinned = probe_pull(
            client,
            LOGIN,
            "team/app",
            ["1.1"],
            username=TOKEN,
            password=Secret(sandbox_env.password(LOGIN, TOKEN)),
            pinned={"1.1": digest},
        )
    assert pinned.manifests[0].failure is not None
    assert pinned.manifests[0].failure.problem is Problem.PINNED_DIGEST_MISMATCH


def _refused(result: PullResult) -> None:
    assert result.failure is not None
    assert (result.failure.step, result.failure.problem) == (
        Step.TOKEN,
        Problem.CREDENTIALS_REFUSED,
    )
    assert result.failure.status == 401
    (finding,) = findings_for(result)
    assert finding.status.value == "fail"
    assert "password is wrong, the token disabled or its password expired" in finding.message


def test_wrong_password_is_refused_at_the_token_step(sandbox_env: Sandbox) -> None:
    wrong = "not-the-password-0123456789-abcdefghijklmno"
    result = _probe(sandbox_env, password=wrong)
    _refused(result)
    assert wrong not in repr(result) + repr(findings_for(result))


def test_disabled_token_is_refused_at_the_token_step(sandbox_env: Sandbox) -> None:
    with sandbox_env.azure.lock:
        registry = sandbox_env.azure.registry(LOGIN)
        assert registry is not None
        registry.tokens[TOKEN].enabled = False
    _refused(_probe(sandbox_env))


def test_expired_password_is_refused_at_the_token_step(sandbox_env: Sandbox) -> None:
    with sandbox_env.azure.lock:
        registry = sandbox_env.azure.registry(LOGIN)
        assert registry is not None
        registry.tokens[TOKEN].passwords[0].expiry = utcnow() - timedelta(days=1)
    _refused(_probe(sandbox_env))


def test_repository_outside_the_scope_map_gets_a_token_without_pull(sandbox_env: Sandbox) -> None:
    result = _probe(sandbox_env, "shared/base", ("latest",))
    assert result.failure is not None
    assert (result.failure.step, result.failure.problem) == (Step.SCOPE, Problem.SCOPE_MISSING)
    (finding,) = findings_for(result)
    assert "repositories/shared/base/content/read" in finding.remedy


def test_missing_tag_and_missing_repository(sandbox_env: Sandbox) -> None:
    tag = _probe(sandbox_env, tags=("9.9",)).manifests[0]
    assert tag.failure is not None and tag.failure.problem is Problem.MANIFEST_NOT_FOUND
    with sandbox_env.azure.lock:
        registry = sandbox_env.azure.registry(LOGIN)
        assert registry is not None
        registry.scope_maps["pipeline-reader-scope"].actions.append(
            "repositories/team/ghost/content/read"
        )
    ghost = _probe(sandbox_env, "team/ghost", ("1.0",)).manifests[0]
    assert ghost.failure is not None
    assert ghost.failure.problem is Problem.REPOSITORY_NOT_FOUND


def test_upper_case_repository(sandbox_env: Sandbox) -> None:
    result = _probe(sandbox_env, "Team/App")
    assert result.failure is not None and result.failure.problem is Problem.UPPERCASE_REPOSITORY
    assert sandbox_env.acr_requests(LOGIN) == []


def test_throttling_with_retry_after_is_waited_out(sandbox_env: Sandbox) -> None:
    sandbox_env.faults.set("acr", path_prefix="/v2/team", status=429, retry_after=1, times=1)
    result = _probe(sandbox_env)
    assert result.ok and result.retries == 1


def test_throttling_beyond_the_bound_is_reported(sandbox_env: Sandbox) -> None:
    sandbox_env.faults.set("acr", path_prefix="/oauth2/token", status=429, retry_after=1)
    result = _probe(sandbox_env, retry=RetryPolicy(attempts=2, max_delay=2.0))
    assert result.failure is not None
    assert (result.failure.step, result.failure.problem) == (Step.TOKEN, Problem.THROTTLED)
    assert findings_for(result)[0].status.value == "error"


def test_server_errors_and_firewall(sandbox_env: Sandbox) -> None:
    sandbox_env.faults.set("acr", path_prefix="/v2/team", status=503)
    check = _probe(sandbox_env).manifests[0]
    assert check.failure is not None and check.failure.problem is Problem.SERVER_ERROR
    sandbox_env.faults.clear()
    sandbox_env.faults.set("acr", path_prefix="/v2/", status=403)
    result = _probe(sandbox_env)
    assert result.failure is not None
    assert (result.failure.step, result.failure.problem) == (Step.CHALLENGE, Problem.FORBIDDEN)


def test_untrusted_certificate(sandbox_env: Sandbox) -> None:
    with httpx.Client(timeout=5.0) as client:  # the system store only: no sandbox CA
        result = _probe(sandbox_env, client=client)
    assert result.failure is not None
    assert (result.failure.step, result.failure.problem) == (Step.CHALLENGE, Problem.TLS_UNTRUSTED)
    assert sandbox_env.acr_requests(LOGIN) == []


def test_certificate_for_another_host(sandbox_env: Sandbox) -> None:
    host, _, port = sandbox_env.address(LOGIN).rpartition(":")
    connect_to.install({("impostor.azurecr.io", 443): (host, int(port))})
    with build_http_client(Settings(ca_bundle=sandbox_env.ca_bundle)) as client:
        result = probe_pull(
            client,
            "impostor.azurecr.io",
            "team/app",
            ["1.0"],
            username=TOKEN,
            password=Secret(sandbox_env.password(LOGIN, TOKEN)),
        )
    assert result.failure is not None
    assert result.failure.problem is Problem.TLS_WRONG_HOST
    assert sandbox_env.acr_requests(LOGIN) == []


def test_probe_many_across_both_registries(sandbox_env: Sandbox) -> None:
    password = Secret(sandbox_env.password(LOGIN, TOKEN))
    targets = [
        PullTarget(LOGIN, "team/app", ("1.0", "1.1"), TOKEN, password),
        PullTarget(LOGIN, "team/tool", ("2.1",), TOKEN, password),
        PullTarget(LOGIN, "shared/base", ("latest",), TOKEN, password),
        PullTarget("otheracr.azurecr.io", "lab/align", ("3.0",), TOKEN, password),
    ]
    with build_http_client(Settings(ca_bundle=sandbox_env.ca_bundle)) as client:
        results = probe_many(client, targets, retry=QUICK)
    assert [r.ok for r in results] == [True, True, False, False]
    assert results[2].failure is not None and results[3].failure is not None
    assert results[2].failure.problem is Problem.SCOPE_MISSING
    assert results[3].failure.problem is Problem.CREDENTIALS_REFUSED
