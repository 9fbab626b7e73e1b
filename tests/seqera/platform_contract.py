"""A pytest plug-in: every Platform exchange of every test is held against the API description.

While a test runs, each request any Platform emulator answers (the session sandbox's, over
HTTPS, or one a test wires in-process) is recorded; when the test ends, each request and response
is validated by :mod:`seqera.openapi_check` and any departure fails that test. A new endpoint or a
changed field cannot drift from the description unnoticed.

A test that sends an off-spec request on purpose (a malformed ``workspaceId``, a body the client
would never send) says so with ``@pytest.mark.platform_off_spec_requests``: its requests are then
not checked; the emulator's answers still are.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from preflight.sandbox.http import Request, Response
from preflight.sandbox.platform import observe

from .openapi_check import Exchange, check

MARKER = "platform_off_spec_requests"


class ExchangeLog:
    """The exchanges recorded during one test, in the order they were answered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.exchanges: list[Exchange] = []

    def record(self, request: Request, response: Response) -> None:
        body = response.body if isinstance(response.body, bytes) else b""
        exchange = Exchange(
            method=request.method,
            path=request.path,
            query={k: list(v) for k, v in request.query.items()},
            request_headers=request.headers,
            request_body=request.body,
            status=response.status,
            response_headers=tuple(response.headers),
            response_body=body,
        )
        with self._lock:
            self.exchanges.append(exchange)

    def departures(self, *, requests: bool = True) -> list[str]:
        with self._lock:
            recorded = list(self.exchanges)
        found: list[str] = []
        for exchange in recorded:
            found += [e for e in check(exchange) if requests or ": request: " not in e]
        return found


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}: the test sends off-spec Platform requests on purpose"
    )


@pytest.fixture(autouse=True)
def platform_exchanges(request: pytest.FixtureRequest) -> Iterator[ExchangeLog]:
    """The test's Platform exchanges; validated against the description when the test ends."""
    log = ExchangeLog()
    stop = observe(log.record)
    try:
        yield log
    finally:
        stop()
    departures = log.departures(requests=request.node.get_closest_marker(MARKER) is None)
    if departures:
        shown = "\n".join(departures[:10])
        more = f"\n… and {len(departures) - 10} more" if len(departures) > 10 else ""
        pytest.fail(
            f"Platform exchanges depart from the API description:\n{shown}{more}", pytrace=False
        )
