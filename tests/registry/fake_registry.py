"""An in-process registry for unit tests of the handshake (httpx MockTransport).

``/v2/`` challenges with a Bearer realm on its own host; ``/oauth2/token`` is the sandbox's own
ACR token service (:class:`~preflight.sandbox.acr.AcrFrontDoor`), over a registry whose one
token holds ``username``/``password`` and whose scope map grants ``grants``, so the tokens are
ACR's signed JWTs (200 with a reduced ``access`` list for what is not granted). Manifests need a
token it signed that grants pull, and answer with ``Docker-Content-Digest``. Every request is
recorded so tests can assert what was sent where; the knobs bend one answer each.
"""

from __future__ import annotations

import functools
import hashlib
import json
import ssl
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import jwt

from preflight.registry.jwt_claims import access_grants, granted_actions
from preflight.sandbox.acr import AcrFrontDoor
from preflight.sandbox.http import Request as SandboxRequest
from preflight.sandbox.registry_process import ISSUER
from preflight.sandbox.registry_tokens import RegistryTokenMinter
from preflight.sandbox.state import (
    ACTION_GRANTS,
    AcrToken,
    AzureState,
    RegistryState,
    ScopeMap,
    TokenPassword,
    utcnow,
)
from preflight.sandbox.tls import SigningKey, make_certificates

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
SCOPE_MAP = "fake-scope-map"
# The scope-map verb that grants each registry action (content/read grants pull, ...).
VERBS = {action: verb for verb, actions in ACTION_GRANTS.items() for action in actions}


@functools.cache
def signing_key() -> SigningKey:
    """The sandbox's token-signing key, made once per test process."""
    with tempfile.TemporaryDirectory() as directory:
        return make_certificates(Path(directory), []).signing_key


@functools.cache
def upstream_tls() -> ssl.SSLContext:
    return ssl.create_default_context()


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
    refusal_body: str | None = None  # replaces the token service's 401 body when set
    override: Callable[[httpx.Request], httpx.Response | None] | None = None
    requests: list[httpx.Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.manifests:
            self.manifests[("team/app", "v1")] = b'{"schemaVersion":2,"layers":[]}'
            self.manifests[("team/app", "v2")] = b'{"schemaVersion":2,"layers":[{}]}'
        self._minter = RegistryTokenMinter(signing_key())

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
        """The sandbox's token service, over the registry these fields describe right now."""
        # Only /oauth2/token is asked of it: the upstream registry it would proxy to is unused.
        front_door = AcrFrontDoor(
            self.host,
            self._azure(),
            self._minter,
            upstream="127.0.0.1:9",
            upstream_tls=upstream_tls(),
        )
        try:
            answer = front_door.handle(
                SandboxRequest(
                    method=request.method,
                    path=request.url.path,
                    query={k: request.url.params.get_list(k) for k in request.url.params},
                    headers=tuple(request.headers.multi_items()),
                    body=request.content,
                    host=request.url.host,
                )
            )
        finally:
            front_door.close()
        assert isinstance(answer.body, bytes)
        body = answer.body
        if answer.status == 401 and self.refusal_body is not None:
            body = self.refusal_body.encode()
        elif answer.status == 200 and self.token_key != "access_token":
            body = json.dumps({self.token_key: json.loads(body)["access_token"]}).encode()
        return httpx.Response(answer.status, headers=answer.headers, content=body)

    def _azure(self) -> AzureState:
        actions = [
            f"repositories/{repository}/{VERBS[action]}"
            for repository, granted in self.grants.items()
            for action in granted
        ]
        token = AcrToken(
            self.username,
            SCOPE_MAP,
            passwords=[TokenPassword("password1", self.password, utcnow())],
        )
        registry = RegistryState(
            name=self.host.split(".")[0],
            login_server=self.host,
            resource_group="rg",
            scope_maps={SCOPE_MAP: ScopeMap(SCOPE_MAP, actions)},
            tokens={self.username: token},
        )
        return AzureState("tenant", "subscription", "client", "secret", {self.host: registry})

    def _signed_grants(self, token: str, repository: str) -> frozenset[str] | None:
        """What a token this registry's token service signed grants on ``repository``."""
        try:
            claims = jwt.decode(
                token,
                signing_key().public_key_pem(),
                algorithms=[signing_key().algorithm],
                audience=self.host,
                issuer=ISSUER,
            )
        except jwt.PyJWTError:
            return None
        return granted_actions(access_grants(claims), repository)

    def _manifest(self, request: httpx.Request) -> httpx.Response:
        repository, reference = request.url.path[len("/v2/") :].split("/manifests/")
        auth = request.headers.get("authorization", "")
        signed = self._signed_grants(auth.removeprefix("Bearer "), repository)
        # The registry side's current grants count too: a test may withdraw them mid-handshake.
        if signed is None or "pull" not in signed or "pull" not in self.grants.get(repository, []):
            error = "insufficient_scope" if signed is not None else "invalid_token"
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
