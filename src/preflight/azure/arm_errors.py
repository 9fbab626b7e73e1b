"""What a failed ARM call means for the user: the message, the place and the next step.

Every SDK exception becomes an :class:`~preflight.errors.AzureError` naming the step; text from
the SDK or the server passes through :func:`~preflight.secret.redact` first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from preflight.errors import EXIT_INPUT, EXIT_UNREACHABLE, AzureError
from preflight.secret import Secret, redact

log = logging.getLogger("preflight.azure.arm")

PERMISSION_REMEDY = (
    "your Azure identity needs a role on the registry that may manage tokens and scope maps "
    "(e.g. Contributor, or a custom role with Microsoft.ContainerRegistry/registries/"
    "tokens/* and scopeMaps/*)"
)
# ARM's error codes for a subscription id it does not know (or the identity cannot see).
SUBSCRIPTION_CODES = frozenset({"SubscriptionNotFound", "InvalidSubscriptionId"})


def malformed(step: str, exc: Exception, endpoint: str, secrets: Iterable[Secret]) -> AzureError:
    """An :class:`AzureError` for an answer that is not ARM's JSON of the expected shape."""
    detail = redact(first_line(str(exc)), secrets)
    return AzureError(
        f"could not {step}: the answer is not Azure Resource Manager's JSON "
        f"({type(exc).__name__}: {detail})",
        where=endpoint,
        remedy="check that PREFLIGHT_ARM_ENDPOINT names Azure Resource Manager (default "
        "https://management.azure.com); if it does, run the command again",
    )


def translate(step: str, exc: Exception, endpoint: str, secrets: Iterable[Secret]) -> AzureError:
    """An :class:`AzureError` for ``exc``: status, ARM's error code, redacted text."""
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ServiceRequestError,
        ServiceResponseError,
        ServiceResponseTimeoutError,
    )

    status = getattr(exc, "status_code", None)
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None) or ""
    detail = getattr(error, "message", None) or first_line(str(exc))
    detail = redact(detail, secrets)
    where = endpoint
    log.debug("ARM step %r failed: %s %s", step, status, code)
    if isinstance(exc, ClientAuthenticationError) and _transport_cause(exc) is not None:
        # azure-identity wraps a sign-in that never got an answer as an authentication
        # error: say that Entra ID was not reached, not that it refused.
        return AzureError(
            f"could not {step}: the sign-in at Entra ID got no answer ({detail})",
            where=where,
            remedy="check the network and AZURE_AUTHORITY_HOST, then run the command again",
            exit_code=EXIT_UNREACHABLE,
        )
    if isinstance(exc, ClientAuthenticationError) and status in (None, 401):
        return AzureError(
            f"could not {step}: Azure refused the sign-in ({detail})",
            where=where,
            remedy="sign in with `az login`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and "
            "AZURE_CLIENT_SECRET for a service principal",
            exit_code=EXIT_INPUT,
        )
    if isinstance(exc, ServiceRequestError):
        return AzureError(
            f"could not {step}: Azure Resource Manager is unreachable ({detail})",
            where=where,
            remedy="check the network and PREFLIGHT_ARM_ENDPOINT; for a private CA set "
            "PREFLIGHT_CA_BUNDLE",
            exit_code=EXIT_UNREACHABLE,
        )
    if isinstance(exc, ServiceResponseTimeoutError):
        return AzureError(
            f"could not {step}: Azure Resource Manager did not answer in time ({detail})",
            where=where,
            remedy="run the command again; if it persists, check the network and "
            "PREFLIGHT_ARM_ENDPOINT",
            exit_code=EXIT_UNREACHABLE,
        )
    if isinstance(exc, ServiceResponseError):
        return AzureError(
            f"could not {step}: the connection broke before Azure answered ({detail})",
            where=where,
            remedy="run the command again; if it persists, check the network",
            exit_code=EXIT_UNREACHABLE,
        )
    if isinstance(exc, HttpResponseError) and status == 403:
        return AzureError(
            f"could not {step}: not authorised ({code or 403}: {detail})",
            where=where,
            remedy=PERMISSION_REMEDY,
        )
    if isinstance(exc, HttpResponseError) and code in SUBSCRIPTION_CODES:
        return AzureError(
            f"could not {step}: {code}: {detail}",
            where=where,
            remedy="check AZURE_SUBSCRIPTION_ID: `az account list --query '[].id' -o tsv` "
            "lists the subscriptions your identity can see",
            exit_code=EXIT_INPUT,
        )
    if isinstance(exc, HttpResponseError) and status == 429:
        return AzureError(
            f"could not {step}: Azure is throttling requests ({detail})",
            where=where,
            remedy="wait a minute and run the command again",
            exit_code=EXIT_UNREACHABLE,
        )
    label = f"HTTP {status}" if status else type(exc).__name__
    return AzureError(
        f"could not {step}: {label}{f' {code}' if code else ''}: {detail}",
        where=where,
        remedy="run the command again; if it persists, check the registry in the Azure portal",
        exit_code=EXIT_UNREACHABLE if status is not None and status >= 500 else None,
    )


def _transport_cause(exc: BaseException) -> BaseException | None:
    """The transport failure (no answer, broken connection) behind ``exc``, if any."""
    from azure.core.exceptions import ServiceRequestError, ServiceResponseError

    cause = exc.__cause__
    while cause is not None:
        if isinstance(cause, (ServiceRequestError, ServiceResponseError)):
            return cause
        cause = cause.__cause__
    return None


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no detail"
