"""Which family a registry host belongs to, and where its API is served.

Wave talks to every registry with the same distribution flow (``/v2/`` challenge, realm, token,
manifest); the families differ in where the API lives, what an anonymous client is told, and
what the credential must hold:

- ``dockerhub``: image host ``docker.io`` (the default), API at ``registry-1.docker.io`` (Wave's
  ``RegistryLookupServiceImpl``: ``docker.io`` → ``https://registry-1.docker.io``), token service
  on ``auth.docker.io``; anonymous pulls are rate limited (``ratelimit-remaining``).
- ``ghcr``, ``quay``, ``gar`` (``*-docker.pkg.dev``, ``gcr.io``; user ``_json_key``) and
  ``generic``: the Bearer token flow on the registry's own host.
- ``ecr`` (``ACCOUNT.dkr.ecr.REGION.amazonaws.com``): a ``Basic`` challenge; Wave obtains the
  password from AWS with the credential's access keys, so a pull cannot be proven without AWS.
- ``public``: Wave's own public caches (``community.wave.seqera.io``): existence only, Wave uses
  its own credentials there, never the workspace's.
- ``acr``: Azure Container Registry, checked in depth elsewhere.
"""

from __future__ import annotations

import enum
import re

DOCKER_HUB_API = "registry-1.docker.io"
DOCKER_HUB_NAMES = frozenset({"docker.io", "index.docker.io", DOCKER_HUB_API})
# Wave's AwsEcrService.AWS_ECR_PRIVATE (anchored at the start, as Wave's find() is).
_ECR_PRIVATE = re.compile(r"^(\d+)\.dkr\.ecr\.([a-z\-\d]+)\.amazonaws\.com")
# ACR login servers in every cloud (the images package owns the full rule; a caller that has
# it passes ``acr=``).
_ACR = re.compile(r"^[a-z0-9][a-z0-9.-]*\.azurecr\.[a-z.-]+$")
_GAR = re.compile(r"^[a-z0-9-]+-docker\.pkg\.dev$")
# Wave's defaultPublicRepository: images are public, Wave pulls with its own credentials.
PUBLIC_CACHES = frozenset({"community.wave.seqera.io"})


class RegistryKind(str, enum.Enum):
    """A registry family, as reports and the sandbox name it."""

    ACR = "acr"
    DOCKERHUB = "dockerhub"
    GHCR = "ghcr"
    QUAY = "quay"
    GAR = "gar"
    ECR = "ecr"
    PUBLIC = "public"
    GENERIC = "generic"


def _host(registry: str) -> str:
    return registry.lower().rsplit(":", 1)[0] if registry.count(":") == 1 else registry.lower()


def registry_kind(registry: str, *, acr: bool | None = None) -> RegistryKind:
    """The family of an image's registry string (``host[:port]``); ``acr`` when known."""
    host = _host(registry)
    if acr if acr is not None else _ACR.match(host):
        return RegistryKind.ACR
    if host in DOCKER_HUB_NAMES:
        return RegistryKind.DOCKERHUB
    if host == "ghcr.io":
        return RegistryKind.GHCR
    if host == "quay.io":
        return RegistryKind.QUAY
    if _GAR.match(host) or host == "gcr.io" or host.endswith(".gcr.io"):
        return RegistryKind.GAR
    if _ECR_PRIVATE.match(host) or host == "public.ecr.aws":
        return RegistryKind.ECR
    if host in PUBLIC_CACHES:
        return RegistryKind.PUBLIC
    return RegistryKind.GENERIC


def is_private_ecr(registry: str) -> bool:
    """Whether Wave would fetch an ECR login token from AWS for this host."""
    return _ECR_PRIVATE.match(_host(registry)) is not None


def api_host(registry: str) -> str:
    """The host (and port) the registry's API is served at: ``docker.io`` → Docker Hub's API."""
    return DOCKER_HUB_API if registry.lower() == "docker.io" else registry
