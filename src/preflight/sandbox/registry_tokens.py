"""Minting the JWTs the ACR token service hands out, in ACR's shape, signed for the registry.

Access tokens carry ACR's claims (``iss`` "Azure Container Registry", ``aud`` the login server
as a string, ``version``, ``rid``, ``grant_type``, ``roles``) and the ``access`` list with ACR's
capitalised keys ``Type``/``Name``/``Actions``. The distribution registry reads those keys too:
Go's JSON decoding matches field names case-insensitively, so one spelling — ACR's — serves both
the registry and any client that decodes the claim (the sandbox's tests prove the registry
accepts it). The header carries the signer's ``x5c`` chain, which the registry verifies against
the signing CA. Refresh tokens (from ``/oauth2/exchange``) are signed the same way and only ever
read back by the token service itself.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from preflight.sandbox.registry_process import ISSUER
from preflight.sandbox.tls import SigningKey

ACCESS_TOKEN_LIFETIME = 300  # seconds; ACR's are longer, short ones surface expiry bugs
REFRESH_TOKEN_LIFETIME = 11700  # seconds, as ACR issues them


@dataclass(frozen=True)
class Access:
    """One scope: ``repository:team/app:pull,push`` → type, name and actions."""

    type: str
    name: str
    actions: tuple[str, ...]

    def claim(self) -> dict[str, Any]:
        return {"Type": self.type, "Name": self.name, "Actions": list(self.actions)}


def parse_scopes(values: Iterable[str]) -> list[Access]:
    """Parse ``scope`` parameters (repeated, or space-separated); malformed ones are skipped.

    The name may itself hold colons only in the ``type:name:actions`` middle part, so the
    actions are split off the right and the type off the left.
    """
    scopes: list[Access] = []
    for value in values:
        for text in value.split():
            kind, _, rest = text.partition(":")
            name, _, actions = rest.rpartition(":")
            if not kind or not name:
                continue
            wanted = tuple(a for a in actions.split(",") if a)
            scopes.append(Access(kind, name, wanted))
    return scopes


def registry_id(service: str) -> str:
    """A stable stand-in for ACR's ``rid`` claim (32 hex digits)."""
    return hashlib.sha256(service.lower().encode()).hexdigest()[:32]


class RegistryTokenMinter:
    """Signs access and refresh tokens with the sandbox's signing key."""

    def __init__(self, signing_key: SigningKey) -> None:
        self._key = signing_key
        self._public_key = signing_key.public_key_pem()

    def _sign(self, claims: Mapping[str, Any]) -> str:
        return jwt.encode(
            dict(claims),
            self._key.private_key_pem,
            algorithm=self._key.algorithm,
            headers={"typ": "JWT", "x5c": list(self._key.x5c)},
        )

    def _base_claims(self, service: str, subject: str, lifetime: int) -> dict[str, Any]:
        now = int(time.time())
        return {
            "jti": str(uuid.uuid4()),
            "sub": subject,
            "nbf": now,
            "exp": now + lifetime,
            "iat": now,
            "iss": ISSUER,
            "aud": service,
            "rid": registry_id(service),
        }

    def access_token(
        self,
        *,
        service: str,
        subject: str,
        access: Sequence[Access],
        grant_type: str,
        lifetime: int = ACCESS_TOKEN_LIFETIME,
    ) -> str:
        """An access token granting exactly ``access`` (entries may have no actions)."""
        claims = self._base_claims(service, subject, lifetime)
        claims.update(
            version="2.0",
            access=[a.claim() for a in access],
            roles=[],
            grant_type=grant_type,
        )
        return self._sign(claims)

    def refresh_token(
        self, *, service: str, subject: str, tenant: str, lifetime: int = REFRESH_TOKEN_LIFETIME
    ) -> str:
        """A refresh token for ``subject`` (an Entra principal) at registry ``service``."""
        claims = self._base_claims(service, subject, lifetime)
        claims.update(
            version="1.0",
            grant_type="refresh_token",
            tenant=tenant,
            permissions={
                "Actions": ["read", "write", "delete", "metadata/read", "metadata/write"],
                "NotActions": None,
            },
            roles=[],
        )
        return self._sign(claims)

    def verify_refresh_token(self, token: str, service: str) -> Mapping[str, Any]:
        """The claims of a refresh token this minter issued for ``service``.

        Raises ``ValueError`` when the token is malformed, expired, signed by someone else, for
        another registry, or not a refresh token.
        """
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._public_key,
                algorithms=[self._key.algorithm],
                audience=service,
                issuer=ISSUER,
            )
        except jwt.PyJWTError as exc:
            raise ValueError(f"refresh token rejected: {exc}") from None
        if claims.get("grant_type") != "refresh_token":
            raise ValueError("refresh token rejected: not a refresh token")
        return claims
