"""ARM's retries: the Azure SDK's own retry stage, steered by preflight's one retry policy.

Against the sandbox's ARM emulator over HTTPS, with faults injected in front of it. A fault's
``times`` budget counts the requests it answered, so each test knows how often ARM was asked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from azure.core.exceptions import (
    AzureError as SdkError,
)
from azure.core.exceptions import (
    ServiceRequestError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)

from preflight.azure import identity
from preflight.azure.arm import ArmGateway, build_arm_gateway
from preflight.azure.arm_retry import failure_of
from preflight.errors import AzureError
from preflight.net.retry import Failure, RetryPolicy
from preflight.settings import Settings

if TYPE_CHECKING:
    from preflight.sandbox.faults import Fault
    from preflight.sandbox.runtime import Sandbox

pytestmark = pytest.mark.sandbox
ACR = "sandboxacr.azurecr.io"
BUDGET = 50  # a fault answers at most this many requests: more than any test makes


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def arm(sandbox_env: Sandbox, waits: list[float]) -> Iterator[ArmGateway]:
    environ = dict(os.environ)
    policy = RetryPolicy(attempts=3, max_delay=5.0, sleep=waits.append)
    built = build_arm_gateway(Settings.from_environ(environ), environ, retry=policy)
    try:
        yield built
    finally:
        built.close()


def answered(sandbox: Sandbox, fault: Fault) -> int:
    """How many requests ``fault`` has answered so far."""
    for active in sandbox.faults.active():
        if replace(active, times=fault.times) == fault:
            assert active.times is not None and fault.times is not None
            return fault.times - active.times
    assert fault.times is not None
    return fault.times  # used up, and so removed


def test_a_passing_outage_is_retried_with_backoff(
    arm: ArmGateway, sandbox_env: Sandbox, waits: list[float]
) -> None:
    outage = sandbox_env.faults.set("arm", status=503, times=2)
    assert arm.find_registry(ACR).login_server == ACR
    assert answered(sandbox_env, outage) == 2 and waits == [0.5, 1.0]


def test_retry_after_within_the_bound_is_waited(
    arm: ArmGateway, sandbox_env: Sandbox, waits: list[float]
) -> None:
    sandbox_env.faults.set("arm", status=429, retry_after=3, times=1)
    assert arm.find_registry(ACR).login_server == ACR
    assert waits == [3.0]


@pytest.mark.parametrize(
    ("status", "retry_after", "words"),
    [
        (429, 600, "throttling"),  # asks for longer than the bound: reported, not slept through
        (403, 1, "not authorised"),  # not worth repeating, whatever its Retry-After says
    ],
)
def test_an_answer_not_to_retry_is_reported_after_one_request(
    arm: ArmGateway,
    sandbox_env: Sandbox,
    waits: list[float],
    status: int,
    retry_after: int,
    words: str,
) -> None:
    fault = sandbox_env.faults.set("arm", status=status, retry_after=retry_after, times=BUDGET)
    with pytest.raises(AzureError, match=words):
        arm.find_registry(ACR)
    assert answered(sandbox_env, fault) == 1 and waits == []


@pytest.mark.parametrize("fault", [{"status": 500}, {"status": 503}, {"drop": True}])
def test_generate_credentials_is_never_repeated_when_it_may_have_taken_effect(
    arm: ArmGateway, sandbox_env: Sandbox, waits: list[float], fault: dict[str, object]
) -> None:
    registry = arm.find_registry(ACR)
    [token, *_] = arm.list_tokens(registry)
    failing = sandbox_env.faults.set(
        "arm",
        path_prefix=f"{registry.id}/generateCredentials",
        times=BUDGET,
        **fault,  # type: ignore[arg-type]
    )
    with pytest.raises(AzureError):
        arm.generate_password(registry, token)
    assert answered(sandbox_env, failing) == 1 and waits == []


def test_generate_credentials_is_repeated_when_throttled(
    arm: ArmGateway, sandbox_env: Sandbox, waits: list[float]
) -> None:
    registry = arm.find_registry(ACR)
    [token, *_] = arm.list_tokens(registry)
    sandbox_env.faults.set(
        "arm", path_prefix=f"{registry.id}/generateCredentials", status=429, times=1
    )
    assert arm.generate_password(registry, token).reveal()
    assert waits == [0.5]


def test_a_dropped_read_is_repeated(
    arm: ArmGateway, sandbox_env: Sandbox, waits: list[float]
) -> None:
    drop = sandbox_env.faults.set("arm", drop=True, times=1)
    assert arm.find_registry(ACR).login_server == ACR
    assert answered(sandbox_env, drop) == 1 and waits == [0.5]


def test_sdk_failures_are_classified() -> None:
    assert failure_of(ServiceRequestError("refused")) is Failure.UNSENT
    assert failure_of(ServiceResponseTimeoutError("slow")) is Failure.TIMED_OUT
    assert failure_of(ServiceResponseError("dropped")) is Failure.BROKEN
    assert failure_of(ServiceRequestError("[SSL: CERTIFICATE_VERIFY_FAILED]")) is (
        Failure.UNTRUSTED
    )
    assert failure_of(SdkError("other")) is Failure.BROKEN


def test_the_budget_bounds_a_call_and_its_retries(
    sandbox_env: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SDK's absolute timeout still applies: no try runs past the budget of one call."""
    monkeypatch.setattr(identity, "RETRY_BUDGET", 0.8)
    slow = sandbox_env.faults.set("arm", status=503, latency_ms=500, times=BUDGET)
    environ = dict(os.environ)
    policy = RetryPolicy(attempts=5, sleep=lambda _s: None)
    gateway = build_arm_gateway(Settings.from_environ(environ), environ, retry=policy)
    try:
        with pytest.raises(AzureError, match="did not answer in time"):
            gateway.find_registry(ACR)
    finally:
        gateway.close()
    assert answered(sandbox_env, slow) == 2  # 0.5 s each: the second is cut at the budget
