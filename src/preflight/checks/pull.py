"""The ``pull`` check: will Wave's pull of each ACR image succeed?

With the token password at hand (``--password-stdin``, an environment variable the user names,
or the one ``fix`` just generated) the check performs Wave's own handshake for every repository
— concurrently, one token per repository — and reports per image which step failed and what to
do. The user name is the one Wave will send: the matched Seqera credential's.

Without a password, it falls back to what the operator's Azure identity can prove through the
data plane (each tag exists, and its digest) and says that the token's pull itself was not
tried. With neither, it says so as a ``skip``, with the way to provide one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import httpx

from preflight.checks.base import CheckContext
from preflight.checks.token_health import TokenHealth
from preflight.errors import InputError, PreflightError
from preflight.model import Finding, ImageUse, Status
from preflight.net.retry import RetryPolicy
from preflight.net.threads import map_in_threads
from preflight.registry import PullTarget, probe_many
from preflight.registry.diagnosis import CHECK, findings_for
from preflight.registry.failures import Problem
from preflight.registry.handshake import DEFAULT_WORKERS, PullResult

if TYPE_CHECKING:
    from preflight.azure.dataplane import RegistryDataPlane
    from preflight.seqera.matching import CredentialMatch

# Problems where ACR's answer leaves the cause open and Azure's view of the token may close it.
_AMBIGUOUS = {Problem.CREDENTIALS_REFUSED, Problem.WRONG_PASSWORD, Problem.UNKNOWN_TOKEN}


@dataclass(frozen=True)
class RepositoryRefs:
    """One repository of one registry with the references the run pulls."""

    registry: str
    repository: str
    references: tuple[str, ...]
    pinned: Mapping[str, str]


def group_uses(uses: Iterable[ImageUse]) -> list[RepositoryRefs]:
    """The run's images per repository: tags (or digests), and the digest a tag is pinned to."""
    grouped: dict[tuple[str, str], tuple[dict[str, None], dict[str, str]]] = {}
    for use in uses:
        references, pinned = grouped.setdefault((use.registry, use.repository), ({}, {}))
        reference = use.tag or use.digest or "latest"
        references[reference] = None
        if use.tag and use.digest:
            pinned[use.tag] = use.digest
    return [
        RepositoryRefs(registry, repository, tuple(refs), pinned)
        for (registry, repository), (refs, pinned) in grouped.items()
    ]


class PullCheck:
    """Prove Wave's pull of every ACR image, or as much of it as can be proven."""

    name = CHECK

    def __init__(
        self, *, max_workers: int = DEFAULT_WORKERS, retry: RetryPolicy | None = None
    ) -> None:
        self._max_workers = max_workers
        self._retry = retry

    def run(self, context: CheckContext) -> Iterable[Finding]:
        if context.options.offline:
            return [
                _finding(
                    Status.SKIP,
                    "pull",
                    "skipped: offline",
                    remedy="run without --offline to check it against the services",
                )
            ]
        groups = group_uses(context.facts.acr_uses())
        if not groups:
            return [_finding(Status.SKIP, "pull", "the run pulls no ACR image")]
        # Without the credentials (Platform down) the user Wave sends is unknown: say so, not
        # that no credential matches, which would send the user after the wrong cause.
        no_user = (
            "no Seqera credential matches this registry, so Wave would pull "
            "anonymously (see the credentials check)"
        )
        try:
            matches: Mapping[str, CredentialMatch] = context.facts.matches.get()
        except PreflightError:
            matches = {}
            no_user = (
                "the Seqera credentials could not be read, so the token Wave would "
                "use is unknown (see the credentials check)"
            )
        targets: list[PullTarget] = []
        unproven: list[tuple[RepositoryRefs, str]] = []
        for group in groups:
            match = matches.get(group.registry)
            user = match.credential.user_name if match and match.credential else None
            password = context.options.password_for(group.registry)
            if user and password:
                targets.append(
                    PullTarget(
                        group.registry,
                        group.repository,
                        group.references,
                        user,
                        password,
                        insecure=group.registry in context.options.insecure_registries,
                        pinned=group.pinned,
                    )
                )
            elif not user:
                unproven.append((group, no_user))
            else:
                unproven.append((group, NO_PASSWORD))
        findings: list[Finding] = []
        if targets:
            client: httpx.Client = context.services.http
            health: Mapping[str, TokenHealth] = context.facts.token_health
            for result in probe_many(
                client, targets, max_workers=self._max_workers, retry=self._retry
            ):
                findings.extend(_explained(result, health.get(result.registry)))
        if unproven:
            findings.extend(self._without_password(context, unproven))
        return findings

    def _without_password(
        self, context: CheckContext, unproven: Sequence[tuple[RepositoryRefs, str]]
    ) -> list[Finding]:
        try:
            plane: RegistryDataPlane = context.services.dataplane
        except InputError as exc:
            reason = f"{exc.where}: {exc.message}" if exc.where else exc.message
            return [
                _finding(
                    Status.SKIP,
                    f"{group.registry}/{group.repository}",
                    f"pull not proven: {why}, and no Azure identity is set up ({reason})",
                    remedy="give the token password (--password-stdin, or an environment variable "
                    "named with the password option) to prove Wave's pull, or sign in to Azure "
                    "(az login, AZURE_SUBSCRIPTION_ID) to check that the tags exist",
                )
                for group, why in unproven
            ]
        jobs = [
            (group, why, reference) for group, why in unproven for reference in group.references
        ]

        def one(job: tuple[RepositoryRefs, str, str]) -> Finding:
            group, why, reference = job
            facts = plane.manifest(group.registry, group.repository, reference)
            return _existence(group, reference, facts.state, facts.digest, facts.detail, why)

        # The SDK caches no token: every call is a challenge, an exchange and a token request
        # before the manifest, so the calls run side by side like the handshakes do.
        workers = max(1, min(self._max_workers, len(jobs)))
        return map_in_threads(one, jobs, max_workers=workers, name="exists")


