"""From the run's images to existence probes, and from their answers to findings.

Pure functions: :func:`plan` groups the images into :class:`ExistenceTarget` probes — one per
repository and credential, anonymous where Wave will pull anonymously — and :func:`findings`
reads the answers back per image. Each finding names the image, its processes and their
``file:line``; ``details`` carry ``registry``, ``kind``, ``exists``, ``needs_credential`` and
``credential`` for the JSON report.

Decisions the answers do not make by themselves:

- a credential with no password given is not tried: the image is asked for anonymously, and a
  refusal then is a ``warn`` (Wave will send the credential; not proven), not a ``fail``;
- a password given for every registry (``*``) is an ACR token password: it is never sent to
  another family's registry, only a password named for that registry is;
- Wave's public caches (``community.wave.seqera.io``) are pulled with Wave's own credentials, so
  they are asked anonymously whatever the workspace holds;
- ECR: Wave obtains the password from AWS with the credential's access keys, so with a
  credential the pull cannot be proven here; without one, the anonymous answer decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from preflight.model import Finding, Location, Status
from preflight.registry.existence import ExistenceResult, ExistenceTarget, Presence, RateLimit
from preflight.registry.failures import HandshakeFailure, Problem
from preflight.registry.families import RegistryKind, is_private_ecr, registry_kind
from preflight.secret import Secret

CHECK = "existence"

# What a family's credential holds, for the remedy that asks the user to add one.
_CREDENTIAL_HINTS: Mapping[RegistryKind, str] = {
    RegistryKind.DOCKERHUB: "user name and a Docker Hub access token",
    RegistryKind.GHCR: "GitHub user name and a personal access token (classic) with read:packages",
    RegistryKind.QUAY: "a robot account (namespace+robot) and its token",
    RegistryKind.GAR: "user name _json_key and the service account's JSON key as password",
    RegistryKind.ECR: "the AWS access key id as user name and the secret access key as password",
    RegistryKind.GENERIC: "the registry's user name and password or token",
}


@dataclass(frozen=True)
class ImageToCheck:
    """One distinct image of the run and the credential Wave will use for it.

    ``credential`` is the matched credential's name (``None``: Wave pulls anonymously),
    ``password`` the one the user gave for this registry, if any. ``near_miss`` explains a
    credential that looks meant for this registry but that Wave will never take.
    """

    image: str
    registry: str
    repository: str
    reference: str
    kind: RegistryKind
    processes: tuple[str, ...] = ()
    source: Location | None = None
    credential: str | None = None
    username: str = ""
    password: Secret | None = None
    near_miss: str = ""
    insecure: bool = False

    @property
    def asks_anonymously(self) -> bool:
        return self.password is None or self.kind is RegistryKind.PUBLIC

    @property
    def needs_aws(self) -> bool:
        return self.credential is not None and is_private_ecr(self.registry)


def plan(images: Sequence[ImageToCheck]) -> list[ExistenceTarget]:
    """One probe per repository and way of asking; images needing AWS are left out."""
    grouped: dict[tuple[str, str, str, bool], list[str]] = {}
    passwords: dict[tuple[str, str, str, bool], ImageToCheck] = {}
    for image in images:
        if image.needs_aws:
            continue
        key = (image.registry, image.repository, image.username, image.asks_anonymously)
        grouped.setdefault(key, [])
        if image.reference not in grouped[key]:
            grouped[key].append(image.reference)
        passwords.setdefault(key, image)
    targets = []
    for key, references in grouped.items():
        first = passwords[key]
        anonymous = key[3]
        targets.append(
            ExistenceTarget(
                first.registry,
                first.repository,
                tuple(references),
                username="" if anonymous else first.username,
                password=None if anonymous else first.password,
                insecure=first.insecure,
            )
        )
    return targets


def _answer_for(
    image: ImageToCheck, results: Iterable[ExistenceResult]
) -> tuple[Presence, HandshakeFailure | None, str | None] | None:
    for result in results:
        if (result.registry, result.repository) != (image.registry, image.repository):
            continue
        if result.anonymous != image.asks_anonymously:
            continue
        for check in result.checks:
            if check.reference == image.reference:
                return check.presence, check.failure, check.digest
    return None


def findings(
    images: Sequence[ImageToCheck],
    results: Sequence[ExistenceResult],
    *,
    workspace: str = "",
) -> list[Finding]:
    """One finding per image, then Docker Hub's rate-limit warning when the run would hit it."""
    out = [_finding(image, _answer_for(image, results), workspace) for image in images]
    out.extend(_rate_limit_findings(images, results))
    return out


def _where(image: ImageToCheck) -> str:
    """The processes that pull the image (the finding's location gives the file:line)."""
    return ", ".join(image.processes) or "the run"


def _add_credential(image: ImageToCheck, workspace: str) -> str:
    hint = _CREDENTIAL_HINTS.get(image.kind, _CREDENTIAL_HINTS[RegistryKind.GENERIC])
    where = f" in workspace {workspace}" if workspace else " in the run's workspace"
    near = f"; {image.near_miss}" if image.near_miss else ""
    return (
        f"add a Seqera Platform 'Container registry' credential{where} with Registry server "
        f"'{image.registry}' exactly, holding {hint}{near}"
    )


