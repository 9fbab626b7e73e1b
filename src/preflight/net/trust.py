"""Which token-service hosts may receive a registry's credentials: the realm trust policy.

A registry's ``401`` challenge names the realm its client should log in at. A registry that is
hostile (or misconfigured) can name any host, and a client that follows it hands that host the
password. The policy trusts, for a registry host:

1. the registry's own origin (ACR, GHCR, Quay, Google Artifact Registry: realm on the same host);
2. known pairs, where the registry's documented token service lives elsewhere — Docker Hub's
   registry ``registry-1.docker.io`` (``docker.io``, ``index.docker.io``) and its token service
   ``auth.docker.io``;
3. hosts the user names (``--trust-realm HOST``), for a private registry whose token service
   sits on another host.

Anything else is refused before a request is made, and the refusal names the realm's host and
the option that would trust it. The policy is about credentials: an anonymous token request
carries none, but it follows the same rule so a run never talks to a host nobody vouched for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Registry host -> token-service hosts it is known to use (its own documented token service).
# Docker Hub: challenge `Bearer realm="https://auth.docker.io/token",service="registry.docker.io"`
# (distribution/distribution docs/content/spec/auth/token.md;
# https://docs.docker.com/docker-hub/usage/pulls/).
KNOWN_REALM_HOSTS: Mapping[str, frozenset[str]] = {
    "docker.io": frozenset({"auth.docker.io"}),
    "index.docker.io": frozenset({"auth.docker.io"}),
    "registry-1.docker.io": frozenset({"auth.docker.io"}),
}
HTTPS_PORT = 443


def _split(host: str) -> tuple[str, int | None]:
    """``host[:port]`` → (lower-cased host, port or ``None``)."""
    name, sep, port = host.strip().lower().rpartition(":")
    if sep and port.isdigit() and name and not name.endswith("]"):
        return name, int(port)
    return host.strip().lower(), None


@dataclass(frozen=True)
class RealmTrust:
    """The trust policy of one run: known pairs plus the hosts the user trusts.

    ``user_hosts`` holds ``HOST`` (any port) or ``HOST:PORT`` entries, compared without case.
    """

    user_hosts: frozenset[str] = frozenset()
    known: Mapping[str, frozenset[str]] = field(default_factory=lambda: dict(KNOWN_REALM_HOSTS))

    @classmethod
    def of(cls, hosts: Iterable[str] = ()) -> RealmTrust:
        return cls(user_hosts=frozenset(h.strip().lower() for h in hosts if h.strip()))

    def why_trusted(
        self, registry_host: str, registry_port: int, realm_host: str, realm_port: int
    ) -> str | None:
        """Why a realm at ``realm_host:realm_port`` may get this registry's credentials, or
        ``None`` when it may not. The reasons are ``own host``, ``known pair``, ``trusted``."""
        registry_host, realm_host = registry_host.lower(), realm_host.lower()
        if registry_host == realm_host and registry_port == realm_port:
            return "own host"
        if realm_host in self.known.get(registry_host, frozenset()) and realm_port == HTTPS_PORT:
            return "known pair"
        for entry in self.user_hosts:
            host, port = _split(entry)
            if host == realm_host and port in (None, realm_port):
                return "trusted"
        return None


DEFAULT_TRUST = RealmTrust()
