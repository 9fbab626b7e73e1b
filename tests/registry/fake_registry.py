"""An in-process registry and token service for unit tests of the handshake (httpx MockTransport).

It answers like ACR: ``/v2/`` challenges with a Bearer realm on its own host, ``/oauth2/token``
takes Basic credentials and grants what its ``grants`` allow (200 with a reduced ``access`` list
otherwise), manifests need the Bearer token and answer with ``Docker-Content-Digest``. Every
request is recorded so tests can assert what was sent where.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def make_jwt(claims: dict[str, object]) -> str:
    """An unsigned JWT-shaped token (the handshake reads claims without verifying)."""

    def part(value: object) -> str:
        raw = base64.urlsafe_b64encode(json.dumps(value).encode()).decode()
        return raw.rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


@dataclass
class FakeRegistry:
    host: str = "myreg.azurecr.io"
    username: str = "pull-token"
    password: str = "correct-horse-battery-staple-0123456789abcd"
    grants: dict[str, list[str]] = field(default_factory=lambda: {"team/app": ["pull"]})
    manifests: dict[tuple[str, str], bytes] = field(default_factory=dict)
    realm: str | None = None
    challenge: str | None = None
    token_key: str = "access_token"
    head_digest: bool = True
    get_digest: bool = True
    refusal_body: str = json.dumps(
        {
            "errors": [
                {
                    "code": "UNAUTHORIZED",
                    "message": "authentication required, visit https://aka.ms/acr/"
                    "authorization for more information.",
                }
            ]
        }
    )
    override: Callable[[httpx.Request], httpx.Response | None] | None = None
    requests: list[httpx.Request] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.manifests:
            self.manifests[("team/app", "v1")] = b'{"schemaVersion":2,"layers":[]}'
            self.manifests[("team/app", "v2")] = b'{"schemaVersion":2,"layers":[{}]}'

    @staticmethod
    def digest(body: bytes) -> str:
        return "sha256:" + hashlib.sha256(body).hexdigest()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=self.transport())

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.override is not None:
            answer = self.override(request)
            if answer is not None:
                return answer
        path = request.url.path
        if request.url.host != self.host:
            return httpx.Response(404)
        if path == "/v2/":
            return self._challenge()
        if path == "/oauth2/token":
            return self._token(request)
        if path.startswith("/v2/") and "/manifests/" in path:
            return self._manifest(request)
        return httpx.Response(404, text="404 page not found\n")

    def _challenge(self) -> httpx.Response:
        header = self.challenge or (
            f'Bearer realm="{self.realm or f"https://{self.host}/oauth2/token"}",'
            f'service="{self.host}"'
        )
        return httpx.Response(
            401,
            headers={"WWW-Authenticate": header},
            json={"errors": [{"code": "UNAUTHORIZED", "message": "x"}]},
        )

    def _token(self, request: httpx.Request) -> httpx.Response:
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return httpx.Response(
                401, text=self.refusal_body, headers={"Content-Type": "application/json"}
            )
        scope = request.url.params.get("scope", "")
        _, repository, actions = scope.split(":")
        allowed = [a for a in actions.split(",") if a in self.grants.get(repository, [])]
        access = [{"Type": "repository", "Name": repository, "Actions": allowed}] if allowed else []
        token = make_jwt({"iss": "Azure Container Registry", "aud": self.host, "access": access})
        self.issued.append(token)
        return httpx.Response(200, json={self.token_key: token})

    def _manifest(self, request: httpx.Request) -> httpx.Response:
        repository, reference = request.url.path[len("/v2/") :].split("/manifests/")
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ")
        if token not in self.issued or "pull" not in self.grants.get(repository, []):
            error = "insufficient_scope" if token in self.issued else "invalid_token"
            return httpx.Response(
                401,
                headers={
                    "WWW-Authenticate": (
                        f'Bearer realm="https://{self.host}/oauth2/token",service="{self.host}",'
                        f'scope="repository:{repository}:pull",error="{error}"'
                    )
                },
            )
        body = self.manifests.get((repository, reference))
        if body is None:
            by_digest = {
                self.digest(b): b for (r, _), b in self.manifests.items() if r == repository
            }
            body = by_digest.get(reference)
        if body is None:
            known = any(r == repository for r, _ in self.manifests)
            code = "MANIFEST_UNKNOWN" if known else "NAME_UNKNOWN"
            return httpx.Response(404, json={"errors": [{"code": code, "message": code.lower()}]})
        headers = {"Content-Type": OCI_MANIFEST}
        digest_wanted = self.head_digest if request.method == "HEAD" else self.get_digest
        if digest_wanted:
            headers["Docker-Content-Digest"] = self.digest(body)
        return httpx.Response(
            200, headers=headers, content=b"" if request.method == "HEAD" else body
        )
