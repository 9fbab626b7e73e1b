"""When to ask a server again, and how long to wait first: the one retry policy of every client.

The Platform client and the registry handshake drive :meth:`RetryPolicy.exchange` (an httpx
request flow); the ARM gateway hands the same decisions to the Azure SDK's own retry loop
(:mod:`preflight.azure.arm_retry`). The rules, from RFC 9110:

* A status in ``statuses`` is tried again, but a request that is not idempotent (POST, PATCH)
  only when the server surely did not act on it (408, 429): repeating a POST that may have taken
  effect could create a second credential.
* A connection that was never made is tried again for any method; a broken one only for an
  idempotent method; a read timeout never (one full wait is the budget in front of a launch);
  an untrusted certificate never (it will not become trusted).
* The wait is ``Retry-After`` (delay-seconds or an HTTP-date) when the answer gives one, else
  an exponential backoff. A ``Retry-After`` longer than ``max_delay`` is not waited for at all:
  retrying sooner than asked only earns another refusal, so the answer is reported instead.
* At most ``attempts`` tries in all. ``sleep`` is injectable so tests observe the waits; the
  default ``time.sleep`` ends at once on Ctrl-C.
"""

from __future__ import annotations

import email.utils
import enum
import re
import ssl
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import datetime, timezone

import httpx

# RFC 9110: 408 and 429 say the server did not act on the request; 500, 502, 503 and 504 that
# it, or a gateway in front of it, failed for now.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
UNPROCESSED_STATUSES = frozenset({408, 429})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
DELAY_SECONDS = re.compile(r"[0-9]+")

Flow = Generator[httpx.Request, httpx.Response, httpx.Response]


class Failure(enum.Enum):
    """How a request that got no answer failed, as far as repeating it is concerned."""

    UNSENT = "the connection was never made"
    BROKEN = "the connection broke after the request was sent"
    TIMED_OUT = "no answer within the read timeout"
    UNTRUSTED = "the server's certificate is not trusted"


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``attempts`` tries; waits ``Retry-After`` (≤ ``max_delay`` s) or a backoff."""

    attempts: int = 3
    max_delay: float = 10.0
    backoff: float = 0.5
    statuses: frozenset[int] = RETRY_STATUSES
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def after_status(
        self, status: int, method: str, retry_after: str | None, tries: int
    ) -> float | None:
        """Seconds to wait before another try after answer ``status``, or ``None`` to stop.

        ``tries`` counts the requests sent so far, this one included.
        """
        if status not in self.statuses or tries >= self.attempts:
            return None
        if not (is_idempotent(method) or status in UNPROCESSED_STATUSES):
            return None
        asked = parse_retry_after(retry_after) if retry_after is not None else None
        if asked is None:
            return self.backoff_delay(tries)
        return asked if asked <= self.max_delay else None

    def after_failure(self, failure: Failure, method: str, tries: int) -> float | None:
        """Seconds to wait before another try after a request got no answer, or ``None``."""
        if tries >= self.attempts or failure in (Failure.TIMED_OUT, Failure.UNTRUSTED):
            return None
        if failure is Failure.BROKEN and not is_idempotent(method):
            return None
        return self.backoff_delay(tries)

    def backoff_delay(self, tries: int) -> float:
        """The wait after the ``tries``-th try when the server named none: doubling, bounded."""
        return min(self.backoff * 2.0 ** max(0, tries - 1), self.max_delay)

    def exchange(self, request: httpx.Request, on_retry: Callable[[], None] | None = None) -> Flow:
        """The retry loop as an httpx request flow: yields ``request`` until an answer is final.

        Whoever drives it sends each yielded request and sends the response back, or throws the
        transport error in (:meth:`send` does; an ``httpx.Auth`` flow only ever sends
        responses). Returns the final response; re-raises a failure that is not retried.
        """
        tries = 0
        while True:
            tries += 1
            try:
                response = yield request
            except httpx.TransportError as exc:
                delay = self.after_failure(failure_of(exc), request.method, tries)
                if delay is None:
                    raise
            else:
                delay = self.after_status(
                    response.status_code,
                    request.method,
                    response.headers.get("retry-after"),
                    tries,
                )
                if delay is None:
                    return response
                response.close()
            if on_retry is not None:
                on_retry()
            self.sleep(delay)

    def send(self, http: httpx.Client, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through ``http`` under this policy; the final response."""
        flow = self.exchange(request)
        outgoing = next(flow)
        while True:
            try:
                response = http.send(outgoing)
            except httpx.TransportError as exc:
                outgoing = flow.throw(exc)  # re-raises unless the flow tries again
                continue
            try:
                outgoing = flow.send(response)
            except StopIteration as done:
                final: httpx.Response = done.value
                return final


def is_idempotent(method: str) -> bool:
    """Whether repeating ``method`` leaves the server as one request would (RFC 9110 9.2.2)."""
    return method.upper() in IDEMPOTENT_METHODS


def failure_of(exc: httpx.TransportError) -> Failure:
    """What an httpx transport error means for repeating the request."""
    if is_tls_failure(exc):
        return Failure.UNTRUSTED
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return Failure.UNSENT
    if isinstance(exc, httpx.ReadTimeout):
        return Failure.TIMED_OUT
    return Failure.BROKEN


def is_tls_failure(exc: BaseException) -> bool:
    """Whether a transport error is a certificate problem, anywhere in its chain of causes."""
    seen: BaseException | None = exc
    for _ in range(10):  # exception chains are short; never loop on a cycle
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """``Retry-After`` in seconds from ``now``, never negative; ``None`` when unreadable.

    RFC 9110 10.2.3: delay-seconds (digits only: no sign, no fraction) or an HTTP-date, in any
    of the three date forms a recipient must accept. A date already past means "now".
    """
    text = value.strip()
    if DELAY_SECONDS.fullmatch(text):
        return float(text)
    if not text or text[0].isdigit() or text[0] in "+-.":
        return None  # a signed or fractional number is not delay-seconds, and not a date
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # the asctime form carries no zone: HTTP dates are GMT
        when = when.replace(tzinfo=timezone.utc)
    moment = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - moment).total_seconds())
