"""``preflight check`` when a service is slow, throttles, fails, drops or never answers.

Each test first makes the demo pipeline pass (``fix --yes``, no fault), switches a fault on,
and runs ``check`` as a user would, with the new token's password so the pull check performs
Wave's real handshake. It must end within a bound, and what it reports must be true: a pass
where the fault was survived; an error or fail naming the service or step, with a remedy,
where it was not; and every check the fault does not touch still reporting its own result.
Faults carry a ``times`` budget so each test also counts the requests they answered.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest
from faults_support import ACR, BOUND_S, PERSISTENT, Fixed, Invoke, Run, used

if TYPE_CHECKING:
    from preflight.sandbox.runtime import Sandbox

pytestmark = pytest.mark.sandbox
# The registry clients wait 15 s for an answer; a hang is reported after one such wait.
HANG_BOUND_S = 25.0
# Azure's SDK clients wait 30 s for an answer: one such wait, and a margin.
AZURE_HANG_BOUND_S = 40.0
PULL_WORKS = "Wave's pull will work"


@pytest.fixture
def check(fixed: Fixed, preflight: Invoke, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """``check --format json`` on the fixed pipeline; with the token's password unless told."""
    monkeypatch.setenv("ACR_PASSWORD", fixed.password)

    def run(*, password: bool = True) -> Run:
        extra = ("--password-env", "ACR_PASSWORD") if password else ()
        result = preflight("check", str(fixed.pipeline), "--format", "json", *extra)
        assert fixed.password not in result.out + result.err
        return result

    return run


