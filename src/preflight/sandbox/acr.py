"""The ACR front door: one origin per registry, serving ACR's token service and proxying the rest.

As on ACR, the realm lives on the registry's own origin: ``GET /v2/`` answers 401 with
``Bearer realm="https://<the host the client used>/oauth2/token",service="<login server>"``.

- ``/oauth2/token``: ``GET`` with Basic (the documented ACR flow, also with ``account=``),
  ``POST grant_type=password`` (Basic or form ``username``/``password``) and
  ``POST grant_type=refresh_token`` (a refresh token from ``/oauth2/exchange``; also accepted as
  the password of user ``00000000-0000-0000-0000-000000000000``, as ``docker login`` does).
  Credentials are checked against the shared :class:`AzureState`, so ARM changes apply at once.
  The granted actions are the requested ones that the token's scope map grants; a scope that is
  not granted still gets **200**, with an ``access`` list that simply lacks it (ACR's behaviour),
  and the registry then answers 401 ``insufficient_scope``. Refused credentials (unknown, wrong
  password, disabled token, expired password) get 401 with ACR's ``UNAUTHORIZED`` body; what
  real ACR says for a disabled token or an expired password is not documented, so the sandbox
  gives the same generic answer.
- ``/oauth2/exchange`` (POST only): an Entra ID access token of the sandbox's service principal,
  audience ARM or ``https://containerregistry.azure.net``, becomes a refresh token that is
  granted every action.
- ``/v2/...``: forwarded to the real registry process (``preflight.sandbox.registry_proxy``). Basic
  credentials sent straight to a registry path are accepted as ACR accepts them: exchanged here
  for a token with the scope the path implies; refused ones, or ones without that scope, get
  ACR's ``401`` with ``WWW-Authenticate: Basic realm="Azure Container Registry"``.
- anything else (``/acr/v1/...`` included): 404 ``404 page not found`` as a router would.

Every ``/oauth2/*`` request, and every registry request that carries Basic credentials, is
recorded (:meth:`AcrFrontDoor.token_requests`) so tests can assert, for example, that a password
never reached the registry.
"""

from __future__ import annotations

import base64
import binascii
import re
import ssl
import threading
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from preflight.sandbox.http import Request, Response
from preflight.sandbox.registry_proxy import RegistryProxy, unquote_repository
from preflight.sandbox.registry_tokens import Access, RegistryTokenMinter, parse_scopes
from preflight.sandbox.state import AuthRefused, AzureState

REFRESH_TOKEN_USER = "00000000-0000-0000-0000-000000000000"
ENTRA_AUDIENCES = frozenset(
    {
        "https://management.azure.com",
        "https://management.core.windows.net",
        "https://management.chinacloudapi.cn",
        "https://management.usgovcloudapi.net",
        "https://containerregistry.azure.net",
    }
)
UNAUTHORIZED_MESSAGE = (
    "authentication required, visit https://aka.ms/acr/authorization for more information."
)
_REPOSITORY_PATH = re.compile(r"^/v2/(?P<name>.+?)/(?:manifests|blobs|tags)/")
_RATE_LIMIT_HEADER = ("x-ms-ratelimit-remaining-calls-per-second", "166.666667")

VerifyEntraToken = Callable[[str], Mapping[str, Any]]


class TokenRequestRecord(NamedTuple):
    """One request that reached ``/oauth2/*``, or a registry path with Basic credentials.

    ``username`` is the user name presented with a password (Basic or form), ``None`` when no
    password was sent at all (refresh-token and exchange flows).
    """

    method: str
    path: str
    had_basic_auth: bool
    username: str | None


def _error(status: int, code: str, message: str) -> Response:
    payload = {"errors": [{"code": code, "message": message, "detail": None}]}
    return Response.of_json(status, payload)


def _not_found() -> Response:
    """What ACR's router answers for a path it does not serve."""
    return Response(404, [("Content-Type", "text/plain; charset=utf-8")], b"404 page not found\n")


def _unauthorized() -> Response:
    return _error(401, "UNAUTHORIZED", UNAUTHORIZED_MESSAGE)


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.header("Authorization") or ""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


