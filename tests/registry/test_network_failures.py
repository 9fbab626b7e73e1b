"""DNS, refused and silent hosts, reached through a real httpx client and real sockets."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from preflight.registry import Problem, Step, probe_pull
from preflight.registry.diagnosis import findings_for
from preflight.secret import Secret


def _probe(registry: str, timeout: float = 2.0) -> Any:
    with httpx.Client() as client:
        return probe_pull(
            client,
            registry,
            "team/app",
            ["1.0"],
            username="u",
            password=Secret("p" * 30),
            timeout=timeout,
        )


def test_unresolvable_host(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def resolver(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in ("typo.azurecr.io", b"typo.azurecr.io"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    result = _probe("typo.azurecr.io")
    assert (result.failure.step, result.failure.problem) == (Step.CHALLENGE, Problem.DNS)
    (finding,) = findings_for(result)
    assert "does not resolve" in finding.message and finding.remedy


@pytest.fixture
def closed_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        yield sock.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)  # the kernel completes the TCP handshake; nobody ever answers
        yield sock.getsockname()[1]


def test_connection_refused(closed_port: int) -> None:
    result = _probe(f"127.0.0.1:{closed_port}")
    assert result.failure.problem is Problem.CONNECTION_REFUSED


def test_silent_host_times_out_within_the_bound(silent_port: int) -> None:
    result = _probe(f"127.0.0.1:{silent_port}", timeout=0.3)
    assert result.failure.problem is Problem.TIMEOUT
    assert findings_for(result)[0].status.value == "error"
