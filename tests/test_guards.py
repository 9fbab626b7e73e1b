"""The autouse guards themselves must hold, or every other test proves less than it claims."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest


def test_non_loopback_connections_are_refused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(ConnectionRefusedError, match="not loopback"):
            sock.connect(("192.0.2.1", 443))


def test_loopback_connections_are_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass


def test_environment_is_clean_and_home_is_private(tmp_path: Path) -> None:
    assert not [k for k in os.environ if k.startswith(("TOWER_", "AZURE_", "NXF_", "PREFLIGHT_"))]
    assert Path(os.environ["HOME"]).is_relative_to(tmp_path)