def by_status(run: Run, check: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for finding in run.findings(check):
        grouped.setdefault(finding["status"], []).append(finding)
    return grouped


def assert_untouched_checks_pass(run: Run, *checks: str) -> None:
    for name in checks:
        statuses = {f["status"] for f in run.findings(name)}
        assert statuses == {"pass"}, (name, run.findings(name))


def test_latency_on_every_service_slows_but_passes(
    sandbox_env: Sandbox, check: Callable[..., Run]
) -> None:
    slowed = [
        sandbox_env.faults.set(service, latency_ms=200, times=PERSISTENT)
        for service in ("platform", "arm", "entra", "acr")
    ]
    run = check()
    assert run.code == 0, run.findings()
    assert_untouched_checks_pass(run, "wave", "images", "credentials", "token", "pull")
    assert all(PULL_WORKS in f["message"] for f in run.findings("pull"))
    assert all(used(sandbox_env, fault) > 0 for fault in slowed)  # every service was slowed
    assert run.seconds < BOUND_S


def test_platform_throttling_is_retried_after_retry_after_then_passes(
    sandbox_env: Sandbox, check: Callable[..., Run]
) -> None:
    throttle = sandbox_env.faults.set("platform", status=429, retry_after=1, times=2)
    run = check()
    assert run.code == 0, run.findings()
    assert_untouched_checks_pass(run, "wave", "images", "credentials", "token", "pull")
    assert used(sandbox_env, throttle) == 2
    assert 2.0 <= run.seconds < BOUND_S  # Retry-After: 1 was honoured, twice


def test_platform_down_is_an_error_naming_platform_and_the_rest_still_reports(
    sandbox_env: Sandbox, check: Callable[..., Run]
) -> None:
    outage = sandbox_env.faults.set("platform", status=503, times=PERSISTENT)
    run = check()
    assert run.code == 4  # cannot reach: nothing is known to be wrong
    [error] = by_status(run, "credentials")["error"]
    assert "Seqera Platform" in error["message"] and "503" in error["message"]
    assert error["remedy"]
    assert_untouched_checks_pass(run, "wave", "images")
    assert {f["status"] for f in run.findings("token")} == {"skip"}
    # The data plane still proves the images exist, and says why the token was not tried.
    pulls = run.findings("pull")
    assert pulls and {f["status"] for f in pulls} == {"skip"}  # Wave's pull was not tried
    assert all("credentials could not be read" in f["message"] for f in pulls), pulls
    assert used(sandbox_env, outage) <= 4  # one call, three bounded retries, read once
    assert run.seconds < BOUND_S


def test_dropped_connections_at_arm_leave_the_token_unchecked_and_the_pull_proven(
    sandbox_env: Sandbox, check: Callable[..., Run]
) -> None:
    drops = sandbox_env.faults.set("arm", drop=True, times=PERSISTENT)
    run = check()
    assert run.code == 1
    [error] = run.findings("token")
    assert error["status"] == "error"
    assert "connection broke before Azure answered" in error["message"]
    assert error["remedy"]
    assert_untouched_checks_pass(run, "wave", "images", "credentials", "pull")
    assert 1 <= used(sandbox_env, drops) <= 4
    assert run.seconds < BOUND_S


def test_slow_registry_bodies_still_pass(sandbox_env: Sandbox, check: Callable[..., Run]) -> None:
    slow = sandbox_env.faults.set("acr", slow_body_ms=10, times=PERSISTENT)
    run = check()
    assert run.code == 0, run.findings()
    assert_untouched_checks_pass(run, "wave", "images", "credentials", "token", "pull")
    assert all(PULL_WORKS in f["message"] for f in run.findings("pull"))
    assert used(sandbox_env, slow) > 0
    assert run.seconds < BOUND_S


@pytest.mark.parametrize("status", [500, 503])
def test_acr_token_service_failing_is_an_error_at_the_token_step(
    sandbox_env: Sandbox, check: Callable[..., Run], status: int
) -> None:
    failing = sandbox_env.faults.set(
        "acr", path_prefix="/oauth2/token", status=status, times=PERSISTENT
    )
    run = check()
    assert run.code == 1
    pulls = run.findings("pull")
    assert len(pulls) == 2 and {f["status"] for f in pulls} == {"error"}
    for finding in pulls:
        assert "the token request" in finding["message"], finding
        assert f"answered {status}" in finding["message"]
        assert finding["remedy"]
    assert_untouched_checks_pass(run, "wave", "images", "credentials", "token")
    assert used(sandbox_env, failing) <= 2 * 3  # at most three tries per repository
    assert run.seconds < BOUND_S


def test_acr_token_service_failing_without_a_password_is_an_error_too(
    sandbox_env: Sandbox, check: Callable[..., Run]
) -> None:
    failing = sandbox_env.faults.set(
        "acr", path_prefix="/oauth2/token", status=503, times=PERSISTENT
    )
    run = check(password=False)
    assert run.code == 1
    pulls = run.findings("pull")
    assert len(pulls) == 2 and {f["status"] for f in pulls} == {"error"}
    for finding in pulls:
        assert "could not check existence" in finding["message"], finding
        assert "the token exchange (/oauth2/token) failed" in finding["message"], finding
        assert finding["remedy"]
    assert_untouched_checks_pass(run, "wave", "images", "credentials", "token")
    assert 1 <= used(sandbox_env, failing) <= 2 * 9  # the SDK's bounded retries, per image
    assert run.seconds < BOUND_S


def _disable(sandbox: Sandbox, fixed: Fixed) -> None:
    with sandbox.azure.lock:
        sandbox.azure.registries[ACR].tokens[fixed.token].enabled = False


def _expire(sandbox: Sandbox, fixed: Fixed) -> None:
    with sandbox.azure.lock:
        for password in sandbox.azure.registries[ACR].tokens[fixed.token].passwords:
            password.expiry = datetime.now(timezone.utc) - timedelta(minutes=1)


@pytest.mark.parametrize(
    ("change", "cause", "azure_says"),
    [
        (_disable, "is disabled", "is disabled"),
        (_expire, "every password has expired", "every password of ACR token"),
    ],
    ids=["token-disabled", "password-expired"],
)
def test_token_changed_between_fix_and_check_fails_at_the_token_step(
    sandbox_env: Sandbox,
    fixed: Fixed,
    check: Callable[..., Run],
    change: Callable[[Sandbox, Fixed], None],
    cause: str,
    azure_says: str,
) -> None:
    change(sandbox_env, fixed)
    run = check()
    assert run.code == 1
    [token] = run.findings("token")
    assert token["status"] == "fail" and cause in token["message"] and token["remedy"]
    pulls = run.findings("pull")
    assert len(pulls) == 2 and {f["status"] for f in pulls} == {"fail"}
    for finding in pulls:
        assert "the token request" in finding["message"] and "401" in finding["message"]
        # ACR's 401 leaves the cause open; Azure's view of the token names it.
        _, says, azure = finding["message"].partition("Azure says: ")
        assert says and azure_says in azure, finding
        assert finding["remedy"]
    assert_untouched_checks_pass(run, "wave", "images", "credentials")
    assert run.seconds < BOUND_S


@pytest.mark.slow
@pytest.mark.parametrize("password", [True, False], ids=["handshake", "data-plane"])
def test_a_registry_that_never_answers_is_reported_within_the_client_timeout(
    sandbox_env: Sandbox, check: Callable[..., Run], password: bool
) -> None:
    # Accepts the connection (and TLS) and then says nothing for far longer than any timeout.
    hang = sandbox_env.faults.set("acr", latency_ms=60_000, times=PERSISTENT)
    run = check(password=password)
    assert run.code == 1
    pulls = run.findings("pull")
    assert len(pulls) == 2 and {f["status"] for f in pulls} == {"error"}, pulls
    assert all("did not answer in time" in f["message"] and f["remedy"] for f in pulls), pulls
    assert_untouched_checks_pass(run, "wave", "images", "credentials", "token")
    assert 1 <= used(sandbox_env, hang) <= 2  # no retry of a request that timed out
    assert run.seconds < HANG_BOUND_S


@pytest.fixture
def silent_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    """The main registry's name routed to a port that accepts connections and never speaks.

    The kernel completes the TCP handshake from the listen backlog; nothing ever accepts, so
    the client's TLS handshake waits for an answer that never comes.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    monkeypatch.setenv("PREFLIGHT_CONNECT_TO", f"{ACR}:443:127.0.0.1:{port}")
    try:
        yield listener
    finally:
        listener.close()


@pytest.mark.slow
@pytest.mark.parametrize("password", [True, False], ids=["handshake", "data-plane"])
def test_a_registry_that_never_completes_tls_is_reported_within_the_client_timeout(
    sandbox_env: Sandbox,
    check: Callable[..., Run],
    silent_registry: socket.socket,
    password: bool,
) -> None:
    run = check(password=password)
    assert run.code == 1
    pulls = run.findings("pull")
    assert len(pulls) == 2 and {f["status"] for f in pulls} == {"error"}, pulls
    assert all("did not answer in time" in f["message"] and f["remedy"] for f in pulls), pulls
    assert_untouched_checks_pass(run, "wave", "images", "credentials", "token")
    assert run.seconds < HANG_BOUND_S


@pytest.mark.slow
@pytest.mark.parametrize(
    ("service", "said"),
    [
        ("arm", "Azure Resource Manager did not answer in time"),
        ("entra", "the sign-in at Entra ID got no answer"),  # not "refused the sign-in"
    ],
)
def test_an_azure_service_that_never_answers_is_reported_after_one_read_timeout(
    sandbox_env: Sandbox, check: Callable[..., Run], service: str, said: str
) -> None:
    hang = sandbox_env.faults.set(service, latency_ms=120_000, times=PERSISTENT)
    run = check()
    assert run.code == 1
    [token] = run.findings("token")
    assert token["status"] == "error" and said in token["message"], token
    assert "AZURE_AUTHORITY_HOST" in token["remedy"] or "PREFLIGHT_ARM_ENDPOINT" in token["remedy"]
    assert_untouched_checks_pass(run, "wave", "images", "credentials", "pull")
    assert used(sandbox_env, hang) == 1  # waited out once, not repeated
    assert run.seconds < AZURE_HANG_BOUND_S
