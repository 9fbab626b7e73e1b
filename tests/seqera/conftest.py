"""Fixtures for the Seqera tests: the Platform emulator's state, and clients wired to it.

``bridge(emulator)`` is an httpx transport that hands each request to the emulator's
``handle()`` in-process: the real client and the real emulator, without a server in between.
The over-HTTPS tests use the session sandbox instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import parse_qs

import httpx
import pytest

from preflight.sandbox.http import Request
from preflight.sandbox.platform import PlatformEmulator, PlatformState, seed_platform_state
from preflight.secret import Secret
from preflight.seqera.client import PlatformClient

ENDPOINT = "https://platform.test"
LOGIN_SERVER = "sandboxacr.azurecr.io"


def bridge(emulator: PlatformEmulator) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        body = request.read()
        response = emulator.handle(
            Request(
                method=request.method,
                path=request.url.path,
                query=parse_qs(request.url.query.decode(), keep_blank_values=True),
                headers=tuple(request.headers.multi_items()),
                body=body,
                host=request.url.host,
            )
        )
        assert isinstance(response.body, bytes)
        return httpx.Response(response.status, headers=response.headers, content=response.body)

    return httpx.MockTransport(handler)


@pytest.fixture
def state() -> PlatformState:
    return seed_platform_state([LOGIN_SERVER])


@pytest.fixture
def emulator(state: PlatformState) -> PlatformEmulator:
    return PlatformEmulator(state)


@pytest.fixture
def make_client(emulator: PlatformEmulator) -> Iterator[Callable[..., PlatformClient]]:
    """``make_client(token=None, endpoint=ENDPOINT)``: a real client talking to the emulator."""
    made: list[httpx.Client] = []

    def make(token: str | None = None, endpoint: str = ENDPOINT) -> PlatformClient:
        http = httpx.Client(transport=bridge(emulator), timeout=5.0)
        made.append(http)
        value = token if token is not None else emulator.state.describe()["access_token"]
        return PlatformClient(http, endpoint, Secret(value), sleep=lambda _: None)

    yield make
    for http in made:
        http.close()
