"""Parse a registry's ``WWW-Authenticate`` challenge (RFC 7235 auth-params, as registries send).

A registry answers an unauthenticated request with ``401`` and a challenge such as
``Bearer realm="https://reg.azurecr.io/oauth2/token",service="reg.azurecr.io"`` (ACR adds
``scope=`` on repository paths and ``error="insufficient_scope"`` when a token lacks an action),
or ``Basic realm="Azure Container Registry"``. The parser is tolerant of spacing and quoting
(unlike regex-based clients) but never invents a value: a missing ``realm`` stays ``None`` and the
caller decides what that means.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# token68-free auth-param grammar: name = token | quoted-string, separated by commas.
_PARAM = re.compile(
    r"""\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*)\s*(?:,|$)"""
)
_SCHEME = re.compile(r"\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?:\s+|$)")


@dataclass(frozen=True)
class Challenge:
    """One authentication challenge: its scheme (lower-cased) and its parameters.

    Parameter names are lower-cased; values are unquoted. ``realm``/``service``/``scope``/``error``
    are the ones the registry handshake reads.
    """

    scheme: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def realm(self) -> str | None:
        return self.params.get("realm")

    @property
    def service(self) -> str | None:
        return self.params.get("service")

    @property
    def scope(self) -> str | None:
        return self.params.get("scope")

    @property
    def error(self) -> str | None:
        return self.params.get("error")

    @property
    def is_bearer(self) -> bool:
        return self.scheme == "bearer"

    @property
    def is_basic(self) -> bool:
        return self.scheme == "basic"


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_challenges(header: str) -> tuple[Challenge, ...]:
    """Every challenge in one ``WWW-Authenticate`` value, in order; ``()`` when none parses.

    Several challenges may share one header (``Bearer realm=…, Basic realm=…``): a new scheme
    starts wherever a bare token is followed by whitespace and then an auth-param.
    """
    challenges: list[Challenge] = []
    position = 0
    text = header.strip()
    while position < len(text):
        scheme_match = _SCHEME.match(text, position)
        if scheme_match is None:
            break
        scheme = scheme_match.group(1).lower()
        position = scheme_match.end()
        params: dict[str, str] = {}
        while position < len(text):
            # A following "Word word=" (a token then whitespace) is the next challenge's scheme.
            lookahead = _SCHEME.match(text, position)
            if lookahead and params and not text[lookahead.end() :].startswith("="):
                break
            param = _PARAM.match(text, position)
            if param is None:
                break
            params[param.group(1).lower()] = _unquote(param.group(2))
            position = param.end()
        challenges.append(Challenge(scheme=scheme, params=params))
        if position < len(text) and text[position] == ",":
            position += 1
    return tuple(challenges)


def pick_challenge(headers: list[str]) -> Challenge | None:
    """The challenge a registry client should answer: Bearer first, then Basic, else ``None``."""
    found = [c for h in headers for c in parse_challenges(h)]
    for scheme in ("bearer", "basic"):
        for challenge in found:
            if challenge.scheme == scheme:
                return challenge
    return None
