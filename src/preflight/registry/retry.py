"""How long to wait, and how often, when a registry says "later" (429, 502, 503, 504).

Bounded in both directions: at most ``attempts`` tries per request, and a ``Retry-After`` longer
than ``max_delay`` is not waited for at all — the throttling is reported instead, so a check in
front of a launch never hangs on a registry that asks for minutes.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import httpx

RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``attempts`` tries; waits ``Retry-After`` (≤ ``max_delay`` s) or a short backoff."""

    attempts: int = 3
    max_delay: float = 10.0
    backoff: float = 0.5
    statuses: frozenset[int] = RETRY_STATUSES
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delay(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before try ``attempt + 1``, or ``None`` to stop and report."""
        if response.status_code not in self.statuses or attempt >= self.attempts:
            return None
        wait = retry_after(response)
        if wait is None:
            wait = self.backoff * (2 ** (attempt - 1))
        return wait if wait <= self.max_delay else None


def retry_after(response: httpx.Response) -> float | None:
    """The ``Retry-After`` header in seconds (delta-seconds or an HTTP date), if present."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
