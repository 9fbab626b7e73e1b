"""Fault injection: make a sandbox service slow, failing or unreachable, on demand.

A fault is switched on per service — ``platform``, ``arm``, ``entra``, ``git``, ``acr`` (every
registry) or ``acr:<login server>`` (one registry) — and optionally per path prefix, at start-up
or while the sandbox runs. The HTTPS server asks :meth:`FaultBoard.take` before it calls the
emulator, so emulators never know about faults. ``times=N`` makes a fault apply to the next N
matching requests only and then switch itself off, which is how a test proves that a client
retries.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

SERVICES = ("platform", "arm", "entra", "acr", "git")
RETRYABLE_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class Fault:
    """What to do to a matching request.

    ``status`` answers with that status instead of calling the emulator (``retry_after``
    seconds go into ``Retry-After``); ``drop`` closes the connection without any response;
    ``latency_ms`` waits before answering; ``slow_body_ms`` waits that long between the chunks
    of the body. ``times`` is how many more requests it applies to (``None``: until cleared).
    """

    service: str
    path_prefix: str = ""
    latency_ms: int = 0
    status: int | None = None
    retry_after: int | None = None
    drop: bool = False
    slow_body_ms: int = 0
    times: int | None = None

    def matches(self, service_keys: Sequence[str], path: str) -> bool:
        return self.service in service_keys and path.startswith(self.path_prefix)


def _check_service(service: str) -> None:
    base = service.split(":", 1)[0]
    if base not in SERVICES or (":" in service and base != "acr"):
        raise ValueError(
            f"unknown sandbox service {service!r}: use one of {', '.join(SERVICES)}"
            " or acr:<login server>"
        )


def parse_fault(text: str) -> dict[str, Any]:
    """``service=acr:x.azurecr.io,status=429,retry_after=2,times=3`` → ``FaultBoard.set`` kwargs.

    The text form of a fault, for ``sandbox up --fault``. Raises ``ValueError`` naming the
    offending part.
    """
    fields: dict[str, Any] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in _FIELD_TYPES:
            raise ValueError(f"{part!r} is not KEY=VALUE with KEY one of {', '.join(_FIELD_TYPES)}")
        kind = _FIELD_TYPES[key]
        if kind is bool:
            fields[key] = value.strip().lower() in ("1", "true", "yes", "on")
        elif kind is int:
            try:
                fields[key] = int(value)
            except ValueError:
                raise ValueError(f"{key} must be a whole number, not {value!r}") from None
        else:
            fields[key] = value.strip()
    if "service" not in fields:
        raise ValueError("a fault needs service=… (platform, arm, entra, acr, acr:<login server>)")
    return fields


_FIELD_TYPES: dict[str, type] = {
    "service": str,
    "path_prefix": str,
    "latency_ms": int,
    "status": int,
    "retry_after": int,
    "drop": bool,
    "slow_body_ms": int,
    "times": int,
}


class FaultBoard:
    """The faults in force, shared by every listener of one sandbox. Thread-safe."""

    def __init__(self, latency_ms: int = 0) -> None:
        self._lock = threading.Lock()
        self._cleared = threading.Condition(self._lock)
        self._faults: list[Fault] = []
        self._epoch = 0  # how many times the faults were cleared (a sandbox reset clears them)
        self.latency_ms = latency_ms  # added to every request of every service

    @property
    def epoch(self) -> int:
        """Changes whenever the faults are cleared: requests of an earlier epoch are stale."""
        with self._lock:
            return self._epoch

    def delay(self, seconds: float, epoch: int) -> bool:
        """Wait ``seconds`` for a request that arrived in ``epoch``; ``False`` (at once) when
        the faults are cleared meanwhile.

        A request held by a latency fault must not reach the world a later test set up: its
        client has long given up, and answering it then would, say, delete the new test's token.
        """
        deadline = time.monotonic() + seconds
        with self._cleared:
            while self._epoch == epoch:
                left = deadline - time.monotonic()
                if left <= 0:
                    return True
                self._cleared.wait(left)
            return False

    def set(
        self,
        service: str,
        *,
        path_prefix: str = "",
        latency_ms: int = 0,
        status: int | None = None,
        retry_after: int | None = None,
        drop: bool = False,
        slow_body_ms: int = 0,
        times: int | None = None,
    ) -> Fault:
        """Switch a fault on (in addition to those already set); returns it.

        Raises ``ValueError`` for an unknown service, a status that is not an error, or
        ``times`` below 1.
        """
        _check_service(service)
        if status is not None and not 400 <= status <= 599:
            raise ValueError(f"fault status must be 4xx or 5xx, not {status}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for 'until cleared')")
        fault = Fault(
            service=service.lower(),
            path_prefix=path_prefix,
            latency_ms=latency_ms,
            status=status,
            retry_after=retry_after,
            drop=drop,
            slow_body_ms=slow_body_ms,
            times=times,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def set_from_text(self, text: str) -> Fault:
        """Switch on the fault written as in :func:`parse_fault`."""
        fields = parse_fault(text)
        return self.set(fields.pop("service"), **fields)

    def clear(self) -> None:
        """Switch every fault off (the global latency stays); requests still held by a latency
        fault are abandoned (see :meth:`delay`)."""
        with self._lock:
            self._faults.clear()
            self._epoch += 1
            self._cleared.notify_all()

    def active(self) -> list[Fault]:
        """The faults in force now, oldest first."""
        with self._lock:
            return list(self._faults)

    def take(self, service_keys: Sequence[str], path: str) -> Fault | None:
        """The first fault matching this request, counting it against its ``times``."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if not fault.matches(service_keys, path):
                    continue
                if fault.times is not None:
                    if fault.times <= 1:
                        del self._faults[index]
                    else:
                        self._faults[index] = replace(fault, times=fault.times - 1)
                return fault
        return None
