"""Turn a pull probe's outcome into findings: which step failed, what it means, what to do.

One finding per repository (with its tags) when the handshake stopped before the manifests, and
one per tag otherwise. Messages name the step and the registry's own words; remedies name the
Azure object to change. Nothing here ever sees a secret: failures hold none.
"""

from __future__ import annotations

from dataclasses import dataclass

from preflight.model import Finding, Status
from preflight.registry.failures import HandshakeFailure, Problem, Step
from preflight.registry.handshake import ManifestCheck, PullResult

CHECK = "pull"


@dataclass(frozen=True)
class Explanation:
    """A failure in words: the finding's status, what happened, and the next step."""

    status: Status
    message: str
    remedy: str


_STEP_WORDS = {
    Step.REFERENCE: "the image reference",
    Step.CHALLENGE: "the registry challenge (GET /v2/)",
    Step.TOKEN: "the token request (Basic credentials at the realm)",
    Step.SCOPE: "the token's granted actions",
    Step.MANIFEST: "the manifest request",
    Step.DIGEST: "the manifest digest",
}


def explain(
    failure: HandshakeFailure, *, registry: str, repository: str, username: str
) -> Explanation:
    """Status, message and remedy for one failure (``{registry}``, the token name … filled in)."""
    p = failure.problem
    host = registry.split(":")[0]
    said = f" ({failure.detail})" if failure.detail else ""
    status_text = f" answered {failure.status}" if failure.status else ""
    fail, error, warn = Status.FAIL, Status.ERROR, Status.WARN
    scope_add = (
        f"add 'repositories/{repository}/content/read' to the scope map of ACR token "
        f"'{username}' (az acr scope-map update --add-repository {repository} "
        "content/read), or use a token whose scope map covers it"
    )
    table: dict[Problem, tuple[Status, str, str]] = {
        Problem.DNS: (
            fail,
            f"{host} does not resolve (DNS){said}",
            "check the login server in the image reference (e.g. myreg.azurecr.io) "
            "and this machine's DNS; Wave must be able to resolve it too",
        ),
        Problem.CONNECTION_REFUSED: (
            fail,
            f"{failure.endpoint} refused the connection",
            "check the host and port, and that no firewall or proxy blocks HTTPS to the registry",
        ),
        Problem.TIMEOUT: (
            error,
            f"{failure.endpoint} did not answer in time",
            "check network reachability (firewall, proxy, private endpoint) and "
            "retry; hosted Wave reaches only public registry endpoints",
        ),
        Problem.CONNECTION_FAILED: (
            error,
            f"could not talk to {failure.endpoint}{said}",
            "check network reachability and retry",
        ),
        Problem.TLS_UNTRUSTED: (
            fail,
            f"the TLS certificate of {host} is not trusted{said}",
            "if a proxy intercepts TLS, name its CA with --ca-bundle "
            "(PREFLIGHT_CA_BUNDLE); hosted Wave trusts only public CAs, so "
            "the registry must present a publicly trusted certificate",
        ),
        Problem.TLS_WRONG_HOST: (
            fail,
            f"the TLS certificate presented for {host} is for another name{said}",
            "the name leads to a server that is not this registry: check "
            "DNS, proxies and private-endpoint DNS zones",
        ),
        Problem.TLS_FAILED: (
            fail,
            f"the TLS handshake with {host} failed{said}",
            "check that the registry speaks HTTPS on this port and that no proxy interferes",
        ),
        Problem.NO_CHALLENGE: (
            fail,
            f"GET /v2/ on {host}{status_text} instead of 401 with an "
            "authentication challenge, so Wave cannot log in there",
            f"check that {host} is the registry's login server; an Azure "
            "Container Registry always challenges with 401 Bearer",
        ),
        Problem.BAD_CHALLENGE: (
            fail,
            f"{host} sent no usable authentication challenge{said}",
            "check that the host is a container registry's login server",
        ),
        Problem.INSECURE_REALM: (
            fail,
            f"{host} asks for credentials over plain HTTP{said}; they were not sent",
            "use the registry's HTTPS endpoint, or name it with "
            "--insecure-registry only for a registry you control",
        ),
        Problem.FOREIGN_REALM: (
            fail,
            f"{host}'s challenge sends credentials to another host"
            f"{said}; the password was not sent",
            "the login server must issue tokens itself (ACR's realm is "
            f"https://{host}/oauth2/token): check DNS and proxies for "
            "interception",
        ),
        Problem.REDIRECT_ELSEWHERE: (
            fail,
            f"{host} redirected off its own host, to plain "
            f"HTTP or in a loop{said}; credentials were not forwarded",
            "check for a proxy or captive portal between you and the registry",
        ),
        Problem.WRONG_PASSWORD: (
            fail,
            f"{host}'s token service refused token '{username}': "
            f"wrong token name or password{said}",
            f"generate a new password for ACR token '{username}' "
            "(az acr token credential generate) and store it in the Seqera "
            "credential, or run 'preflight fix'",
        ),
        Problem.UNKNOWN_TOKEN: (
            fail,
            f"{host} knows no token named '{username}'{said}",
            "the Seqera credential's user name must be the ACR token's name; "
            "create the token or correct the credential (preflight fix)",
        ),
        Problem.TOKEN_DISABLED: (
            fail,
            f"ACR token '{username}' on {host} is disabled{said}",
            f"enable it: az acr token update -r {host.split('.')[0]} "
            f"-n {username} --status enabled",
        ),
        Problem.PASSWORD_EXPIRED: (
            fail,
            f"the password of ACR token '{username}' on {host} has expired{said}",
            "generate a new password without an expiry date and update "
            "the Seqera credential (preflight fix)",
        ),
        Problem.CREDENTIALS_REFUSED: (
            fail,
            f"{host}'s token service{status_text}: it refused "
            f"token '{username}'{said} — the password is wrong, the "
            "token disabled or its password expired (ACR does not say "
            "which)",
            "sign in to Azure (az login) so that the token check can "
            "tell which; or generate a new password and update the "
            "Seqera credential (preflight fix)",
        ),
        Problem.BAD_TOKEN_RESPONSE: (
            fail,
            f"{host}'s token service{status_text} but gave no usable token{said}",
            "check that the realm is the registry's own token service",
        ),
        Problem.SCOPE_MISSING: (
            fail,
            f"token '{username}' may not pull {repository} "
            f"(granted: {', '.join(failure.granted) or 'nothing'})",
            scope_add,
        ),
        Problem.TOKEN_REJECTED: (
            fail,
            f"{host} rejected the token its own token service issued{said}",
            "retry; if it persists, the registry's token configuration "
            "is broken — contact its administrator",
        ),
        Problem.MANIFEST_NOT_FOUND: (
            fail,
            f"{repository}: tag or manifest not found{said}",
            f"push the image to {host}/{repository}, or fix the tag in the pipeline",
        ),
        Problem.REPOSITORY_NOT_FOUND: (
            fail,
            f"repository {repository} does not exist on {host}{said}",
            "push the image, or fix the repository name in the pipeline",
        ),
        Problem.UPPERCASE_REPOSITORY: (
            fail,
            f"repository '{repository}' has upper-case "
            "letters; registries refuse such names (ACR answers 404 "
            "before any login)",
            "write the repository in lower case in the container directive",
        ),
        Problem.FORBIDDEN: (
            fail,
            f"{host}{status_text} (forbidden){said}",
            "the registry's firewall, private endpoint or disabled public "
            "access blocks this client: allow its address (and Wave's) under "
            "the registry's Networking settings; see https://aka.ms/acr/firewall",
        ),
        Problem.THROTTLED: (
            error,
            f"{host} is throttling requests (429) beyond the retry bound",
            "retry later, or lower the number of parallel checks",
        ),
        Problem.SERVER_ERROR: (
            error,
            f"{host}{status_text} (server error){said}",
            "retry later; check the Azure status page for the registry's region",
        ),
        Problem.UNEXPECTED_STATUS: (
            fail,
            f"{host}{status_text} unexpectedly{said}",
            "check the registry name and retry",
        ),
        Problem.DIGEST_MISSING: (
            warn,
            f"{repository}: the registry sent no "
            "Docker-Content-Digest; the digest was computed from the body",
            "none needed for Wave; the registry may not be fully distribution-compliant",
        ),
        Problem.DIGEST_MISMATCH: (
            fail,
            f"{repository}: the manifest body does not match its "
            f"Docker-Content-Digest ({failure.expected} vs "
            f"{failure.actual})",
            "a proxy may be altering responses; retry without it",
        ),
        Problem.PINNED_DIGEST_MISMATCH: (
            fail,
            f"{repository}: the tag now points at "
            f"{failure.actual}, not the pinned {failure.expected}",
            "update the pinned digest in the pipeline, or push the pinned image back under the tag",
        ),
    }
    status, message, remedy = table[p]
    return Explanation(status=status, message=message, remedy=remedy)


