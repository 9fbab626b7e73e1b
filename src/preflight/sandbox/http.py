"""The request/response shapes every emulator handles, independent of the server that runs it.

Emulators are plain objects with ``handle(request) -> Response``: they can be unit-tested by
calling them directly, and the HTTPS server (``preflight.sandbox.server``) only moves bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Request:
    """One HTTP request as the emulator sees it; header names compare case-insensitively."""

    method: str
    path: str  # without the query string, percent-decoding left to the emulator
    query: Mapping[str, list[str]] = field(default_factory=dict)
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    host: str = ""  # the Host header's name part (the login server for the ACR)

    def header(self, name: str) -> str | None:
        """The first value of header ``name``, or ``None``."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def header_values(self, name: str) -> list[str]:
        """Every value of a repeated header, in order."""
        lowered = name.lower()
        return [v for k, v in self.headers if k.lower() == lowered]

    def arg(self, name: str) -> str | None:
        """The first query parameter ``name``, or ``None``."""
        values = self.query.get(name)
        return values[0] if values else None

    def form(self) -> dict[str, list[str]]:
        """The body as ``application/x-www-form-urlencoded``."""
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def json(self) -> Any:
        """The body as JSON (raises ``ValueError`` when it is not)."""
        return json.loads(self.body or b"null")


@dataclass
class Response:
    """One HTTP response. ``headers`` is a list so that repeated headers survive."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | Iterator[bytes] = b""

    @classmethod
    def of_json(
        cls, status: int, payload: Any, headers: list[tuple[str, str]] | None = None
    ) -> Response:
        body = json.dumps(payload).encode()
        return cls(status, [("Content-Type", "application/json"), *(headers or [])], body)

    @classmethod
    def empty(cls, status: int, headers: list[tuple[str, str]] | None = None) -> Response:
        return cls(status, list(headers or []), b"")


class Handler(Protocol):
    """An emulator: one request in, one response out. Must be thread-safe."""

    def handle(self, request: Request) -> Response: ...
