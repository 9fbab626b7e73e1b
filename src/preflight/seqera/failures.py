"""What a failed Platform call means for the user: the message, the place and the next step.

Every text quoted from the server or from an exception passes through
:func:`~preflight.secret.redact` with the access token and any password of the request, so a
server that echoes them cannot leak them into a report.
"""

from __future__ import annotations

from collections.abc import Iterable

import httpx

from preflight.errors import EXIT_INPUT, EXIT_UNREACHABLE, PlatformError
from preflight.net.retry import RETRY_STATUSES
from preflight.secret import Secret, redact


def web_url(endpoint: str) -> str:
    """The Platform's web address for an API endpoint, derived as tw does.

    ``https://api.cloud.seqera.io`` → ``https://cloud.seqera.io``;
    ``https://platform.example.com/api`` → ``https://platform.example.com``.
    """
    return endpoint.rstrip("/").replace("api.", "", 1).replace("/api", "", 1)


def server_message(response: httpx.Response, secrets: Iterable[Secret]) -> str:
    """The server's ``{"message": …}``, or a short excerpt of its body, redacted."""
    text = ""
    try:
        payload = response.json()
        if isinstance(payload, dict) and isinstance(payload.get("message"), str):
            text = payload["message"]
    except ValueError:
        text = response.text[:200].strip()
    return redact(text, secrets)


def status_error(
    response: httpx.Response,
    endpoint: str,
    where: str,
    operation: str,
    secrets: Iterable[Secret],
) -> PlatformError:
    """The error for an answer outside the operation's expected statuses."""
    status = response.status_code
    message = server_message(response, secrets)
    said = f": {message}" if message else ""
    if status == 401:
        return PlatformError(
            f"Seqera Platform refused the access token (401) when trying to {operation}; "
            "it is invalid, expired or revoked",
            remedy=f"create a new access token at {web_url(endpoint)}/tokens and "
            "set TOWER_ACCESS_TOKEN to it",
            where=where,
            exit_code=EXIT_INPUT,
        )
    if status == 403:
        return PlatformError(
            f"Seqera Platform does not allow you to {operation} (403){said}; "
            "your role in this workspace is too low, or you are not a member of it",
            remedy="ask a workspace owner or admin for a role that allows it, or choose a "
            "workspace you have it in (-w / TOWER_WORKSPACE_ID)",
            where=where,
        )
    if status == 404:
        return PlatformError(
            f"Seqera Platform answered 404 when trying to {operation}{said}",
            remedy="check TOWER_API_ENDPOINT: the cloud API is https://api.cloud.seqera.io, "
            "an Enterprise API is https://HOST/api",
            where=where,
        )
    if status in RETRY_STATUSES:
        return PlatformError(
            f"Seqera Platform failed ({status}) when trying to {operation}{said}",
            remedy="the service is busy or down; try again in a few minutes",
            where=where,
            exit_code=EXIT_UNREACHABLE,
        )
    return PlatformError(
        f"Seqera Platform answered {status} when trying to {operation}{said}",
        remedy="check the request's inputs (workspace, names) and try again",
        where=where,
    )


def network_error(
    exc: Exception, endpoint: str, where: str, operation: str, secrets: Iterable[Secret]
) -> PlatformError:
    """The error for a call that got no answer: timed out, refused, dropped."""
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "could not be reached"
    detail = redact(str(exc) or type(exc).__name__, secrets)
    return PlatformError(
        f"Seqera Platform {kind} when trying to {operation}: {detail}",
        remedy=f"check the network and TOWER_API_ENDPOINT (currently {endpoint}), then try again",
        where=where,
        exit_code=EXIT_UNREACHABLE,
    )


def tls_error(
    exc: Exception, endpoint: str, where: str, secrets: Iterable[Secret]
) -> PlatformError:
    """The error for a certificate the client does not trust."""
    detail = redact(str(exc), secrets)
    return PlatformError(
        f"the TLS certificate of {endpoint} is not trusted: {detail}",
        remedy="point PREFLIGHT_CA_BUNDLE at the PEM file of the CA that signed it",
        where=where,
        exit_code=EXIT_UNREACHABLE,
    )
