"""Guards every test runs under: loopback only, a clean environment, no writes outside tmp.

- A socket may connect only to a loopback address (or a Unix socket): nothing reaches the
  internet, whatever a test or the code under test tries.
- ``HOME``, ``TOWER_*``, ``AZURE_*``, ``NXF_*`` and ``PREFLIGHT_*`` are cleared and ``HOME`` points
  into the test's own tmp dir, so the user's real settings never leak in.
- A test that creates, changes or deletes a file in the project tree or the real home directory
  fails.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import _socket  # the C type whose methods the guard replaces

PROJECT = Path(__file__).resolve().parent.parent
REAL_HOME = Path.home()
CLEARED_PREFIXES = ("TOWER_", "AZURE_", "NXF_", "PREFLIGHT_")
# Where tools legitimately write while the suite runs.
IGNORED_DIRS = {
    ".venv",
    ".git",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "__pycache__",
    ".hypothesis",
}


def _is_loopback(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX
        return True
    host = address[0]
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _guarded_connect(self: _socket.socket, address: Any) -> None:
    if not _is_loopback(address):
        raise ConnectionRefusedError(f"test guard: connection to {address!r} is not loopback")
    return _real_connect(self, address)


def _guarded_connect_ex(self: _socket.socket, address: Any) -> int:
    if not _is_loopback(address):
        raise ConnectionRefusedError(f"test guard: connection to {address!r} is not loopback")
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


def _snapshot() -> dict[str, float]:
    """mtimes of the project's fixtures, its top level, and the real home's top level.

    Fixtures are where a careless test would write (editing a config in place); the top levels
    catch stray files. Source files are left out: an editor saving one is not a test's doing.
    """
    seen: dict[str, float] = {}
    for directory, subdirs, files in os.walk(PROJECT / "fixtures"):
        subdirs[:] = [d for d in subdirs if d not in IGNORED_DIRS]
        for name in files:
            path = os.path.join(directory, name)
            try:
                seen[path] = os.stat(path).st_mtime
            except FileNotFoundError:
                pass
    for top in (PROJECT, REAL_HOME):
        try:
            for entry in os.scandir(top):
                if entry.name in IGNORED_DIRS or entry.name.startswith((".cache", ".coverage")):
                    continue
                seen[entry.path] = entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            pass
    return seen


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Each test starts with none of the user's settings and a home of its own."""
    for name in list(os.environ):
        if name.startswith(CLEARED_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    yield


@pytest.fixture(autouse=True)
def no_writes_outside_tmp(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that changed the project tree or the real home directory."""
    before = _snapshot()
    yield
    after = _snapshot()
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    if changed:
        pytest.fail(
            f"test wrote outside its tmp dir (or something else changed these): {changed[:5]}",
            pytrace=False,
        )


# Shared fixtures (the session-wide sandbox and friends) live in sandbox_plugin.py.
pytest_plugins = ["sandbox_plugin", "seqera.platform_contract"]
