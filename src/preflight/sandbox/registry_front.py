"""Front doors of the non-ACR registries: each family's token service, and the registry behind it.

:class:`DistributionFrontDoor` serves a family's API host: ``/v2/...`` goes to the real registry
process (whose challenge names the family's realm and ``service``), and — when the realm is on
the same host (GHCR, Quay, generic) — the realm path is answered by :class:`FamilyTokenService`.
Docker Hub's token service answers on its own host, ``auth.docker.io``, through its own
listener. A token service grants ``pull`` on a repository to the family's user with the right
password, to anyone on a public repository, and otherwise behaves as that family does for an
anonymous client (a down-scoped token, or 401). Docker Hub's front door adds the rate-limit
headers to manifest answers and counts ``GET`` manifests only, as Docker Hub does.

Every token request is recorded (method, path, whether Basic credentials came, the user name),
so tests can prove where a credential went — and where it did not.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
import ssl
import threading
from typing import NamedTuple

from preflight.sandbox.http import Request, Response
from preflight.sandbox.registry_families import DistributionSeed
from preflight.sandbox.registry_proxy import RegistryProxy
from preflight.sandbox.registry_tokens import Access, RegistryTokenMinter, parse_scopes

TOKEN_LIFETIME = 300
_MANIFEST_PATH = re.compile(r"^/v2/(?P<name>.+?)/manifests/")


class FamilyTokenRequest(NamedTuple):
    """One request that reached a family's token service."""

    method: str
    path: str
    had_basic_auth: bool
    username: str | None


def _basic(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _errors(status: int, code: str, message: str, detail: object = None) -> Response:
    entry: dict[str, object] = {"code": code, "message": message}
    if detail is not None:
        entry["detail"] = detail
    return Response.of_json(status, {"errors": [entry]})


class FamilyTokenService:
    """The realm of one non-ACR registry (thread-safe)."""

    def __init__(self, seed: DistributionSeed, password: str, minter: RegistryTokenMinter) -> None:
        self.seed = seed
        self._password = password
        self._minter = minter
        self._lock = threading.Lock()
        self._records: list[FamilyTokenRequest] = []

    def records(self) -> list[FamilyTokenRequest]:
        with self._lock:
            return list(self._records)

    def clear_records(self) -> None:
        with self._lock:
            self._records.clear()

    def handle(self, request: Request) -> Response:
        if request.path != self.seed.family.realm_path:
            return Response(404, [("Content-Type", "text/plain")], b"404 page not found\n")
        credentials = _basic(request)
        with self._lock:
            self._records.append(
                FamilyTokenRequest(
                    request.method,
                    request.path,
                    credentials is not None,
                    credentials[0] if credentials else None,
                )
            )
        service = request.arg("service")
        if service is not None and service != self.seed.service:
            return _errors(400, "UNSUPPORTED", f"service {service!r} is not this registry")
        scopes = parse_scopes(request.query.get("scope", []))
        kind = self.seed.kind
        if credentials is not None:
            if kind == "ghcr" and credentials == ("", ""):
                return Response(403, [("Content-Type", "text/plain")], b"forbidden\n")
            if credentials != (self.seed.user, self._password):
                return self._bad_credentials()
            granted = [Access(s.type, s.name, ("pull",)) for s in scopes if "pull" in s.actions]
            subject = self.seed.user
        else:
            if kind == "quay" and not scopes:
                return _errors(401, "UNAUTHORIZED", "authentication required", {})
            public = self.seed.public_repositories
            granted = [
                Access(s.type, s.name, ("pull",) if s.name in public else ())
                for s in scopes
                if s.type == "repository"
            ]
            if kind == "ghcr" and any(not g.actions for g in granted):
                return _errors(401, "UNAUTHORIZED", "authentication required")
            subject = ""
        token = self._minter.access_token(
            service=self.seed.service,
            subject=subject,
            access=granted,
            grant_type="password" if credentials else "anonymous",
            lifetime=TOKEN_LIFETIME,
        )
        return Response.of_json(200, self._answer(token))

    def _answer(self, token: str) -> dict[str, object]:
        fields = self.seed.family.token_fields
        body: dict[str, object] = {"token": token}
        if "access_token" in fields:
            body["access_token"] = token
        if "expires_in" in fields:
            body["expires_in"] = TOKEN_LIFETIME
        if "issued_at" in fields:
            body["issued_at"] = datetime.datetime.now(datetime.timezone.utc).isoformat()
        return body

    def _bad_credentials(self) -> Response:
        if self.seed.kind == "dockerhub":
            return Response.of_json(401, {"details": "incorrect username or password"})
        if self.seed.kind == "quay":
            return _errors(401, "UNAUTHORIZED", "Specified credentials are invalid", {})
        return _errors(401, "UNAUTHORIZED", "authentication required")


class DistributionFrontDoor:
    """The API host of one non-ACR registry; ``upstream`` is its registry process."""

    def __init__(
        self,
        seed: DistributionSeed,
        tokens: FamilyTokenService,
        *,
        upstream: str,
        upstream_tls: ssl.SSLContext,
    ) -> None:
        self.seed = seed
        self.tokens = tokens
        self._proxy = RegistryProxy(seed.api, upstream=upstream, upstream_tls=upstream_tls)
        self._lock = threading.Lock()
        self._pulls = 0

    def reset(self) -> None:
        with self._lock:
            self._pulls = 0

    def close(self) -> None:
        self._proxy.close()

    def handle(self, request: Request) -> Response:
        same_host_realm = self.seed.realm_origin == self.seed.api
        if same_host_realm and request.path == self.seed.family.realm_path:
            return self.tokens.handle(request)
        if not (request.path == "/v2" or request.path.startswith("/v2/")):
            return Response(404, [("Content-Type", "text/plain")], b"404 page not found\n")
        v2_body = self.seed.family.v2_body
        if request.path == "/v2/" and v2_body is not None and not request.header("Authorization"):
            answer = self._proxy.forward(request)
            kept = [
                (k, v)
                for k, v in answer.headers
                if k.lower() not in ("content-length", "content-type")
            ]
            return Response(answer.status, [*kept, ("Content-Type", "application/json")], v2_body)
        if self.seed.family.rate_limited and _MANIFEST_PATH.match(request.path):
            return self._rate_limited(request)
        return self._proxy.forward(request)

    def _rate_limited(self, request: Request) -> Response:
        with self._lock:
            exhausted = self._pulls >= self.seed.rate_limit
            if request.method == "GET" and not exhausted:
                self._pulls += 1
            remaining = max(0, self.seed.rate_limit - self._pulls)
        window = self.seed.rate_window
        headers = [
            ("ratelimit-limit", f"{self.seed.rate_limit};w={window}"),
            ("ratelimit-remaining", f"{remaining};w={window}"),
            ("docker-ratelimit-source", "127.0.0.1"),
        ]
        if exhausted and request.method == "GET":
            message = (
                "You have reached your pull rate limit. You may increase the limit by "
                "authenticating and upgrading: https://www.docker.com/increase-rate-limits"
            )
            answer = _errors(429, "TOOMANYREQUESTS", message)
            answer.headers.extend(headers)
            return answer
        answer = self._proxy.forward(request)
        answer.headers.extend(headers)
        return answer

    def set_pulls(self, pulls: int) -> None:
        """Pretend ``pulls`` pulls were counted in the current window (for tests)."""
        with self._lock:
            self._pulls = pulls
