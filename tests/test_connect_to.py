"""The host map reaches a mapped name at another address, and refuses malformed entries."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from preflight.errors import InputError
from preflight.net import connect_to


@pytest.fixture
def restore_resolver() -> Iterator[None]:
    yield
    connect_to.uninstall()


def test_parse_entries() -> None:
    assert connect_to.parse("MyReg.azurecr.io:443:127.0.0.1:8443, b.io:80:127.0.0.2:81") == {
        ("myreg.azurecr.io", 443): ("127.0.0.1", 8443),
        ("b.io", 80): ("127.0.0.2", 81),
    }


@pytest.mark.parametrize("bad", ["host:443", "host:x:127.0.0.1:1", "host:443:127.0.0.1:", ":1:a:2"])
def test_malformed_entries_are_unusable_input(bad: str) -> None:
    with pytest.raises(InputError, match="HOST:PORT:ADDR:ADDRPORT"):
        connect_to.parse(bad)


def test_mapped_name_connects_to_the_mapped_port(restore_resolver: None) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        connect_to.install_from_env({connect_to.ENV_VAR: f"myreg.azurecr.io:443:127.0.0.1:{port}"})
        with socket.create_connection(("myreg.azurecr.io", 443), timeout=2) as client:
            assert client.getpeername()[1] == port
    connect_to.uninstall()
    assert socket.getaddrinfo("127.0.0.1", 80)[0][4][1] == 80
