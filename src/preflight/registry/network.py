"""Classify a transport error (DNS, refused, timeout, TLS) into the handshake's problem names.

httpx wraps the operating system's error (``socket.gaierror``, ``ConnectionRefusedError``,
``ssl.SSLCertVerificationError``) a level or two down the exception chain; this module walks the
chain so the user is told *which* of those it was, not just "connection error".
"""

from __future__ import annotations

import socket
import ssl

import httpx

from preflight.registry.failures import HandshakeFailure, Problem, Step

# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH.
_HOSTNAME_MISMATCH = 62


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify(exc: Exception, step: Step, endpoint: str) -> HandshakeFailure:
    """The :class:`HandshakeFailure` for an httpx error raised while performing ``step``."""
    chain = _chain(exc)

    def failure(problem: Problem, detail: str) -> HandshakeFailure:
        return HandshakeFailure(step=step, problem=problem, endpoint=endpoint, detail=detail)

    for cause in chain:
        if isinstance(cause, ssl.SSLCertVerificationError):
            if cause.verify_code == _HOSTNAME_MISMATCH or "hostname" in str(cause).lower():
                return failure(Problem.TLS_WRONG_HOST, cause.verify_message or str(cause))
            return failure(Problem.TLS_UNTRUSTED, cause.verify_message or str(cause))
    for cause in chain:
        if isinstance(cause, socket.gaierror):
            return failure(Problem.DNS, str(cause))
        if isinstance(cause, ConnectionRefusedError):
            return failure(Problem.CONNECTION_REFUSED, str(cause))
        if isinstance(cause, ssl.SSLError):
            return failure(Problem.TLS_FAILED, str(cause))
    if isinstance(exc, httpx.TimeoutException):
        return failure(Problem.TIMEOUT, type(exc).__name__)
    return failure(Problem.CONNECTION_FAILED, f"{type(exc).__name__}: {exc}")
