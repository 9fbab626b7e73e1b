"""The ``existence`` check: does every non-ACR image exist, and will Wave's pull of it be let in?

For each distinct image on Docker Hub, GHCR, Quay, Google Artifact Registry, ECR, Wave's public
caches or any other registry, the check finds the credential Wave will use (Wave's rule, over
the run's workspace), then asks the registry for the manifest the way Wave will: anonymously
when no credential matches (or no password was given for it), with the credential otherwise.
ACR images are the ``pull`` check's (the token's handshake, its health, the data plane).

``--acr-only`` keeps the narrower run without this check; ``--offline`` skips it. When the
Platform cannot be read, images are still asked for anonymously, and a refusal says that the
credential Wave would use is unknown rather than that none exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from preflight.checks.base import CheckContext
from preflight.errors import PreflightError
from preflight.model import Finding, ImageUse, Status
from preflight.net.trust import RealmTrust
from preflight.registry.existence import DEFAULT_PER_REGISTRY, probe_existence
from preflight.registry.existence_findings import CHECK, ImageToCheck, findings, plan
from preflight.registry.families import RegistryKind, registry_kind
from preflight.seqera.matching import match_registry
from preflight.seqera.models import Credential

UNKNOWN_CREDENTIALS = "(unknown: the Platform's credentials could not be read)"


def _skip(message: str) -> Finding:
    return Finding(check=CHECK, status=Status.SKIP, subject=CHECK, message=message)


class ExistenceCheck:
    """Every image Wave will pull from a registry other than ACR, asked for as Wave will."""

    name = CHECK

    def __init__(self, *, per_registry: int = DEFAULT_PER_REGISTRY) -> None:
        self._per_registry = per_registry

    def run(self, context: CheckContext) -> Iterable[Finding]:
        if context.options.offline:
            return [_skip("skipped: offline")]
        if context.options.acr_only:
            return [_skip("skipped: --acr-only")]
        facts = context.facts
        uses = [u for u in facts.image_uses.get() if not u.acr]
        if not uses:
            return [_skip("the run pulls no image outside ACR")]
        credentials: Sequence[Credential] | None
        workspace = ""
        try:
            credentials = facts.credentials.get()
            workspace = facts.workspace.get().full_name
        except PreflightError:
            credentials = None  # the credentials check says why
        images = [_to_check(use, credentials, context) for use in uses]
        client = context.services.http
        trust = RealmTrust.of(context.options.trusted_realms)
        results = probe_existence(
            client, plan(images), per_registry=self._per_registry, trust=trust
        )
        return findings(images, results, workspace=workspace)


def _to_check(
    use: ImageUse, credentials: Sequence[Credential] | None, context: CheckContext
) -> ImageToCheck:
    kind = registry_kind(use.registry, acr=use.acr)
    name: str | None = None
    user = ""
    near = ""
    if credentials is None:
        name = None
    elif kind is not RegistryKind.PUBLIC:  # Wave uses its own credentials for its caches
        match = match_registry(credentials, use.registry)
        if match.credential is not None:
            name, user = match.credential.name, match.credential.user_name or ""
        near = "; ".join(miss.explain() for miss in match.near_misses)
    # Only a password named for this registry: one given for every registry is ACR's token.
    password = context.options.registry_passwords.get(use.registry) if name else None
    return ImageToCheck(
        image=use.image,
        registry=use.registry,
        repository=use.repository,
        reference=use.tag or use.digest or "latest",
        kind=kind,
        processes=use.processes,
        source=use.source,
        credential=name if credentials is not None else UNKNOWN_CREDENTIALS,
        username=user,
        password=password,
        near_miss=near,
        insecure=use.registry in context.options.insecure_registries,
    )
