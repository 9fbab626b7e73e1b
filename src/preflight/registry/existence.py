"""Does each image exist, and may Wave's pull (anonymous or with the credential) see it?

For every repository of the run, :func:`probe_existence` logs in the way Wave will — anonymously
where no credential matches, with the credential's user name and password where one does — and
asks ``HEAD /v2/<repo>/manifests/<ref>`` with Wave's Accept list for each tag. ``HEAD`` is what
Wave asks first, and on Docker Hub it does not count towards the pull limit
(docs.docker.com/docker-hub/usage/pulls: "Using HEAD won't").

The answer per reference is a :class:`Presence`:

- ``exists``: ``200`` (with its digest);
- ``missing``: ``404`` (``MANIFEST_UNKNOWN``/``NAME_UNKNOWN`` — the repository is readable, the
  tag or the repository is not there);
- ``refused``: ``401``/``403``, a token service that refused the anonymous client (GHCR answers
  401 at ``/token`` for a private or missing repository) or a token without ``pull`` (Docker Hub
  and Quay hand anonymous clients a down-scoped token instead). Registries do not tell an
  outsider whether a private repository exists, so "missing" and "private" look the same here;
- ``error``: the network, the TLS check, the trust policy or the registry's own trouble.

Repositories run side by side: each registry at most ``per_registry`` at once (a shared bound
would let one slow registry hold every worker), every registry's ``/v2/`` asked once, and one
token per repository serves all of its tags. Docker Hub's ``ratelimit-remaining`` is kept.
"""

from __future__ import annotations

import enum
import re
import threading
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import httpx

from preflight.net.retry import RetryPolicy
from preflight.net.threads import map_in_threads
from preflight.net.trust import DEFAULT_TRUST, RealmTrust
from preflight.registry.answers import excerpt, status_problem
from preflight.registry.auth import DEFAULT_TIMEOUT, ChallengeCache, RegistryAuth
from preflight.registry.failures import HandshakeError, HandshakeFailure, Problem, Step
from preflight.registry.handshake import MANIFEST_ACCEPT
from preflight.registry.network import classify
from preflight.secret import Secret

DEFAULT_PER_REGISTRY = 8
# No more workers than the CLI's client has connections (wiring.build_http_client): a worker
# that waits for a free connection only adds a pool timeout to its round trips.
MAX_WORKERS = 32
_RATE = re.compile(r"^\s*(\d+)\s*(?:;\s*w\s*=\s*(\d+))?")


class Presence(str, enum.Enum):
    """What the registry said about one reference, to the client Wave will be."""

    EXISTS = "exists"
    MISSING = "missing"
    REFUSED = "refused"
    ERROR = "error"


@dataclass(frozen=True)
class RateLimit:
    """Docker Hub's ``ratelimit-limit``/``ratelimit-remaining`` (``N;w=SECONDS``)."""

    remaining: int
    limit: int | None = None
    window: int | None = None


@dataclass(frozen=True)
class ExistenceTarget:
    """One repository with its references; ``password=None`` asks anonymously."""

    registry: str
    repository: str
    references: tuple[str, ...]
    username: str = ""
    password: Secret | None = None
    insecure: bool = False


@dataclass(frozen=True)
class ReferenceCheck:
    """The registry's answer for one tag or digest of a repository."""

    reference: str
    presence: Presence
    digest: str | None = None
    failure: HandshakeFailure | None = None


@dataclass(frozen=True)
class ExistenceResult:
    """One repository's answers; ``failure`` when the login itself stopped every reference."""

    registry: str
    repository: str
    anonymous: bool
    checks: tuple[ReferenceCheck, ...]
    failure: HandshakeFailure | None = None
    rate_limit: RateLimit | None = None
    requests: int = 0


def parse_rate_limit(response: httpx.Response) -> RateLimit | None:
    """The rate limit a Docker Hub answer announces; ``None`` when it announces none."""
    remaining = _RATE.match(response.headers.get("ratelimit-remaining", ""))
    if remaining is None:
        return None
    limit = _RATE.match(response.headers.get("ratelimit-limit", ""))
    window = remaining.group(2) or (limit.group(2) if limit else None)
    return RateLimit(
        remaining=int(remaining.group(1)),
        limit=int(limit.group(1)) if limit else None,
        window=int(window) if window else None,
    )


def _presence_of(failure: HandshakeFailure, anonymous: bool) -> Presence:
    """How a failed login reads: a refusal of the client Wave will be, or trouble."""
    refusals = {Problem.SCOPE_MISSING, Problem.TOKEN_REJECTED, Problem.FORBIDDEN}
    if anonymous:
        refusals |= {Problem.CREDENTIALS_REFUSED}
    if failure.problem in refusals or (
        failure.step is Step.TOKEN and failure.status in (401, 403) and anonymous
    ):
        return Presence.REFUSED
    if not anonymous and failure.problem in {
        Problem.CREDENTIALS_REFUSED,
        Problem.WRONG_PASSWORD,
        Problem.UNKNOWN_TOKEN,
    }:
        return Presence.REFUSED
    return Presence.ERROR


