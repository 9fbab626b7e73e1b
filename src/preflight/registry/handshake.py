"""The pull probe: prove, per repository and tag, that Wave's pull with these credentials works.

``probe_pull`` runs the handshake of :mod:`preflight.registry.auth` for one repository, then asks
for each tag's manifest with the Accept list Wave sends — ``HEAD`` first, ``GET`` when the
``HEAD`` gives no digest (or a 404 whose body says whether the repository or the tag is missing)
— and checks ``Docker-Content-Digest`` against the body and against a pinned digest.

``probe_many`` does that for a whole run. Repositories are probed concurrently by a bounded pool
of threads sharing one ``httpx.Client``: the checks and the client the CLI builds are
synchronous, httpx's client is safe to share between threads (one connection pool, kept-alive
TLS sessions), a ``Retry-After`` wait simply blocks its own worker, and a few dozen threads are
cheap next to the round trips they overlap. The ``/v2/`` challenge is asked once per registry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import httpx

from preflight.net.retry import RetryPolicy
from preflight.net.threads import map_in_threads
from preflight.registry.answers import error_codes, excerpt, status_problem
from preflight.registry.auth import DEFAULT_TIMEOUT, ChallengeCache, RegistryAuth
from preflight.registry.challenge import pick_challenge
from preflight.registry.failures import HandshakeError, HandshakeFailure, Problem, Step
from preflight.registry.network import classify
from preflight.secret import Secret

# What Wave sends (WaveDefault.ACCEPT_HEADERS): OCI index and manifest, Docker list and v2.
MANIFEST_ACCEPT = ", ".join(
    (
        "application/json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    )
)
DEFAULT_WORKERS = 16


@dataclass(frozen=True)
class ManifestCheck:
    """The outcome for one tag (or digest reference) of a repository."""

    reference: str
    digest: str | None = None
    media_type: str | None = None
    failure: HandshakeFailure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None or self.failure.problem is Problem.DIGEST_MISSING


@dataclass(frozen=True)
class PullResult:
    """The outcome for one repository: a failure before any manifest, or one check per tag."""

    registry: str
    repository: str
    username: str
    references: tuple[str, ...]
    manifests: tuple[ManifestCheck, ...] = ()
    failure: HandshakeFailure | None = None
    granted: tuple[str, ...] = ()
    retries: int = 0

    @property
    def ok(self) -> bool:
        return self.failure is None and all(m.ok for m in self.manifests)


@dataclass(frozen=True)
class PullTarget:
    """One repository to probe, with its tags, the credentials and how to reach the registry."""

    registry: str
    repository: str
    references: tuple[str, ...]
    username: str
    password: Secret
    insecure: bool = False
    pinned: Mapping[str, str] = field(default_factory=dict)


def _is_digest(reference: str) -> bool:
    return ":" in reference and reference.split(":", 1)[0] in ("sha256", "sha384", "sha512")


def probe_pull(
    client: httpx.Client,
    registry: str,
    repository: str,
    tags: Sequence[str],
    *,
    username: str,
    password: Secret,
    insecure: bool = False,
    pinned: Mapping[str, str] | None = None,
    challenges: ChallengeCache | None = None,
    retry: RetryPolicy | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> PullResult:
    """Prove a pull of ``registry/repository:tag`` for each tag with these token credentials.

    ``tags`` may hold digests (``sha256:…``); ``pinned`` maps a tag to the digest the image
    reference pins it to. Never raises for a registry's answer or a network error: those are the
    result. The password and the token never appear in it.
    """
    references = tuple(dict.fromkeys(tags)) or ("latest",)
    result = PullResult(
        registry=registry, repository=repository, username=username, references=references
    )
    if repository != repository.lower():
        return _with(
            result,
            failure=HandshakeFailure(
                step=Step.REFERENCE,
                problem=Problem.UPPERCASE_REPOSITORY,
                endpoint=f"{registry}/{repository}",
                detail=repository,
            ),
        )
    auth = RegistryAuth(
        registry=registry,
        repository=repository,
        username=username,
        password=password,
        insecure=insecure,
        challenges=challenges,
        retry=retry,
        timeout=timeout,
    )
    checks: list[ManifestCheck] = []
    try:
        for reference in references:
            checks.append(_probe_manifest(client, auth, reference, (pinned or {}).get(reference)))
    except HandshakeError as exc:
        return _with(result, failure=exc.failure, auth=auth, manifests=checks)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:  # transport trouble, a bad Location …
        failure = classify(exc, auth.step, auth.endpoint)
        auth.remember_failure(failure)
        return _with(result, failure=failure, auth=auth, manifests=checks)
    return _with(result, auth=auth, manifests=checks)


def probe_many(
    client: httpx.Client,
    targets: Sequence[PullTarget],
    *,
    max_workers: int = DEFAULT_WORKERS,
    retry: RetryPolicy | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[PullResult, ...]:
    """Probe every target concurrently (at most ``max_workers`` at once); results in order."""
    if not targets:
        return ()
    challenges = ChallengeCache()

    def one(target: PullTarget) -> PullResult:
        return probe_pull(
            client,
            target.registry,
            target.repository,
            target.references,
            username=target.username,
            password=target.password,
            insecure=target.insecure,
            pinned=target.pinned,
            challenges=challenges,
            retry=retry,
            timeout=timeout,
        )

    workers = max(1, min(max_workers, len(targets)))
    return tuple(map_in_threads(one, targets, max_workers=workers, name="pull-probe"))


def _with(
    result: PullResult,
    *,
    failure: HandshakeFailure | None = None,
    auth: RegistryAuth | None = None,
    manifests: Sequence[ManifestCheck] = (),
) -> PullResult:
    return PullResult(
        registry=result.registry,
        repository=result.repository,
        username=result.username,
        references=result.references,
        manifests=tuple(manifests),
        failure=failure,
        granted=tuple(sorted(auth.granted)) if auth else (),
        retries=auth.retries if auth else 0,
    )


def _probe_manifest(
    client: httpx.Client, auth: RegistryAuth, reference: str, pinned: str | None
) -> ManifestCheck:
    url = auth.base.join(f"/v2/{auth.repository}/manifests/{reference}")
    head = _send(client, auth, "HEAD", url)
    if head.status_code == 200 and head.headers.get("docker-content-digest"):
        return _verified(auth, reference, pinned, str(url), head, body_digest=None)
    if head.status_code not in (200, 404):
        return _refused(auth, reference, head)
    response = _send(client, auth, "GET", url)
    if response.status_code == 404 and "NAME_UNKNOWN" not in error_codes(response):
        return _not_found(client, auth, reference, response)
    if response.status_code != 200:
        return _refused(auth, reference, response)
    algorithm = (response.headers.get("docker-content-digest") or "sha256:").split(":", 1)[0]
    hasher = hashlib.new(algorithm if algorithm in ("sha256", "sha384", "sha512") else "sha256")
    hasher.update(response.content)
    return _verified(
        auth,
        reference,
        pinned,
        str(url),
        response,
        body_digest=f"{hasher.name}:{hasher.hexdigest()}",
    )


def _not_found(
    client: httpx.Client, auth: RegistryAuth, reference: str, response: httpx.Response
) -> ManifestCheck:
    """Tell a missing tag from a missing repository by asking for the repository's tags.

    Registries answer ``MANIFEST_UNKNOWN`` for both; the tag list answers ``NAME_UNKNOWN`` when
    the repository is missing and names the tags that do exist otherwise. ACR may refuse the
    list to a pull-only token (it needs ``metadata_read``): then "tag or repository" stays open.
    """
    check = _refused(auth, reference, response)
    tags_url = auth.base.join(f"/v2/{auth.repository}/tags/list")
    listing = _send(client, auth, "GET", tags_url)
    if check.failure is None:
        return check
    if listing.status_code == 404 and "NAME_UNKNOWN" in error_codes(listing):
        return replace(check, failure=replace(check.failure, problem=Problem.REPOSITORY_NOT_FOUND))
    if listing.status_code == 200:
        try:
            tags = sorted(str(t) for t in listing.json().get("tags") or [])
        except (ValueError, AttributeError):
            tags = []
        shown = ", ".join(str(t) for t in tags[:10]) + (" …" if len(tags) > 10 else "")
        return replace(
            check,
            failure=replace(
                check.failure, detail=f"tag {reference} is not there; tags: {shown or 'none'}"
            ),
        )
    return check


def _send(client: httpx.Client, auth: RegistryAuth, method: str, url: httpx.URL) -> httpx.Response:
    request = httpx.Request(method, url, headers={"Accept": MANIFEST_ACCEPT})
    response = client.send(request, auth=auth, follow_redirects=False)
    response.close()
    return response


def _verified(
    auth: RegistryAuth,
    reference: str,
    pinned: str | None,
    endpoint: str,
    response: httpx.Response,
    *,
    body_digest: str | None,
) -> ManifestCheck:
    header = response.headers.get("docker-content-digest")
    media_type = (response.headers.get("content-type") or "").split(";")[0] or None

    def failed(problem: Problem, expected: str, actual: str) -> ManifestCheck:
        return ManifestCheck(
            reference,
            actual or None,
            media_type,
            HandshakeFailure(
                step=Step.DIGEST,
                problem=problem,
                endpoint=endpoint,
                status=response.status_code,
                credentials_sent=True,
                expected=expected,
                actual=actual,
            ),
        )

    if header and body_digest and header != body_digest:
        return failed(Problem.DIGEST_MISMATCH, header, body_digest)
    digest = header or body_digest or ""
    expected = pinned or (reference if _is_digest(reference) else None)
    if expected and expected != digest:
        return failed(Problem.PINNED_DIGEST_MISMATCH, expected, digest)
    if not header:
        return failed(Problem.DIGEST_MISSING, "", digest)
    return ManifestCheck(reference, digest, media_type)


def _refused(auth: RegistryAuth, reference: str, response: httpx.Response) -> ManifestCheck:
    status = response.status_code
    codes = error_codes(response)
    if status == 404:
        problem = (
            Problem.REPOSITORY_NOT_FOUND if "NAME_UNKNOWN" in codes else Problem.MANIFEST_NOT_FOUND
        )
    elif status == 401:
        challenge = pick_challenge(response.headers.get_list("www-authenticate"))
        scope_short = challenge is not None and challenge.error == "insufficient_scope"
        problem = Problem.SCOPE_MISSING if scope_short else Problem.TOKEN_REJECTED
    elif response.is_redirect:
        problem = Problem.REDIRECT_ELSEWHERE
    else:
        problem = status_problem(status)
    return ManifestCheck(
        reference,
        failure=HandshakeFailure(
            step=Step.MANIFEST,
            problem=problem,
            endpoint=str(response.request.url),
            status=status,
            detail=excerpt(response, auth.secrets()),
            credentials_sent=auth.credentials_sent,
            granted=tuple(sorted(auth.granted)),
        ),
    )
