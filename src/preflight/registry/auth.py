"""The registry login exactly as Wave performs it, as an ``httpx.Auth`` flow.

For the request it guards (a manifest ``HEAD``/``GET``), the flow:

1. ``GET {registry}/v2/`` without credentials and reads the ``401`` challenge (shared per
   registry through a :class:`ChallengeCache`: the answer does not depend on the repository);
2. for ``Bearer``: checks the realm is HTTPS on a host the realm trust policy
   (:mod:`preflight.net.trust`) allows — the registry's own (ACR's realm is always
   ``https://<login server>/oauth2/token``), a known pair such as Docker Hub's
   ``auth.docker.io``, or one the user trusts — then
   ``GET realm?scope=repository:<repo>:pull&service=…`` with Basic credentials (none for an
   anonymous pull), reading ``token`` or ``access_token``;
3. reads the token's ``access`` claim and stops unless ``pull`` was granted on the repository
   (ACR answers 200 with an empty grant rather than refusing);
4. sends the guarded request with ``Authorization: Bearer …``. The token is kept for the next
   request through the same auth object, so one token serves every tag of a repository.

For ``Basic`` challenges the credentials go to the registry itself, again only over HTTPS.
Without credentials (``password=None``) the flow is Wave's anonymous pull: the same steps, no
``Authorization`` on the token request, and a registry that answers ``/v2/`` with 200 needs no
login at all. Credentials never go to a host outside the trust policy, to plain HTTP (unless
the registry was named insecure), or across a redirect that leaves the host. Every failure
raises :class:`HandshakeError` naming the step; transport errors propagate and the caller reads
:attr:`RegistryAuth.step`.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Generator

import httpx

from preflight.net.retry import RetryPolicy
from preflight.net.trust import DEFAULT_TRUST, RealmTrust
from preflight.registry.answers import excerpt, refusal_problem, status_problem
from preflight.registry.challenge import Challenge, pick_challenge
from preflight.registry.failures import HandshakeError, HandshakeFailure, Problem, Step
from preflight.registry.families import api_host
from preflight.registry.jwt_claims import (
    MalformedToken,
    access_grants,
    decode_payload,
    granted_actions,
)
from preflight.secret import Secret

DEFAULT_TIMEOUT = 15.0
MAX_REDIRECTS = 3

Flow = Generator[httpx.Request, httpx.Response, None]


def registry_base(registry: str, *, insecure: bool = False) -> httpx.URL:
    """``https://REGISTRY`` (``http://`` only when the user named the registry insecure).

    Docker Hub's names (``docker.io``) are served at ``registry-1.docker.io``, as Wave does.
    """
    return httpx.URL(f"{'http' if insecure else 'https'}://{api_host(registry)}")


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    port = url.port or (443 if url.scheme == "https" else 80)
    return url.scheme, url.host.lower(), port


class ChallengeCache:
    """The ``/v2/`` answer of each registry, shared by every repository probe of one run.

    Thread-safe. The first probe of a registry claims it and asks; the others wait (bounded)
    for its answer instead of asking too. Failures are kept as well, so a registry that does
    not resolve is asked once, not once per repository. No lock is held while a request is in
    flight: a claim that is abandoned (the request raised) wakes the waiters, who then ask
    themselves.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._entries: dict[str, Challenge | HandshakeFailure] = {}
        self._in_flight: dict[str, threading.Event] = {}

    def get(self, base: httpx.URL) -> Challenge | HandshakeFailure | None:
        with self._guard:
            return self._entries.get(str(base))

    def claim(self, base: httpx.URL) -> threading.Event | None:
        """``None``: the caller asks, then calls :meth:`put` or :meth:`abandon`; else wait on it."""
        with self._guard:
            if str(base) in self._entries:
                done = threading.Event()
                done.set()
                return done
            waiting = self._in_flight.get(str(base))
            if waiting is None:
                self._in_flight[str(base)] = threading.Event()
            return waiting

    def put(self, base: httpx.URL, entry: Challenge | HandshakeFailure) -> None:
        with self._guard:
            self._entries[str(base)] = entry
            waiting = self._in_flight.pop(str(base), None)
        if waiting is not None:
            waiting.set()

    def abandon(self, base: httpx.URL) -> None:
        with self._guard:
            waiting = self._in_flight.pop(str(base), None)
        if waiting is not None:
            waiting.set()


# What an anonymous client got from a /v2/ that answered 200: there is nothing to log in to.
_OPEN = Challenge(scheme="none")


