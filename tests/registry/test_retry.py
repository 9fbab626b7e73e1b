"""Retry-After handling: honoured within the bound, refused beyond it, backoff without it."""

from __future__ import annotations

import email.utils
import time

import httpx

from preflight.registry.retry import RetryPolicy, retry_after


def _response(status: int, retry: str | None = None) -> httpx.Response:
    return httpx.Response(status, headers={"Retry-After": retry} if retry else {})


def test_retry_after_seconds_and_http_date() -> None:
    assert retry_after(_response(429, "3")) == 3.0
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    value = retry_after(_response(429, later))
    assert value is not None and 25 <= value <= 31
    assert retry_after(_response(429, "soon")) is None
    assert retry_after(_response(429)) is None


def test_policy_waits_within_bound_then_stops() -> None:
    policy = RetryPolicy(attempts=3, max_delay=5)
    assert policy.delay(_response(429, "2"), attempt=1) == 2.0
    assert policy.delay(_response(429, "2"), attempt=3) is None  # out of attempts
    assert policy.delay(_response(429, "60"), attempt=1) is None  # asks too long: report it
    assert policy.delay(_response(503), attempt=2) == 1.0  # backoff 0.5 * 2
    assert policy.delay(_response(404), attempt=1) is None
    assert policy.delay(_response(500), attempt=1) is None  # a plain 500 is not retried
