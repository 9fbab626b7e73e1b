"""Shared pytest fixtures for tests that talk to the local sandbox.

- ``sandbox``: one sandbox per test session, started on first use (tests that use neither
  fixture never start it), stopped at the end of the session.
- ``sandbox_env``: for one test, the sandbox back in its seeded state (faults off), its host map
  installed (``<login server>:443`` reaches the loopback port under its real name) and its
  ``env`` set in ``os.environ``; all of it undone after the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from preflight.net import connect_to

if TYPE_CHECKING:
    from preflight.sandbox.runtime import Sandbox


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The session's sandbox (Platform, Entra ID, ARM, ACR with real registry processes)."""
    from preflight.sandbox.runtime import start_sandbox

    with start_sandbox(tmp_path_factory.mktemp("sandbox")) as running:
        yield running


@pytest.fixture
def sandbox_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """The sandbox, reset, with its host map installed and its ``env`` exported."""
    sandbox.reset()
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    connect_to.install(sandbox.host_map())
    try:
        yield sandbox
    finally:
        connect_to.uninstall()
        sandbox.faults.clear()
