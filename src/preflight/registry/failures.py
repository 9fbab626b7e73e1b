"""What can go wrong in the pull handshake: the step, the problem, and the facts to explain it.

A :class:`HandshakeFailure` is data, not prose: :mod:`preflight.registry.diagnosis` turns it into a
finding with a remedy. It never holds a secret — server text in ``detail`` is redacted of the
password and the token before it is stored.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from preflight.errors import RegistryError


class Step(str, enum.Enum):
    """The handshake's steps, in the order Wave performs them."""

    REFERENCE = "reference"  # the image reference itself, before any request
    CHALLENGE = "challenge"  # GET /v2/ → 401 + WWW-Authenticate
    TOKEN = "token"  # GET realm?service=&scope= with Basic credentials
    SCOPE = "scope"  # the token's access claim grants pull on the repository
    MANIFEST = "manifest"  # HEAD/GET /v2/REPO/manifests/REF with the Bearer token
    DIGEST = "digest"  # Docker-Content-Digest present, matches the body and any pinned digest


class Problem(str, enum.Enum):
    """Each distinct diagnosis; one remedy per member (see ``diagnosis``)."""

    DNS = "dns"
    CONNECTION_REFUSED = "connection-refused"
    TIMEOUT = "timeout"
    CONNECTION_FAILED = "connection-failed"
    TLS_UNTRUSTED = "tls-untrusted"
    TLS_WRONG_HOST = "tls-wrong-host"
    TLS_FAILED = "tls-failed"
    NO_CHALLENGE = "no-challenge"
    BAD_CHALLENGE = "bad-challenge"
    INSECURE_REALM = "insecure-realm"
    FOREIGN_REALM = "foreign-realm"
    REDIRECT_ELSEWHERE = "redirect-elsewhere"
    WRONG_PASSWORD = "wrong-password"
    UNKNOWN_TOKEN = "unknown-token"
    TOKEN_DISABLED = "token-disabled"
    PASSWORD_EXPIRED = "password-expired"
    CREDENTIALS_REFUSED = "credentials-refused"
    BAD_TOKEN_RESPONSE = "bad-token-response"
    SCOPE_MISSING = "scope-missing"
    TOKEN_REJECTED = "token-rejected"
    MANIFEST_NOT_FOUND = "manifest-not-found"
    REPOSITORY_NOT_FOUND = "repository-not-found"
    UPPERCASE_REPOSITORY = "uppercase-repository"
    FORBIDDEN = "forbidden"
    THROTTLED = "throttled"
    SERVER_ERROR = "server-error"
    UNEXPECTED_STATUS = "unexpected-status"
    DIGEST_MISSING = "digest-missing"
    DIGEST_MISMATCH = "digest-mismatch"
    PINNED_DIGEST_MISMATCH = "pinned-digest-mismatch"


@dataclass(frozen=True)
class HandshakeFailure:
    """One failed step: where (``endpoint`` without credentials), what, and the registry's words.

    ``status`` is the HTTP status when there was one; ``detail`` is a short, redacted excerpt of
    the server's answer or the transport error; ``credentials_sent`` says whether the password
    had been sent when the failure happened (never, for a refused realm or redirect).
    """

    step: Step
    problem: Problem
    endpoint: str
    status: int | None = None
    detail: str = ""
    credentials_sent: bool = False
    granted: tuple[str, ...] = ()
    expected: str = ""
    actual: str = ""


class HandshakeError(RegistryError):
    """Raised inside the handshake to stop it; carries the :class:`HandshakeFailure`."""

    def __init__(self, failure: HandshakeFailure) -> None:
        super().__init__(
            f"{failure.step.value} step failed: {failure.problem.value}",
            where=failure.endpoint,
        )
        self.failure = failure
