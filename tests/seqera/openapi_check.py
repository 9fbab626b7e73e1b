"""Every Platform exchange held against the official API description, with openapi-core.

``check(exchange)`` validates one recorded request and its response against
``fixtures/seqera/platform-openapi.json`` (the subset cut from the Platform's OpenAPI 1.187.0
description by ``spec_subset.py``) and returns the departures as text; empty when both conform.

Some statuses are answered by the service though the description declares none of them: 401
(no or a bad token: the request's missing security is then expected), 404 (an unknown id or
path), 405 (a method a path does not take) and 409 on ``POST /credentials`` (a taken name).
Their bodies are not checked against any schema; the rest of their requests still is.

Objects are closed while validating (``additionalProperties: false`` on every schema that lists
its properties and does not branch with ``oneOf``): the description leaves them open, but a field
it does not name is a typo in the emulator or the client, not a feature.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.exceptions import OpenAPIError
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.validation.request.exceptions import SecurityValidationError
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "seqera" / "platform-openapi.json"
UNDECLARED_STATUSES = frozenset({401, 404, 405})
# Per operation: statuses the service answers that the description leaves out.
UNDECLARED_BY_OPERATION = {("POST", "/credentials"): frozenset({409})}  # a taken name


@dataclass(frozen=True)
class Exchange:
    """One request to the Platform emulator and its answer, as recorded."""

    method: str
    path: str
    query: dict[str, list[str]]
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes
    status: int
    response_headers: tuple[tuple[str, str], ...]
    response_body: bytes

    def describe(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"


@dataclass
class _Request:
    """openapi-core's request protocol over a recorded exchange."""

    exchange: Exchange
    parameters: RequestParameters = field(init=False)

    def __post_init__(self) -> None:
        pairs = [(k, v) for k, values in self.exchange.query.items() for v in values]
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(pairs), header=Headers(list(self.exchange.request_headers))
        )

    @property
    def host_url(self) -> str:
        return "https://platform.test"

    @property
    def path(self) -> str:
        path = self.exchange.path
        return path[len("/api") :] if path.startswith("/api/") else path

    @property
    def method(self) -> str:
        return self.exchange.method.lower()

    @property
    def body(self) -> bytes | None:
        return self.exchange.request_body or None

    @property
    def content_type(self) -> str:
        found = Headers(list(self.exchange.request_headers)).get("Content-Type")
        return (found or ("application/json" if self.exchange.request_body else "")).lower()


@dataclass
class _Response:
    exchange: Exchange

    @property
    def status_code(self) -> int:
        return self.exchange.status

    @property
    def content_type(self) -> str:
        found = Headers(list(self.exchange.response_headers)).get("Content-Type")
        return (found or "").lower()

    @property
    def headers(self) -> Headers:
        return Headers(list(self.exchange.response_headers))

    @property
    def data(self) -> bytes | None:
        return self.exchange.response_body or None


def closed(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with every plain object schema closed to the properties it names."""
    result = copy.deepcopy(spec)

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if (
                node.get("type") == "object"
                and "properties" in node
                and "additionalProperties" not in node
                and "oneOf" not in node
            ):
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(result["components"]["schemas"])
    return result


@cache
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(closed(json.loads(SPEC_FILE.read_text())))


def check(exchange: Exchange) -> list[str]:
    """How ``exchange`` departs from the description (request first, then response).

    Secrets of the request (the bearer token, any ``password``) are hidden from the text.
    """
    hidden = _secrets(exchange)
    errors = _check(exchange)
    for secret in hidden:
        errors = [e.replace(secret, "<hidden>") for e in errors]
    return errors


def _secrets(exchange: Exchange) -> list[str]:
    found: list[str] = []
    for name, value in exchange.request_headers:
        if name.lower() == "authorization":
            found.append(value.partition(" ")[2] or value)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key.lower() in ("password", "token", "accesstoken") and isinstance(value, str):
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    try:
        walk(json.loads(exchange.request_body or b"null"))
    except ValueError:
        pass
    return sorted({s for s in found if len(s) >= 4}, key=len, reverse=True)


def _check(exchange: Exchange) -> list[str]:
    api = openapi()
    request = _Request(exchange)
    errors: list[str] = []
    try:
        api.validate_request(request)
    except SecurityValidationError:
        if exchange.status != 401:
            errors.append(f"{exchange.describe()}: request: no Bearer token")
    except (PathNotFound, OperationNotFound):
        if exchange.status in (404, 405):
            return []  # an unknown path or method, refused: nothing to hold it against
        errors.append(f"{exchange.describe()}: request: not an operation of the description")
    except OpenAPIError as exc:  # one error naming each departure
        errors.append(f"{exchange.describe()}: request: {_explain(exc)}")
    key = (exchange.method.upper(), request.path)
    if exchange.status in UNDECLARED_STATUSES | UNDECLARED_BY_OPERATION.get(key, frozenset()):
        return errors
    try:
        api.validate_response(request, _Response(exchange))
    except OpenAPIError as exc:
        errors.append(f"{exchange.describe()}: response: {_explain(exc)}")
    return errors


def _explain(exc: BaseException) -> str:
    """The schema errors under ``exc`` as ``[json/path] message``, or the error itself."""
    details = getattr(exc, "schema_errors", None) or getattr(exc.__cause__, "schema_errors", None)
    if not details:
        cause = f" ({type(exc.__cause__).__name__}: {exc.__cause__})" if exc.__cause__ else ""
        return f"{type(exc).__name__}: {exc}{cause}"
    lines: dict[str, None] = {}
    for detail in details:
        where = "/".join(str(p) for p in getattr(detail, "absolute_path", ()))
        lines[f"[{where}] {getattr(detail, 'message', detail)}"] = None
    return "; ".join(lines)