class AcrFrontDoor:
    """The ``Handler`` for one registry's origin; ``upstream`` is its registry process."""

    def __init__(
        self,
        login_server: str,
        state: AzureState,
        minter: RegistryTokenMinter,
        *,
        upstream: str,
        upstream_tls: ssl.SSLContext,
        verify_entra_token: VerifyEntraToken | None = None,
    ) -> None:
        self.login_server = login_server.lower()
        self.state = state
        self.minter = minter
        self.verify_entra_token = verify_entra_token
        self._proxy = RegistryProxy(login_server, upstream=upstream, upstream_tls=upstream_tls)
        self._records: list[TokenRequestRecord] = []
        self._records_lock = threading.Lock()

    # ---- bookkeeping -------------------------------------------------------------------

    def token_requests(self) -> list[TokenRequestRecord]:
        """Every recorded request since start (or the last :meth:`clear_records`)."""
        with self._records_lock:
            return list(self._records)

    def clear_records(self) -> None:
        with self._records_lock:
            self._records.clear()

    def close(self) -> None:
        self._proxy.close()

    # ---- routing -----------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        path = request.path
        if path == "/oauth2/token" or path == "/oauth2/exchange":
            params = self._params(request)
            self._record(request, params)
            if path == "/oauth2/exchange":
                if request.method != "POST":
                    return _not_found()
                return self._exchange(params)
            if request.method not in ("GET", "POST"):
                return _error(405, "UNSUPPORTED", "method not allowed")
            return self._token(request, params)
        if path == "/v2" or path.startswith("/v2/"):
            return self._forward(request)
        return _not_found()

    @staticmethod
    def _params(request: Request) -> dict[str, list[str]]:
        params = {k: list(v) for k, v in request.query.items()}
        if request.method == "POST":
            for key, values in request.form().items():
                params.setdefault(key, []).extend(values)
        return params

    def _record(self, request: Request, params: Mapping[str, list[str]]) -> None:
        basic = _basic_credentials(request)
        username: str | None = None
        if basic is not None:
            username = basic[0]
        elif params.get("password"):
            username = (params.get("username") or [""])[0]
        record = TokenRequestRecord(request.method, request.path, basic is not None, username)
        with self._records_lock:
            self._records.append(record)

    # ---- /oauth2/token -----------------------------------------------------------------

    def _token(self, request: Request, params: Mapping[str, list[str]]) -> Response:
        def first(name: str) -> str:
            values = params.get(name) or [""]
            return values[0]

        service = first("service")
        if service and service.lower() != self.login_server:
            return _error(400, "UNSUPPORTED", f"service {service!r} is not this registry")
        scopes = parse_scopes(params.get("scope", []))
        grant_type = first("grant_type") or "password"
        try:
            if grant_type == "refresh_token":
                subject, granted = self._grant_refresh(first("refresh_token"), scopes)
            elif grant_type == "password":
                credentials = _basic_credentials(request)
                if credentials is None and first("username"):
                    credentials = (first("username"), first("password"))
                if credentials is None:
                    return _unauthorized()  # anonymous pull is not enabled in the sandbox
                subject, granted = self._grant(*credentials, scopes)
            else:
                return _error(400, "UNSUPPORTED", f"grant_type {grant_type!r} is not supported")
        except AuthRefused:
            return _unauthorized()
        token = self.minter.access_token(
            service=self.login_server, subject=subject, access=granted, grant_type=grant_type
        )
        return Response.of_json(200, {"access_token": token}, [_RATE_LIMIT_HEADER])

    def _grant(
        self, username: str, password: str, scopes: list[Access]
    ) -> tuple[str, list[Access]]:
        """(subject, granted scopes) for a user name and password; raises ``AuthRefused``.

        The user ``00000000-0000-0000-0000-000000000000`` presents a refresh token as password.
        """
        if username == REFRESH_TOKEN_USER:
            return self._grant_refresh(password, scopes)
        token = self.state.authenticate(self.login_server, username, password)
        granted: list[Access] = []
        with self.state.lock:
            registry = self.state.registry(self.login_server)
            for scope in scopes:
                allowed = (
                    registry.granted_actions(token, scope.name)
                    if registry is not None and scope.type == "repository"
                    else frozenset()
                )
                actions = tuple(a for a in scope.actions if a in allowed)
                if actions:
                    granted.append(Access(scope.type, scope.name, actions))
        return username, granted

    def _grant_refresh(self, refresh_token: str, scopes: list[Access]) -> tuple[str, list[Access]]:
        """A refresh token is only ever minted for the sandbox's service principal, which may
        do everything on every registry; raises ``AuthRefused`` for a token we did not mint."""
        try:
            claims = self.minter.verify_refresh_token(refresh_token, self.login_server)
        except ValueError:
            raise AuthRefused("refresh token rejected") from None
        return str(claims.get("sub", "")), [s for s in scopes if s.actions]

    # ---- /oauth2/exchange --------------------------------------------------------------

    def _exchange(self, params: Mapping[str, list[str]]) -> Response:
        def first(name: str) -> str:
            values = params.get(name) or [""]
            return values[0]

        if first("grant_type") not in ("access_token", "access_token_refresh_token"):
            return _error(400, "UNSUPPORTED", "grant_type must be access_token")
        service = first("service")
        if service and service.lower() != self.login_server:
            return _error(400, "UNSUPPORTED", f"service {service!r} is not this registry")
        if self.verify_entra_token is None:
            return _unauthorized()
        try:
            claims = self.verify_entra_token(first("access_token"))
        except ValueError:
            return _unauthorized()
        audience = str(claims.get("aud", "")).rstrip("/")
        tenant = first("tenant")
        with self.state.lock:
            own_principal = claims.get("appid") == self.state.client_id
            tenant_ok = not tenant or tenant == self.state.tenant_id
            tenant_id = self.state.tenant_id
        if audience not in ENTRA_AUDIENCES or not own_principal or not tenant_ok:
            return _unauthorized()
        subject = str(claims.get("oid") or claims.get("sub") or claims.get("appid"))
        refresh = self.minter.refresh_token(
            service=self.login_server, subject=subject, tenant=tenant_id
        )
        return Response.of_json(200, {"refresh_token": refresh}, [_RATE_LIMIT_HEADER])

    # ---- everything else: the real registry --------------------------------------------

    def _basic_to_bearer(
        self, request: Request, path: str, credentials: tuple[str, str]
    ) -> str | Response:
        """ACR also takes Basic credentials on registry requests: turn them into a Bearer token
        for the scope the request implies, or answer as ACR does (401 with a Basic challenge)."""
        match = _REPOSITORY_PATH.match(path)
        wanted = "pull" if request.method in ("GET", "HEAD") else "push"
        actions = ("pull",) if wanted == "pull" else ("pull", "push")
        scopes = [Access("repository", match["name"], actions)] if match else []
        try:
            subject, granted = self._grant(*credentials, scopes)
        except AuthRefused:
            granted, subject = [], ""
        else:
            if not match or any(wanted in g.actions for g in granted):
                return self.minter.access_token(
                    service=self.login_server,
                    subject=subject,
                    access=granted,
                    grant_type="password",
                )
        detail = (
            [{"Type": "repository", "Name": match["name"], "Action": wanted}] if match else None
        )
        payload = {
            "errors": [{"code": "UNAUTHORIZED", "message": UNAUTHORIZED_MESSAGE, "detail": detail}]
        }
        return Response.of_json(
            401, payload, [("WWW-Authenticate", 'Basic realm="Azure Container Registry"')]
        )

    def _forward(self, request: Request) -> Response:
        credentials = _basic_credentials(request)
        if credentials is None:
            return self._proxy.forward(request)
        self._record(request, {})
        path = unquote_repository(request.path)
        bearer = self._basic_to_bearer(request, path, credentials)
        if isinstance(bearer, Response):
            return bearer
        return self._proxy.forward(request, replace_headers=[("Authorization", f"Bearer {bearer}")])