class RegistryAuth(httpx.Auth):
    """Pull credentials for one repository of one registry; reuse it for every tag.

    Not for concurrent use: one auth object per repository, driven by one thread at a time.
    ``step`` and ``endpoint`` say where the handshake is, so a transport error raised by httpx
    can be attributed to the right step; ``credentials_sent`` whether the password left us.
    """

    requires_response_body = True

    def __init__(
        self,
        *,
        registry: str,
        repository: str,
        username: str,
        password: Secret | None,
        insecure: bool = False,
        challenges: ChallengeCache | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        trust: RealmTrust = DEFAULT_TRUST,
    ) -> None:
        self.registry = registry
        self.repository = repository
        self.base = registry_base(registry, insecure=insecure)
        self._username = username
        self._password = password
        self._insecure = insecure
        self._trust = trust
        self._challenges = challenges if challenges is not None else ChallengeCache()
        self._retry = retry or RetryPolicy()
        self._timeout = httpx.Timeout(timeout).as_dict()
        # How long a probe waits for another probe's /v2/ answer before asking itself.
        self._wait_bound = self._retry.attempts * (2 * timeout + self._retry.max_delay)
        self._authorization: Secret | None = None
        self._authenticated = False
        self.step = Step.CHALLENGE
        self.endpoint = str(self.base.join("/v2/"))
        self.credentials_sent = False
        self.retries = 0
        self.granted: frozenset[str] = frozenset()

    # -- the flow ---------------------------------------------------------------------------

    @property
    def anonymous(self) -> bool:
        """Whether this is Wave's anonymous pull (no credential matched, or none given)."""
        return self._password is None

    def auth_flow(self, request: httpx.Request) -> Flow:
        if not self._authenticated:
            yield from self._authenticate()
            self._authenticated = True
        if self._authorization is not None:
            request.headers["Authorization"] = self._authorization.reveal()
        request.extensions.setdefault("timeout", self._timeout)
        self.step, self.endpoint = Step.MANIFEST, str(request.url)
        yield from self._send(request)

    def secrets(self) -> list[Secret]:
        """What must never be shown: the password and, once issued, the token."""
        return [s for s in (self._password, self._authorization) if s is not None]

    def _authenticate(self) -> Generator[httpx.Request, httpx.Response, None]:
        challenge = yield from self._challenge()
        if challenge is _OPEN:
            return  # /v2/ answered 200 to an anonymous client: no login (as Wave)
        if challenge.is_basic:
            if self.anonymous:
                return  # Wave sends no Authorization at all without credentials
            self._require_secure(self.base, Step.CHALLENGE)
            self._authorization = Secret(self._basic())
            self.credentials_sent = True
            return
        token = yield from self._token(challenge)
        self._check_scope(token)
        self._authorization = Secret(f"Bearer {token.reveal()}")

    def _challenge(self) -> Generator[httpx.Request, httpx.Response, Challenge]:
        entry = self._challenges.get(self.base)
        if entry is None:
            waiting = self._challenges.claim(self.base)
            if waiting is not None:
                waiting.wait(self._wait_bound)
                entry = self._challenges.get(self.base)
        if entry is None:
            try:
                entry = yield from self._discover()
            except HandshakeError as exc:
                entry = exc.failure
            except BaseException:  # a transport error, or httpx closing the flow
                self._challenges.abandon(self.base)
                raise
            self._challenges.put(self.base, entry)
        if isinstance(entry, HandshakeFailure):
            raise HandshakeError(entry)
        return entry

    def remember_failure(self, failure: HandshakeFailure) -> None:
        """Keep a transport failure of the challenge step for the registry's other probes."""
        if failure.step is Step.CHALLENGE:
            self._challenges.put(self.base, failure)

    def _discover(self) -> Generator[httpx.Request, httpx.Response, Challenge]:
        url = self.base.join("/v2/")
        self.step, self.endpoint = Step.CHALLENGE, str(url)
        response = yield from self._send(self._request(url))
        status = response.status_code
        if status == 401:
            challenge = pick_challenge(response.headers.get_list("www-authenticate"))
            if challenge is None or (challenge.is_bearer and not challenge.realm):
                raise self._fail(
                    Problem.BAD_CHALLENGE,
                    response,
                    detail=response.headers.get("www-authenticate", "(none)"),
                )
            return challenge
        if status == 200 and self.anonymous:
            return _OPEN
        if status < 400 or status == 404:
            raise self._fail(Problem.NO_CHALLENGE, response)
        raise self._fail(status_problem(status), response)

    def _token(self, challenge: Challenge) -> Generator[httpx.Request, httpx.Response, Secret]:
        try:
            realm = httpx.URL(challenge.realm or "")
        except httpx.InvalidURL:
            raise HandshakeError(
                self._failure(
                    Problem.BAD_CHALLENGE, detail=f"the realm {challenge.realm!r} is not a URL"
                )
            ) from None
        if not realm.host:
            raise HandshakeError(
                self._failure(
                    Problem.BAD_CHALLENGE, detail=f"the realm {challenge.realm!r} is not a URL"
                )
            )
        self.step, self.endpoint = Step.TOKEN, str(realm.copy_with(query=None))
        self._require_secure(realm, Step.TOKEN)
        _, realm_host, realm_port = _origin(realm)
        _, base_host, base_port = _origin(self.base)
        if self._trust.why_trusted(base_host, base_port, realm_host, realm_port) is None:
            raise HandshakeError(
                self._failure(
                    Problem.FOREIGN_REALM,
                    detail=f"realm host {realm.host}, registry {self.base.host}",
                )
            )
        params = {"scope": f"repository:{self.repository}:pull"}
        if challenge.service:
            params["service"] = challenge.service
        url = realm.copy_merge_params(params)
        for _hop in range(MAX_REDIRECTS + 1):
            headers = None
            if not self.anonymous:
                self.credentials_sent = True
                headers = {"Authorization": self._basic()}
            response = yield from self._send(self._request(url, headers=headers))
            if not response.has_redirect_location:
                break
            target = url.join(response.headers["location"])
            same_host = _origin(target)[1:] == _origin(url)[1:]
            secure = target.scheme == "https" or (self._insecure and target.scheme == url.scheme)
            if not (same_host and secure):
                raise self._fail(
                    Problem.REDIRECT_ELSEWHERE,
                    response,
                    detail=f"redirect to {target.scheme}://{target.host}",
                )
            url = target
        if response.status_code != 200:
            if response.is_redirect:
                raise self._fail(Problem.REDIRECT_ELSEWHERE, response, detail="too many redirects")
            raise self._fail(refusal_problem(response), response)
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise self._fail(
                Problem.BAD_TOKEN_RESPONSE,
                response,
                detail="the answer holds neither 'token' nor 'access_token'",
            )
        return Secret(token)

    def _check_scope(self, token: Secret) -> None:
        self.step = Step.SCOPE
        try:
            claims = decode_payload(token.reveal())
        except MalformedToken:
            return  # an opaque token: only the manifest request can tell
        self.granted = granted_actions(access_grants(claims), self.repository)
        if not self.granted & {"pull", "*"}:
            raise HandshakeError(
                self._failure(
                    Problem.SCOPE_MISSING,
                    granted=tuple(sorted(self.granted)),
                    detail="the token service issued a token without pull on the repository",
                )
            )

    # -- plumbing ---------------------------------------------------------------------------

    def _send(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, httpx.Response]:
        return (yield from self._retry.exchange(request, on_retry=self._count_retry))

    def _count_retry(self) -> None:
        self.retries += 1

    def _request(self, url: httpx.URL, headers: dict[str, str] | None = None) -> httpx.Request:
        return httpx.Request("GET", url, headers=headers, extensions={"timeout": self._timeout})

    def _basic(self) -> str:
        assert self._password is not None  # only called when credentials were given
        pair = f"{self._username}:{self._password.reveal()}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def _require_secure(self, url: httpx.URL, step: Step) -> None:
        if url.scheme == "https":
            return
        if url.scheme == "http" and self._insecure and url.host.lower() == self.base.host.lower():
            return
        self.step = step
        raise HandshakeError(
            self._failure(Problem.INSECURE_REALM, detail=f"{url.scheme}://{url.host} is not HTTPS")
        )

    def _failure(
        self,
        problem: Problem,
        *,
        status: int | None = None,
        detail: str = "",
        granted: tuple[str, ...] = (),
    ) -> HandshakeFailure:
        return HandshakeFailure(
            step=self.step,
            problem=problem,
            endpoint=self.endpoint,
            status=status,
            detail=detail,
            credentials_sent=self.credentials_sent,
            granted=granted,
        )

    def _fail(
        self, problem: Problem, response: httpx.Response, *, detail: str | None = None
    ) -> HandshakeError:
        text = detail if detail is not None else excerpt(response, self.secrets())
        return HandshakeError(self._failure(problem, status=response.status_code, detail=text))