NO_PASSWORD = "no password for the credential's token was given"


def _prove_pull_remedy(why: str) -> str:
    """What proves Wave's pull, for the reason it was not tried (a password helps only when a
    credential names the token)."""
    if why == NO_PASSWORD:
        return (
            "give the token password (--password-stdin, or --password-env VAR) to prove "
            "Wave's pull itself"
        )
    return "fix what the credentials check reports; then the token's password proves the pull"


def _existence(
    group: RepositoryRefs, reference: str, state: str, digest: str | None, detail: str, why: str
) -> Finding:
    separator = "@" if reference.startswith("sha256:") else ":"
    subject = f"{group.registry}/{group.repository}{separator}{reference}"
    said = f" ({detail})" if detail else ""
    details = {
        "registry": group.registry,
        "repository": group.repository,
        "reference": reference,
        "via": "azure-identity",
        "state": state,
    }
    pinned = group.pinned.get(reference)
    if state == "found" and pinned and digest != pinned:
        return _finding(
            Status.FAIL,
            subject,
            f"the tag now points at {digest}, not the pinned {pinned}",
            remedy="update the pinned digest in the pipeline",
            details={**details, "digest": digest},
        )
    if state == "found":
        # Not tried is not passed: the image exists, but nothing proved Wave can pull it.
        return _finding(
            Status.SKIP,
            subject,
            f"Wave's pull was not tried: {why}; the image exists ({digest}), as your Azure "
            "identity sees it",
            remedy=_prove_pull_remedy(why),
            details={**details, "digest": digest},
        )
    if state == "missing":
        return _finding(
            Status.FAIL,
            subject,
            f"the manifest request failed: tag or repository not found{said}",
            remedy=f"push the image to {group.registry}/"
            f"{group.repository}, or fix the reference in the pipeline",
            details=details,
        )
    if state == "denied":
        return _finding(
            Status.WARN,
            subject,
            f"existence not checked: your Azure identity may not read this repository{said}",
            remedy="grant your identity the "
            "AcrPull role on the registry, or give the token password instead",
            details=details,
        )
    return _finding(
        Status.ERROR,
        subject,
        f"could not check existence{said}",
        remedy="retry; check network access to the registry",
        details=details,
    )


def _explained(result: PullResult, health: TokenHealth | None) -> list[Finding]:
    findings = findings_for(result)
    cause = health.likely_cause() if health else ""
    if not cause or result.failure is None or result.failure.problem not in _AMBIGUOUS:
        return findings
    return [replace(f, message=f"{f.message}. Azure says: {cause}") for f in findings]


def _finding(
    status: Status,
    subject: str,
    message: str,
    *,
    remedy: str = "",
    details: Mapping[str, object] | None = None,
) -> Finding:
    return Finding(
        check=CHECK,
        status=status,
        subject=subject,
        message=message,
        remedy=remedy,
        details=dict(details or {}),
    )