def findings_for(result: PullResult) -> list[Finding]:
    """The findings for one repository's probe (``check="pull"``)."""
    base = f"{result.registry}/{result.repository}"
    if result.failure is not None:
        tags = ", ".join(result.references)
        explanation = explain(
            result.failure,
            registry=result.registry,
            repository=result.repository,
            username=result.username,
        )
        return [
            Finding(
                check=CHECK,
                status=explanation.status,
                subject=f"{base} ({tags})",
                message=f"{_STEP_WORDS[result.failure.step]} failed: {explanation.message}",
                remedy=explanation.remedy,
                details=_details(result, result.failure),
            )
        ]
    return [_manifest_finding(result, base, check) for check in result.manifests]


def _manifest_finding(result: PullResult, base: str, check: ManifestCheck) -> Finding:
    separator = "@" if check.reference.startswith("sha") and ":" in check.reference else ":"
    subject = f"{base}{separator}{check.reference}"
    if check.failure is None:
        return Finding(
            check=CHECK,
            status=Status.PASS,
            subject=subject,
            message=f"Wave's pull will work: token '{result.username}' got pull and the manifest "
            f"answered ({check.digest})",
            details=_details(result, None, check),
        )
    explanation = explain(
        check.failure,
        registry=result.registry,
        repository=result.repository,
        username=result.username,
    )
    return Finding(
        check=CHECK,
        status=explanation.status,
        subject=subject,
        message=f"{_STEP_WORDS[check.failure.step]} failed: {explanation.message}",
        remedy=explanation.remedy,
        details=_details(result, check.failure, check),
    )


def _details(
    result: PullResult, failure: HandshakeFailure | None, check: ManifestCheck | None = None
) -> dict[str, object]:
    details: dict[str, object] = {
        "registry": result.registry,
        "repository": result.repository,
        "token": result.username,
    }
    if result.granted:
        details["granted"] = list(result.granted)
    if result.retries:
        details["retries"] = result.retries
    if check is not None:
        details["reference"] = check.reference
        if check.digest:
            details["digest"] = check.digest
        if check.media_type:
            details["media_type"] = check.media_type
    if failure is not None:
        details.update(
            step=failure.step.value,
            problem=failure.problem.value,
            endpoint=failure.endpoint,
            credentials_sent=failure.credentials_sent,
        )
        if failure.status is not None:
            details["http_status"] = failure.status
    return details
