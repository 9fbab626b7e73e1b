"""The one retry policy: which answers and failures are tried again, how long it waits first.

Scripted servers are httpx ``MockTransport`` handlers; sleeping is recorded, never done.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest
from tests.net.scripted_server import Server

from preflight.net.retry import Failure, RetryPolicy, failure_of, parse_retry_after

NOW = datetime(2026, 12, 4, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def run(waits: list[float]) -> Iterator[Callable[..., tuple[httpx.Response, Server]]]:
    clients: list[httpx.Client] = []

    def go(server: Server, method: str = "GET", **policy: float) -> tuple[httpx.Response, Server]:
        http = httpx.Client(transport=httpx.MockTransport(server))
        clients.append(http)
        retry = RetryPolicy(sleep=waits.append, **policy)  # type: ignore[arg-type]
        request = http.build_request(method, "https://api.example.test/x", json={"a": 1})
        return retry.send(http, request), server

    yield go
    for http in clients:
        http.close()


# -- Retry-After ------------------------------------------------------------------------------


def test_retry_after_delay_seconds() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 120 ") == 120.0
    assert parse_retry_after("0") == 0.0


@pytest.mark.parametrize(
    "value",
    [
        "Fri, 04 Dec 2026 12:00:30 GMT",  # IMF-fixdate
        "Friday, 04-Dec-26 12:00:30 GMT",  # obsolete RFC 850 form
        "Fri Dec  4 12:00:30 2026",  # obsolete asctime form, no zone: GMT
    ],
)
def test_retry_after_http_date_in_every_form(value: str) -> None:
    assert parse_retry_after(value, now=NOW) == 30.0


def test_retry_after_date_in_the_past_means_now() -> None:
    assert parse_retry_after("Fri, 04 Dec 2026 11:00:00 GMT", now=NOW) == 0.0


@pytest.mark.parametrize("value", ["", "soon", "-1", "1.5", "+3", "3s", "Fri, 99 Foo 2026"])
def test_retry_after_that_is_neither_form_is_unreadable(value: str) -> None:
    assert parse_retry_after(value, now=NOW) is None


# -- decisions --------------------------------------------------------------------------------


def test_answers_retried_with_doubling_backoff_within_attempts() -> None:
    policy = RetryPolicy(attempts=4, backoff=0.5, max_delay=10)
    assert [policy.after_status(503, "GET", None, n) for n in (1, 2, 3, 4)] == [
        0.5,
        1.0,
        2.0,
        None,
    ]
    assert policy.after_status(404, "GET", None, 1) is None
    assert policy.after_status(400, "GET", "1", 1) is None  # Retry-After alone is no reason


def test_backoff_never_exceeds_the_bound() -> None:
    assert RetryPolicy(attempts=20, backoff=1, max_delay=5).after_status(500, "GET", None, 9) == 5


def test_retry_after_within_the_bound_is_waited_beyond_it_reported() -> None:
    policy = RetryPolicy(max_delay=5)
    assert policy.after_status(429, "GET", "2", 1) == 2.0
    assert policy.after_status(429, "GET", "5", 1) == 5.0
    assert policy.after_status(429, "GET", "6", 1) is None
    assert policy.after_status(503, "GET", "soon", 1) == 0.5  # unreadable: backoff


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_post_that_may_have_taken_effect_is_not_repeated(status: int) -> None:
    assert RetryPolicy().after_status(status, "POST", None, 1) is None
    assert RetryPolicy().after_status(status, "PATCH", None, 1) is None
    assert RetryPolicy().after_status(status, "PUT", None, 1) == 0.5


@pytest.mark.parametrize("status", [408, 429])
def test_a_post_the_server_did_not_act_on_is_repeated(status: int) -> None:
    assert RetryPolicy().after_status(status, "POST", None, 1) == 0.5


def test_failures_by_kind_and_method() -> None:
    policy = RetryPolicy()
    assert policy.after_failure(Failure.UNSENT, "POST", 1) == 0.5
    assert policy.after_failure(Failure.BROKEN, "GET", 1) == 0.5
    assert policy.after_failure(Failure.BROKEN, "POST", 1) is None
    assert policy.after_failure(Failure.TIMED_OUT, "GET", 1) is None
    assert policy.after_failure(Failure.UNTRUSTED, "GET", 1) is None
    assert policy.after_failure(Failure.UNSENT, "GET", policy.attempts) is None


def test_httpx_errors_are_classified() -> None:
    assert failure_of(httpx.ConnectError("refused")) is Failure.UNSENT
    assert failure_of(httpx.ConnectTimeout("slow")) is Failure.UNSENT
    assert failure_of(httpx.ReadTimeout("slow")) is Failure.TIMED_OUT
    assert failure_of(httpx.RemoteProtocolError("dropped")) is Failure.BROKEN
    untrusted = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] self-signed")
    assert failure_of(untrusted) is Failure.UNTRUSTED


# -- the loop ---------------------------------------------------------------------------------


def test_loop_retries_until_an_answer_is_final(
    run: Callable[..., tuple[httpx.Response, Server]], waits: list[float]
) -> None:
    response, server = run(
        Server(
            httpx.ConnectError("refused"),
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.Response(200, text="ok"),
        ),
        attempts=3,
    )
    assert response.status_code == 200 and response.text == "ok"
    assert len(server.requests) == 3 and waits == [0.5, 2.0]


def test_loop_returns_the_last_answer_when_attempts_run_out(
    run: Callable[..., tuple[httpx.Response, Server]], waits: list[float]
) -> None:
    response, server = run(Server(httpx.Response(503)), attempts=3)
    assert response.status_code == 503 and len(server.requests) == 3 and waits == [0.5, 1.0]


def test_loop_reports_at_once_a_retry_after_beyond_the_bound(
    run: Callable[..., tuple[httpx.Response, Server]], waits: list[float]
) -> None:
    later = format_datetime(datetime.now(timezone.utc) + timedelta(hours=1), usegmt=True)
    response, server = run(Server(httpx.Response(429, headers={"Retry-After": later})))
    assert response.status_code == 429 and len(server.requests) == 1 and waits == []


@pytest.mark.parametrize(
    ("method", "error"),
    [
        ("GET", httpx.ReadTimeout("slow")),
        ("POST", httpx.RemoteProtocolError("dropped")),
        ("GET", httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]")),
    ],
)
def test_loop_raises_a_failure_that_is_not_retried_after_one_request(
    run: Callable[..., tuple[httpx.Response, Server]],
    waits: list[float],
    method: str,
    error: Exception,
) -> None:
    server = Server(error, httpx.Response(200))
    with pytest.raises(type(error)):
        run(server, method)
    assert len(server.requests) == 1 and waits == []


def test_loop_raises_the_last_failure_when_attempts_run_out(
    run: Callable[..., tuple[httpx.Response, Server]], waits: list[float]
) -> None:
    server = Server(httpx.ConnectError("refused"))
    with pytest.raises(httpx.ConnectError):
        run(server, "POST", attempts=2)
    assert len(server.requests) == 2 and waits == [0.5]


def test_ctrl_c_during_a_wait_ends_the_loop_at_once() -> None:
    def interrupted(_seconds: float) -> None:
        raise KeyboardInterrupt

    server = Server(httpx.Response(503), httpx.Response(200))
    with httpx.Client(transport=httpx.MockTransport(server)) as http:
        policy = RetryPolicy(sleep=interrupted)
        with pytest.raises(KeyboardInterrupt):
            policy.send(http, http.build_request("GET", "https://api.example.test/"))
    assert len(server.requests) == 1


class Counting(httpx.Auth):
    """An auth flow that leaves its retries to the policy, as the registry handshake does."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.retries = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield from self.policy.exchange(request, on_retry=self.count)

    def count(self) -> None:
        self.retries += 1


def test_loop_drives_an_httpx_auth_flow(waits: list[float]) -> None:
    server = Server(httpx.Response(502), httpx.Response(502), httpx.Response(200))
    auth = Counting(RetryPolicy(sleep=waits.append))
    with httpx.Client(transport=httpx.MockTransport(server), auth=auth) as http:
        assert http.get("https://registry.example.test/v2/").status_code == 200
    assert auth.retries == 2 and len(server.requests) == 3 and waits == [0.5, 1.0]
