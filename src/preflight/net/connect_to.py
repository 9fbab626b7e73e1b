"""A host map, like curl's ``--connect-to``: reach ``HOST:PORT`` at another address.

The sandbox serves ``sandboxacr.azurecr.io:443`` on a loopback port. Mapping the name at the
resolver keeps the real name in TLS SNI, certificate checks and the ``Host:`` header, for every
client in the process (httpx, and the ``requests`` transport under the Azure SDKs), which is
exactly what a user's DNS would give them.

The map comes from ``PREFLIGHT_CONNECT_TO``: comma-separated ``HOST:PORT:ADDR:ADDRPORT`` entries.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from typing import Any

from preflight.errors import InputError

ENV_VAR = "PREFLIGHT_CONNECT_TO"

HostMap = Mapping[tuple[str, int], tuple[str, int]]

_lock = threading.Lock()
_installed: dict[tuple[str, int], tuple[str, int]] = {}
_original_getaddrinfo = socket.getaddrinfo


def parse(text: str) -> dict[tuple[str, int], tuple[str, int]]:
    """Parse ``HOST:PORT:ADDR:ADDRPORT[,…]``; raise :class:`InputError` on a malformed entry."""
    mapping: dict[tuple[str, int], tuple[str, int]] = {}
    for raw in text.split(","):
        entry = raw.strip()
        if not entry:
            continue
        parts = entry.rsplit(":", 3)
        if len(parts) != 4 or not all(parts) or not (parts[1].isdigit() and parts[3].isdigit()):
            raise InputError(
                f"{ENV_VAR}: {entry!r} is not HOST:PORT:ADDR:ADDRPORT",
                remedy="write each entry as e.g. myreg.azurecr.io:443:127.0.0.1:8443",
            )
        host, port, addr, addr_port = parts
        mapping[(host.lower(), int(port))] = (addr, int(addr_port))
    return mapping


def _getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(host, bytes):
        host = host.decode()
    try:
        key = (str(host).lower(), int(port or 0))
    except (TypeError, ValueError):
        key = ("", -1)
    target = _installed.get(key)
    if target is not None:
        host, port = target
    return _original_getaddrinfo(host, port, *args, **kwargs)


def install(mapping: HostMap) -> None:
    """Route the mapped names for the rest of this process (idempotent, additive)."""
    with _lock:
        _installed.update(mapping)
        socket.getaddrinfo = _getaddrinfo


def uninstall() -> None:
    """Forget every mapping and restore the system resolver."""
    with _lock:
        _installed.clear()
        socket.getaddrinfo = _original_getaddrinfo


def install_from_env(environ: Mapping[str, str]) -> None:
    """Install the map named by ``PREFLIGHT_CONNECT_TO`` in ``environ``, if any."""
    text = environ.get(ENV_VAR, "")
    if text.strip():
        install(parse(text))