def _finding(
    image: ImageToCheck,
    answer: tuple[Presence, HandshakeFailure | None, str | None] | None,
    workspace: str,
) -> Finding:
    details: dict[str, object] = {
        "registry": image.registry,
        "image": image.image,
        "kind": image.kind.value,
        "exists": None,
        "needs_credential": None,
        "credential": image.credential,
        "processes": list(image.processes),
    }

    def made(status: Status, message: str, remedy: str = "") -> Finding:
        return Finding(
            check=CHECK,
            status=status,
            subject=image.image,
            message=message,
            remedy=remedy,
            details=details,
            location=image.source,
        )

    if image.needs_aws:
        return made(
            Status.SKIP,
            f"credential '{image.credential}' matches; Wave obtains the ECR password from AWS "
            "with its access keys, so the pull needs AWS to prove and was not tried",
        )
    if answer is None:
        return made(Status.ERROR, "no answer was recorded for this image", "retry")
    presence, failure, digest = answer
    said = f" ({failure.detail})" if failure is not None and failure.detail else ""
    anonymously = image.asks_anonymously
    if presence is Presence.EXISTS:
        details.update(exists=True, needs_credential=False if anonymously else None)
        if image.credential and anonymously and image.kind is not RegistryKind.PUBLIC:
            return made(
                Status.PASS,
                f"exists ({digest or 'no digest'}), asked anonymously; Wave will send "
                f"credential '{image.credential}', not tried: no password was given for "
                f"{image.registry}",
            )
        how = "anonymously" if anonymously else f"with credential '{image.credential}'"
        return made(Status.PASS, f"exists ({digest or 'no digest'}), asked {how}")
    if presence is Presence.MISSING:
        details.update(exists=False)
        return made(
            Status.FAIL,
            f"not found: {image.registry} has no {image.repository}:{image.reference}{said};"
            f" used by {_where(image)}",
            "fix the tag or repository in the pipeline, or push the image",
        )
    if presence is Presence.REFUSED and anonymously and image.credential is None:
        details.update(needs_credential=True)
        return made(
            Status.FAIL,
            f"Wave will pull this anonymously and be refused{said}: the image is private or "
            f"does not exist (the registry does not say which to an anonymous client); "
            f"used by {_where(image)}",
            _add_credential(image, workspace),
        )
    if presence is Presence.REFUSED and anonymously:
        details.update(needs_credential=True)
        return made(
            Status.WARN,
            f"refused to an anonymous client{said}; Wave will send credential "
            f"'{image.credential}', which was not tried: no password was given",
            f"give the credential's password (--password-env {image.registry}=VAR) to prove "
            "Wave's pull",
        )
    if presence is Presence.REFUSED:
        details.update(needs_credential=True)
        return made(
            Status.FAIL,
            f"credential '{image.credential}' (user {image.username}) was refused{said}; "
            f"used by {_where(image)}",
            "check the credential's password and its read access to the repository, or "
            "the image reference",
        )
    return made(Status.ERROR, _trouble(image, failure), _trouble_remedy(failure))


def _trouble(image: ImageToCheck, failure: HandshakeFailure | None) -> str:
    if failure is None:
        return "could not check"
    said = f" ({failure.detail})" if failure.detail else ""
    if failure.problem is Problem.FOREIGN_REALM:
        return (
            f"{image.registry} sends its login to a host outside the trust policy{said}; "
            "nothing was sent there"
        )
    status = f" answered {failure.status}" if failure.status else ""
    return f"could not check: {failure.step.value} step at {failure.endpoint}{status}{said}"


def _trouble_remedy(failure: HandshakeFailure | None) -> str:
    if failure is not None and failure.problem is Problem.FOREIGN_REALM:
        return (
            "if that host is the registry's own token service, trust it with "
            "--trust-realm HOST; else check DNS and proxies for interception"
        )
    return "check network access to the registry and retry"


def _rate_limit_findings(
    images: Sequence[ImageToCheck], results: Sequence[ExistenceResult]
) -> list[Finding]:
    """Docker Hub counts every anonymous pull: warn when this run needs more than are left."""
    limits: list[RateLimit] = [
        r.rate_limit
        for r in results
        if r.rate_limit is not None and r.anonymous and registry_is_hub(r.registry)
    ]
    if not limits:
        return []
    remaining = min(limit.remaining for limit in limits)
    window = next((limit.window for limit in limits if limit.window), None)
    pulls = len({i.image for i in images if registry_is_hub(i.registry) and i.asks_anonymously})
    if pulls <= remaining:
        return []
    hours = f" (window {window // 3600} h)" if window and window >= 3600 else ""
    return [
        Finding(
            check=CHECK,
            status=Status.WARN,
            subject="docker.io",
            message=f"Docker Hub allows {remaining} more anonymous pulls{hours}; this run pulls "
            f"{pulls} Docker Hub images anonymously",
            remedy="add a Seqera Platform 'Container registry' credential with Registry server "
            "'docker.io' (authenticated pulls have their own, higher limit)",
            details={"registry": "docker.io", "kind": "dockerhub", "remaining": remaining},
        )
    ]


def registry_is_hub(registry: str) -> bool:
    return registry_kind(registry) is RegistryKind.DOCKERHUB
