"""Read the ``access`` claim of a registry token without verifying it.

ACR answers a token request for a scope it will not grant with ``200`` and a token whose
``access`` list simply lacks the action, so the only way to know *before* the manifest request
whether ``pull`` was granted is to read the claim. The signature is not ours to check (the
registry does that); we only read what the token says it allows.

ACR spells the entry keys ``Type``/``Name``/``Actions``; the Docker token spec spells them
``type``/``name``/``actions``. Both are accepted. A ``Name`` of ``*`` (anonymous pull) or a
trailing ``/*`` covers the repositories under it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class MalformedToken(ValueError):
    """The token is not a JWT with a JSON payload; the message never contains the token."""


@dataclass(frozen=True)
class AccessGrant:
    """One entry of the ``access`` claim: actions on a resource (``repository`` / ``registry``)."""

    type: str
    name: str
    actions: frozenset[str]

    def covers(self, repository: str) -> bool:
        """Whether this entry is about ``repository`` (exact, ``*``, or a trailing ``/*``)."""
        if self.type.lower() != "repository":
            return False
        if self.name in ("*", repository):
            return True
        return self.name.endswith("/*") and repository.startswith(self.name[:-1])


def _keyed(entry: Mapping[str, Any], key: str) -> Any:
    """``entry[key]`` matched case-insensitively (``Actions`` or ``actions``)."""
    for name, value in entry.items():
        if name.lower() == key:
            return value
    return None


def decode_payload(token: str) -> dict[str, Any]:
    """The JWT's claims, unverified. Raises :class:`MalformedToken` when it is not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedToken("the token is not a JWT (expected three dot-separated parts)")
    segment = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        payload = json.loads(base64.urlsafe_b64decode(segment.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise MalformedToken("the token's payload is not base64url-encoded JSON") from exc
    if not isinstance(payload, dict):
        raise MalformedToken("the token's payload is not a JSON object")
    return payload


def access_grants(claims: Mapping[str, Any]) -> tuple[AccessGrant, ...]:
    """The ``access`` claim as grants; a missing or malformed claim grants nothing."""
    raw = _keyed(claims, "access")
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        return ()
    grants: list[AccessGrant] = []
    for entry in raw:
        if not isinstance(entry, Mapping):
            continue
        actions = _keyed(entry, "actions")
        if not isinstance(actions, Sequence) or isinstance(actions, str):
            actions = ()
        grants.append(
            AccessGrant(
                type=str(_keyed(entry, "type") or ""),
                name=str(_keyed(entry, "name") or ""),
                actions=frozenset(a for a in actions if isinstance(a, str)),
            )
        )
    return tuple(grants)


def granted_actions(grants: Sequence[AccessGrant], repository: str) -> frozenset[str]:
    """Every action the grants allow on ``repository`` (grants are additive)."""
    actions: set[str] = set()
    for grant in grants:
        if grant.covers(repository):
            actions |= grant.actions
    return frozenset(actions)
