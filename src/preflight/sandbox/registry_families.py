"""The non-ACR registries of the sandbox: Docker Hub, GHCR, Quay and a generic registry.

Each is a real registry process behind a front door (:mod:`preflight.sandbox.registry_front`)
that answers the way that family's service does, reached under its real names through the host
map. Each holds a public and a private repository; each has one user whose password is random
per start. Facts per family (which host the realm is on, which ``service`` the challenge names,
what the token answer holds, what an anonymous client gets) are in :class:`Family`, each with
its public source.
"""

from __future__ import annotations

from dataclasses import dataclass

from preflight.sandbox.push import DOCKER_MANIFEST, OCI_MANIFEST


@dataclass(frozen=True)
class Family:
    """How one registry family answers, as far as a puller can see."""

    kind: str  # dockerhub | ghcr | quay | generic
    realm_path: str
    # The token answer's fields besides ``token``.
    token_fields: tuple[str, ...] = ()
    # An anonymous token request for a repository the client may not pull: ``downscope`` gives
    # 200 with a token lacking ``pull`` (Docker Hub, Quay, the distribution token spec: "If the
    # client only has a subset of the requested access it must not be considered an error");
    # ``refuse`` answers 401 at the token endpoint (GHCR).
    anonymous_private: str = "downscope"
    # ``GET /v2/`` body for an anonymous client (Quay answers ``true``), ``None``: the registry's.
    v2_body: bytes | None = None
    rate_limited: bool = False


# Docker Hub: challenge `Bearer realm="https://auth.docker.io/token",service="registry.docker.io"`
# (distribution/distribution docs/content/spec/auth/token.md); token answer carries `token`,
# `access_token`, `expires_in`, `issued_at`; `ratelimit-limit`/`ratelimit-remaining` headers
# "returned on both GET and HEAD requests", only GET counts
# (https://docs.docker.com/docker-hub/usage/pulls/).
DOCKER_HUB = Family(
    "dockerhub",
    "/token",
    token_fields=("access_token", "expires_in", "issued_at"),
    rate_limited=True,
)
# GHCR: `Bearer realm="https://ghcr.io/token",service="ghcr.io"`; an anonymous token request for a
# private or missing repository is refused with 401 (openai/tunnel-client#75); answers `token`.
GHCR = Family("ghcr", "/token", anonymous_private="refuse")
# Quay: `Bearer realm="https://quay.io/v2/auth",service="quay.io"`; anonymous GET /v2/ → 401 with
# body `true`; the token answer is `{"token": …}` only (quay/quay endpoints/v2/v2auth.py).
QUAY = Family("quay", "/v2/auth", v2_body=b"true")
# The CNCF distribution token flow, realm on the registry's own host.
GENERIC = Family("generic", "/token", token_fields=("expires_in",))


@dataclass(frozen=True)
class FamilyImage:
    repository: str
    tag: str
    public: bool
    media_type: str = OCI_MANIFEST


@dataclass(frozen=True)
class DistributionSeed:
    """One non-ACR registry: its image host, where its API and token service answer, its images.

    ``host`` is the registry string of image references (``docker.io``); ``api_host`` the host
    its API is served at (``registry-1.docker.io``); ``realm_host`` the token service's host.
    """

    host: str
    family: Family
    service: str
    user: str
    images: tuple[FamilyImage, ...] = ()
    api_host: str = ""
    realm_host: str = ""
    rate_limit: int = 100
    rate_window: int = 21600

    @property
    def kind(self) -> str:
        return self.family.kind

    @property
    def api(self) -> str:
        return self.api_host or self.host

    @property
    def realm_origin(self) -> str:
        return self.realm_host or self.api

    @property
    def realm(self) -> str:
        return f"https://{self.realm_origin}{self.family.realm_path}"

    @property
    def public_repositories(self) -> frozenset[str]:
        return frozenset(i.repository for i in self.images if i.public)

    def image_refs(self) -> list[str]:
        return [f"{self.host}/{i.repository}:{i.tag}" for i in self.images]

    def visibility(self) -> dict[str, bool]:
        """Per image reference: whether an anonymous client may pull it."""
        return {f"{self.host}/{i.repository}:{i.tag}": i.public for i in self.images}


DEFAULT_DISTRIBUTION_REGISTRIES: tuple[DistributionSeed, ...] = (
    DistributionSeed(
        host="docker.io",
        api_host="registry-1.docker.io",
        realm_host="auth.docker.io",
        family=DOCKER_HUB,
        service="registry.docker.io",
        user="acme-hub",
        images=(
            FamilyImage("library/busybox", "1.36", public=True, media_type=DOCKER_MANIFEST),
            FamilyImage("acme/private-tool", "1.0", public=False),
        ),
    ),
    DistributionSeed(
        host="ghcr.io",
        family=GHCR,
        service="ghcr.io",
        user="acme-ci",
        images=(
            FamilyImage("acme-org/public-tool", "1.0", public=True),
            FamilyImage("acme-org/private-tool", "2.0", public=False),
        ),
    ),
    DistributionSeed(
        host="quay.io",
        family=QUAY,
        service="quay.io",
        user="acme+reader",  # a Quay robot account: namespace+robotname
        images=(
            FamilyImage("biocontainers/samtools", "1.17", public=True),
            # The demo pipeline's QC image (nf-core's biocontainers naming).
            FamilyImage("biocontainers/fastqc", "0.12.1--hdfd78af_0", public=True),
            FamilyImage("acme/secret-tool", "1.0", public=False),
        ),
    ),
    DistributionSeed(
        host="cr.example.org",
        family=GENERIC,
        service="cr.example.org",
        user="acme",
        images=(
            FamilyImage("tools/multiqc", "1.21", public=True),
            FamilyImage("acme/internal", "0.9", public=False),
        ),
    ),
)
