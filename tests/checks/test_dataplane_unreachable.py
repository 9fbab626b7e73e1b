"""A registry the data plane cannot reach is tried once, not once per image (nor retried)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from preflight.azure.dataplane import RegistryDataPlane
from preflight.net import connect_to


class _NeverAsked:
    """A credential that fails the test if it is ever used (nothing gets that far)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        raise AssertionError("the credential must not be asked: the registry is unreachable")


@pytest.fixture
def counting_listener() -> Iterator[tuple[int, list[int]]]:
    accepted: list[int] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            accepted.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join(timeout=2)
    server.close()


def test_unreachable_registry_is_reported_for_every_image_after_one_attempt(
    counting_listener: tuple[int, list[int]],
) -> None:
    port, accepted = counting_listener
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()  # nothing listens here: connection refused
    dataplane = RegistryDataPlane(_NeverAsked())
    try:
        connect_to.install({("gone.azurecr.io", 443): ("127.0.0.1", closed_port)})
        first = dataplane.manifest("gone.azurecr.io", "team/app", "1.0")
        connect_to.install({("gone.azurecr.io", 443): ("127.0.0.1", port)})
        second = dataplane.manifest("gone.azurecr.io", "team/tool", "2.1")
    finally:
        connect_to.uninstall()
        dataplane.close()
    assert first.state == "error" and "could not reach gone.azurecr.io" in first.detail
    assert second.state == "error" and second.detail == first.detail
    assert accepted == []  # the second image did not connect again
