"""Who preflight is in Azure: an azure-identity credential built from settings and the env.

Core code never reads ``os.environ``; the CLI passes its environment in as a mapping. When that
mapping holds ``AZURE_CLIENT_SECRET`` (with ``AZURE_TENANT_ID`` and ``AZURE_CLIENT_ID``), a
``ClientSecretCredential`` is built from it — the service-principal form CI systems and the
sandbox use. Otherwise ``DefaultAzureCredential`` walks its usual chain (workload identity,
managed identity, Azure CLI …). Either way the authority comes from settings (sovereign clouds,
the sandbox), instance discovery is off for authorities Microsoft's discovery does not know,
and TLS trusts ``settings.ca_bundle`` when one is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from preflight.errors import InputError
from preflight.net.endpoint import checked_endpoint
from preflight.secret import Secret
from preflight.settings import Settings

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

# Authorities Microsoft's instance discovery knows; any other one (Azure Stack, the sandbox)
# must not be looked up at login.microsoftonline.com.
KNOWN_AUTHORITIES = frozenset(
    {"login.microsoftonline.com", "login.chinacloudapi.cn", "login.microsoftonline.us"}
)
# Seconds: an Entra ID endpoint that does not answer becomes an error, never a hang.
CONNECTION_TIMEOUT = 10
READ_TIMEOUT = 30
# Seconds azure-core may spend on one request, retries included: quick failures (a dropped
# connection, a 503) are still retried, but a request that waited a whole read timeout for a
# service that does not answer is reported instead of repeated three more times.
RETRY_BUDGET = READ_TIMEOUT


def client_secret_from(environ: Mapping[str, str]) -> Secret | None:
    """The service principal's secret from ``environ``, if one is given."""
    value = environ.get("AZURE_CLIENT_SECRET")
    return Secret(value) if value else None


def transport_options(settings: Settings) -> dict[str, Any]:
    """Timeouts and TLS trust shared by every Azure SDK client preflight builds."""
    verify: bool | str = str(settings.ca_bundle) if settings.ca_bundle else True
    return {
        "connection_verify": verify,
        "connection_timeout": CONNECTION_TIMEOUT,
        "read_timeout": READ_TIMEOUT,
        "timeout": RETRY_BUDGET,
    }


def authority_options(settings: Settings) -> dict[str, Any]:
    """The authority, and instance discovery switched off when Microsoft cannot know it."""
    authority = settings.azure_authority
    url = checked_endpoint(
        authority if "//" in authority else f"https://{authority}",
        "AZURE_AUTHORITY_HOST",
        example="https://login.microsoftonline.com",
        schemes=("https",),
    )
    host = urlsplit(url).hostname or ""
    options: dict[str, Any] = {"authority": authority}
    if host.lower() not in KNOWN_AUTHORITIES:
        options["disable_instance_discovery"] = True
    return options


def build_credential(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> TokenCredential:
    """The credential for ARM and the ACR data plane (see the module docstring for the rule)."""
    env = environ or {}
    secret = client_secret_from(env)
    options = {**authority_options(settings), **transport_options(settings)}
    if secret is not None:
        from azure.identity import ClientSecretCredential

        tenant, client = env.get("AZURE_TENANT_ID"), env.get("AZURE_CLIENT_ID")
        if not tenant or not client:
            raise InputError(
                "AZURE_CLIENT_SECRET is set but AZURE_TENANT_ID or AZURE_CLIENT_ID is not",
                remedy="set all three for a service principal, or unset AZURE_CLIENT_SECRET "
                "to use your Azure CLI login",
            )
        return ClientSecretCredential(tenant, client, secret.reveal(), **options)
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(**options)
