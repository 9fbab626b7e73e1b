"""An Entra ID stand-in that azure-identity's real credentials accept.

Serves what ``ClientSecretCredential`` / ``EnvironmentCredential`` (through MSAL) call when
given ``authority=https://127.0.0.1:PORT`` and ``disable_instance_discovery=True``:

- ``GET /{tenant}/v2.0/.well-known/openid-configuration`` — the endpoints, on the origin the
  client used;
- ``POST /{tenant}/oauth2/v2.0/token`` with ``grant_type=client_credentials`` — the client id and
  secret are checked against the sandbox's :class:`AzureState`; errors are Entra's JSON
  (``invalid_client`` 401 for a wrong secret, ``unauthorized_client`` 400 for an unknown
  application, ``invalid_request`` 400 for an unknown tenant).

Access tokens are RS256 JWTs whose ``aud`` is the requested ``scope`` without ``/.default``
(ARM's ``https://management.azure.com``, ACR's ``https://containerregistry.azure.net`` …).
:meth:`EntraIssuer.verify` is how the ARM emulator and ``/oauth2/exchange`` check them.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from preflight.sandbox.http import Request, Response
from preflight.sandbox.state import AzureState

TOKEN_LIFETIME = 3599


def new_signing_key() -> rsa.RSAPrivateKey:
    """A fresh RSA key; the slowest thing the sandbox makes, so start-up makes it in parallel."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class EntraIssuer:
    """Signs and verifies the sandbox tenant's access tokens (one RSA key per sandbox)."""

    def __init__(self, tenant_id: str, private_key: rsa.RSAPrivateKey | None = None) -> None:
        self.tenant_id = tenant_id
        self.issuer = f"https://sts.windows.net/{tenant_id}/"
        self.key_id = secrets.token_hex(8)
        self._private_key = private_key or new_signing_key()
        self._public_pem = self._private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def issue(self, *, client_id: str, audience: str, lifetime: int = TOKEN_LIFETIME) -> str:
        """An app-only access token for service principal ``client_id``."""
        now = int(time.time())
        claims = {
            "aud": audience,
            "iss": self.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "appid": client_id,
            "appidacr": "1",
            "idtyp": "app",
            "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sp:{client_id}")),
            "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sp:{client_id}")),
            "tid": self.tenant_id,
            "ver": "1.0",
        }
        return jwt.encode(
            claims, self._private_key, algorithm="RS256", headers={"kid": self.key_id}
        )

    def verify(self, token: str) -> Mapping[str, Any]:
        """The claims of a token this issuer signed and that is still valid.

        Raises ``ValueError`` for a malformed, expired or foreign token (another key, another
        tenant). The audience is returned in ``aud`` for the caller to check.
        """
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._public_pem,
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"verify_aud": False, "require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise ValueError(f"Entra ID token rejected: {exc}") from None
        if claims.get("tid") != self.tenant_id:
            raise ValueError("Entra ID token rejected: issued for another tenant")
        return claims


def _entra_error(status: int, error: str, code: int, description: str) -> Response:
    return Response.of_json(
        status,
        {
            "error": error,
            "error_description": f"AADSTS{code}: {description}",
            "error_codes": [code],
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
            "trace_id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4()),
        },
    )


class EntraEmulator:
    """The ``Handler`` for the Entra ID authority."""

    def __init__(self, state: AzureState, issuer: EntraIssuer) -> None:
        self.state = state
        self.issuer = issuer

    def handle(self, request: Request) -> Response:
        parts = [p for p in request.path.split("/") if p]
        route = (request.method, tuple(parts[1:])) if len(parts) == 4 else None
        if route == ("GET", ("v2.0", ".well-known", "openid-configuration")):
            return self._discovery(request, parts[0])
        if route == ("POST", ("oauth2", "v2.0", "token")):
            return self._token(request, parts[0])
        return Response.of_json(404, {"error": "not_found", "error_description": request.path})

    def _known_tenant(self, tenant: str) -> bool:
        return tenant in (self.state.tenant_id, "organizations", "common")

    def _discovery(self, request: Request, tenant: str) -> Response:
        if not self._known_tenant(tenant):
            return _entra_error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
        origin = f"https://{request.header('Host') or request.host}"
        base = f"{origin}/{self.state.tenant_id}"
        return Response.of_json(
            200,
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "jwks_uri": f"{origin}/{self.state.tenant_id}/discovery/v2.0/keys",
                "issuer": f"{origin}/{self.state.tenant_id}/v2.0",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "response_types_supported": ["code", "id_token", "code id_token", "token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "tenant_region_scope": "EU",
            },
        )

    def _token(self, request: Request, tenant: str) -> Response:
        form = request.form()

        def first(name: str) -> str:
            return (form.get(name) or [""])[0]

        if not self._known_tenant(tenant):
            return _entra_error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
        if first("grant_type") != "client_credentials":
            return _entra_error(
                400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type"
            )
        with self.state.lock:
            client_id, client_secret = self.state.client_id, self.state.client_secret
        if first("client_id") != client_id:
            return _entra_error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{first('client_id')}' was not found in the"
                f" directory '{self.state.tenant_id}'.",
            )
        if not secrets.compare_digest(first("client_secret"), client_secret):
            return _entra_error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is"
                " the client secret value, not the client secret ID.",
            )
        scopes = first("scope").split()
        resource = next((s for s in scopes if s.endswith("/.default")), "")
        if not resource:
            return _entra_error(
                400, "invalid_scope", 1002012, "The provided value for scope is not valid."
            )
        token = self.issuer.issue(client_id=client_id, audience=resource[: -len("/.default")])
        return Response.of_json(
            200,
            {
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME,
                "ext_expires_in": TOKEN_LIFETIME,
                "access_token": token,
            },
        )
