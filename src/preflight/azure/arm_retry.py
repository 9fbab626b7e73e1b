"""The Azure SDK's retry loop for ARM, taking every decision from preflight's one retry policy.

The SDK's pipeline has its own retry stage; a second loop around the SDK would multiply the
tries, so this replaces that stage with one that asks :class:`~preflight.net.retry.RetryPolicy`
instead of the SDK's defaults. What changes against them: a POST (generate credentials) is no
longer repeated after a 500, 503 or 504 that may have taken effect; an answer is no longer
retried merely because it carries ``Retry-After``; a ``Retry-After`` beyond the policy's bound is
reported instead of slept through (the SDK would wait any length); a read timeout is not retried.
The SDK keeps what only it can do: rewinding request bodies, the absolute timeout, the history.
"""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import (
    ServiceRequestError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)
from azure.core.pipeline.policies import RetryPolicy as SdkRetryPolicy
from azure.core.rest import HttpRequest, HttpResponse

from preflight.net.retry import Failure, RetryPolicy, is_tls_failure


class ArmRetry(SdkRetryPolicy[HttpRequest, HttpResponse]):
    """An azure-core retry stage whose decisions and waits are ``policy``'s.

    ``budget`` is the SDK's absolute timeout: seconds one call may take, its retries included
    (the ``timeout`` option that configures the SDK's own stage when none is handed in).
    """

    def __init__(self, policy: RetryPolicy, *, budget: float) -> None:
        retries = max(0, policy.attempts - 1)
        super().__init__(
            timeout=budget,
            retry_total=retries,
            retry_connect=retries,
            retry_read=retries,
            retry_status=retries,
            retry_backoff_factor=policy.backoff,
            retry_backoff_max=policy.max_delay,
        )
        self.policy = policy

    def is_retry(self, settings: dict[str, Any], response: Any) -> bool:
        answer = response.http_response
        delay = self.policy.after_status(
            answer.status_code,
            response.http_request.method,
            answer.headers.get("Retry-After"),
            _tries(settings) + 1,
        )
        return delay is not None

    def _is_method_retryable(
        self, settings: dict[str, Any], request: Any, response: Any = None
    ) -> bool:
        # Asked only about a request that got no answer; increment() decides that by the kind
        # of failure, which this hook is not told.
        return True

    def increment(
        self, settings: dict[str, Any], response: Any = None, error: Exception | None = None
    ) -> bool:
        if error is not None:
            method = response.http_request.method
            if self.policy.after_failure(failure_of(error), method, _tries(settings) + 1) is None:
                return False
        return bool(super().increment(settings, response=response, error=error))

    def sleep(self, settings: dict[str, Any], transport: Any, response: Any = None) -> None:
        tries = _tries(settings)  # increment() has recorded the try that just ended
        delay: float | None = None
        if response is not None:
            answer = response.http_response
            delay = self.policy.after_status(
                answer.status_code,
                response.http_request.method,
                answer.headers.get("Retry-After"),
                tries,
            )
        if delay is None:
            delay = self.policy.backoff_delay(tries)
        if delay > 0:
            self.policy.sleep(delay)


def failure_of(error: Exception) -> Failure:
    """What an azure-core transport error means for repeating the request."""
    if is_tls_failure(error):
        return Failure.UNTRUSTED
    if isinstance(error, ServiceRequestError):
        return Failure.UNSENT
    if isinstance(error, ServiceResponseTimeoutError):
        return Failure.TIMED_OUT
    if isinstance(error, ServiceResponseError):
        return Failure.BROKEN
    return Failure.BROKEN  # any other failure without an answer: only idempotent calls again


def _tries(settings: dict[str, Any]) -> int:
    """Requests already sent and retried: the SDK records one history entry per retry."""
    return len(settings["history"])