class _Counter(httpx.Auth):
    """Counts the requests of one repository's probe (the flow's own and the manifests)."""

    requires_response_body = True

    def __init__(self, inner: RegistryAuth) -> None:
        self.inner = inner
        self.count = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        flow = self.inner.auth_flow(request)
        outgoing = next(flow)
        while True:
            self.count += 1
            response = yield outgoing
            try:
                outgoing = flow.send(response)
            except StopIteration:
                return


def probe_repository(
    client: httpx.Client,
    target: ExistenceTarget,
    *,
    challenges: ChallengeCache | None = None,
    trust: RealmTrust = DEFAULT_TRUST,
    retry: RetryPolicy | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> ExistenceResult:
    """Ask for every reference of one repository; never raises for an answer or the network."""
    references = tuple(dict.fromkeys(target.references)) or ("latest",)
    anonymous = target.password is None
    auth = RegistryAuth(
        registry=target.registry,
        repository=target.repository,
        username=target.username,
        password=target.password,
        insecure=target.insecure,
        challenges=challenges,
        retry=retry,
        timeout=timeout,
        trust=trust,
    )
    counter = _Counter(auth)
    checks: list[ReferenceCheck] = []
    rate: RateLimit | None = None

    def result(failure: HandshakeFailure | None = None) -> ExistenceResult:
        return ExistenceResult(
            registry=target.registry,
            repository=target.repository,
            anonymous=anonymous,
            checks=tuple(checks),
            failure=failure,
            rate_limit=rate,
            requests=counter.count,
        )

    try:
        for reference in references:
            url = auth.base.join(f"/v2/{target.repository}/manifests/{reference}")
            request = httpx.Request("HEAD", url, headers={"Accept": MANIFEST_ACCEPT})
            response = client.send(request, auth=counter, follow_redirects=False)
            response.close()
            rate = parse_rate_limit(response) or rate
            checks.append(_reading(auth, reference, response))
    except HandshakeError as exc:
        presence = _presence_of(exc.failure, anonymous)
        checks.extend(
            ReferenceCheck(r, presence, failure=exc.failure) for r in references[len(checks) :]
        )
        return result(exc.failure)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        failure = classify(exc, auth.step, auth.endpoint)
        auth.remember_failure(failure)
        checks.extend(
            ReferenceCheck(r, Presence.ERROR, failure=failure) for r in references[len(checks) :]
        )
        return result(failure)
    return result()


def _reading(auth: RegistryAuth, reference: str, response: httpx.Response) -> ReferenceCheck:
    status = response.status_code
    if status == 200:
        return ReferenceCheck(
            reference, Presence.EXISTS, response.headers.get("docker-content-digest")
        )
    if status == 404:
        presence, problem = Presence.MISSING, Problem.MANIFEST_NOT_FOUND
    elif status == 401:
        presence, problem = Presence.REFUSED, Problem.TOKEN_REJECTED
    elif status == 403:
        presence, problem = Presence.REFUSED, Problem.FORBIDDEN
    elif response.is_redirect:
        presence, problem = Presence.ERROR, Problem.REDIRECT_ELSEWHERE
    else:
        presence, problem = Presence.ERROR, status_problem(status)
    failure = HandshakeFailure(
        step=Step.MANIFEST,
        problem=problem,
        endpoint=str(response.request.url),
        status=status,
        detail=excerpt(response, auth.secrets()),
        credentials_sent=auth.credentials_sent,
    )
    return ReferenceCheck(reference, presence, failure=failure)


def probe_existence(
    client: httpx.Client,
    targets: Sequence[ExistenceTarget],
    *,
    per_registry: int = DEFAULT_PER_REGISTRY,
    trust: RealmTrust = DEFAULT_TRUST,
    retry: RetryPolicy | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[ExistenceResult, ...]:
    """Probe every target, at most ``per_registry`` at once per registry; results in order."""
    if not targets:
        return ()
    challenges = ChallengeCache()
    registries = {t.registry for t in targets}
    bounds = {r: threading.BoundedSemaphore(max(1, per_registry)) for r in registries}
    # Interleave registries, so that the pool's workers rarely wait on one registry's bound.
    seen: dict[str, int] = {}
    rank = []
    for target in targets:
        rank.append(seen.get(target.registry, 0))
        seen[target.registry] = rank[-1] + 1
    order = sorted(range(len(targets)), key=lambda i: rank[i])

    def one(index: int) -> tuple[int, ExistenceResult]:
        target = targets[index]
        with bounds[target.registry]:
            found = probe_repository(
                client, target, challenges=challenges, trust=trust, retry=retry, timeout=timeout
            )
        return index, found

    workers = max(1, min(MAX_WORKERS, len(targets), per_registry * len(registries)))
    done = dict(map_in_threads(one, order, max_workers=workers, name="exists"))
    return tuple(done[i] for i in range(len(targets)))
