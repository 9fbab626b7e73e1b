"""Azure Resource Manager for ACR: find a registry, read and write its scope maps and tokens.

:class:`ArmGateway` is the one place azure-mgmt-containerregistry is used. It speaks in the
frozen models of :mod:`preflight.azure.models`, turns every SDK exception into an
:class:`~preflight.errors.AzureError` naming the step and the next thing to try, and hands a
generated password back only inside a :class:`~preflight.secret.Secret`. SDK text is redacted
before it reaches a message, and request bodies are never logged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from preflight.azure.identity import build_credential, client_secret_from, transport_options
from preflight.azure.models import PasswordInfo, RegistryInfo, ScopeMapInfo, TokenInfo
from preflight.errors import EXIT_INPUT, EXIT_UNREACHABLE, AzureError, InputError
from preflight.net.endpoint import checked_endpoint
from preflight.secret import Secret, redact
from preflight.settings import Settings

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from azure.mgmt.containerregistry import ContainerRegistryManagementClient

log = logging.getLogger(__name__)
T = TypeVar("T")

# ARM hosts whose token audience is not simply the endpoint itself.
AUDIENCES = {
    "management.azure.com": "https://management.azure.com",
    "management.chinacloudapi.cn": "https://management.chinacloudapi.cn",
    "management.usgovcloudapi.net": "https://management.core.usgovcloudapi.net",
}
# Retries for 408/429/5xx (the SDK honours Retry-After); bounded so a broken ARM fails fast.
DEFAULT_RETRIES = 3
# Seconds between polls of a long-running operation when ARM gives no Retry-After.
POLLING_INTERVAL = 2.0
PERMISSION_REMEDY = (
    "your Azure identity needs a role on the registry that may manage tokens and scope maps "
    "(e.g. Contributor, or a custom role with Microsoft.ContainerRegistry/registries/"
    "tokens/* and scopeMaps/*)"
)


# ARM's error codes for a subscription id it does not know (or the identity cannot see).
SUBSCRIPTION_CODES = frozenset({"SubscriptionNotFound", "InvalidSubscriptionId"})
SUBSCRIPTION_ID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


def credential_scope(arm_endpoint: str) -> str:
    """The OAuth scope for tokens to ``arm_endpoint`` (``<audience>/.default``)."""
    host = (urlsplit(arm_endpoint).hostname or "").lower()
    audience = AUDIENCES.get(host, arm_endpoint.rstrip("/"))
    return f"{audience}/.default"


def parse_resource_group(resource_id: str) -> str:
    """The resource group named in an ARM resource id ('' when it names none)."""
    parts = resource_id.strip("/").split("/")
    for index, part in enumerate(parts[:-1]):
        if part.lower() == "resourcegroups":
            return parts[index + 1]
    return ""


def build_arm_gateway(
    settings: Settings,
    environ: Mapping[str, str] | None = None,
    *,
    credential: TokenCredential | None = None,
    retries: int = DEFAULT_RETRIES,
) -> ArmGateway:
    """An :class:`ArmGateway` for the subscription in ``settings``.

    ``environ`` is the environment the CLI hands in (see :mod:`preflight.azure.identity`);
    ``credential`` replaces the one built from it.
    """
    if not settings.azure_subscription_id:
        raise InputError(
            "no Azure subscription is configured",
            remedy="set AZURE_SUBSCRIPTION_ID to the subscription that holds the registries",
        )
    if not SUBSCRIPTION_ID.match(settings.azure_subscription_id):
        raise InputError(
            f"{settings.azure_subscription_id!r} is not a subscription id (a GUID such as "
            "00000000-0000-0000-0000-000000000000)",
            where="AZURE_SUBSCRIPTION_ID",
            remedy="set it to the id that `az account show --query id -o tsv` prints for the "
            "subscription holding the registries",
        )
    # The SDK refuses bearer tokens over plain HTTP: only https:// is usable.
    checked_endpoint(
        settings.arm_endpoint,
        "PREFLIGHT_ARM_ENDPOINT",
        example="https://management.azure.com",
        schemes=("https",),
    )
    from azure.mgmt.containerregistry import ContainerRegistryManagementClient

    owned = None if credential is not None else build_credential(settings, environ)
    chosen = credential if credential is not None else owned
    assert chosen is not None
    client = ContainerRegistryManagementClient(
        chosen,
        settings.azure_subscription_id,
        base_url=settings.arm_endpoint,
        credential_scopes=[credential_scope(settings.arm_endpoint)],
        retry_total=retries,
        polling_interval=POLLING_INTERVAL,
        **transport_options(settings),
    )
    secret = client_secret_from(environ or {})
    return ArmGateway(
        client,
        subscription_id=settings.azure_subscription_id,
        endpoint=settings.arm_endpoint,
        secrets=[secret] if secret else [],
        owned_credential=owned,
    )


class ArmGateway:
    """Registries, scope maps, tokens and passwords of one subscription, through ARM."""

    def __init__(
        self,
        client: ContainerRegistryManagementClient,
        *,
        subscription_id: str,
        endpoint: str,
        secrets: Iterable[Secret] = (),
        owned_credential: Any = None,
    ) -> None:
        self._client = client
        self._owned_credential = owned_credential
        self.subscription_id = subscription_id
        self.endpoint = endpoint
        self._secrets = list(secrets)
        self._registries: dict[str, RegistryInfo] | None = None

    # --- reading -----------------------------------------------------------------------------

    def list_registries(self) -> list[RegistryInfo]:
        """Every registry the identity may see in the subscription (cached for this gateway)."""
        if self._registries is None:
            found = self._call(
                "list registries",
                lambda: [_registry_info(r) for r in self._client.registries.list()],
            )
            self._registries = {r.login_server.lower(): r for r in found}
        return list(self._registries.values())

    def find_registry(self, login_server: str) -> RegistryInfo:
        """The registry serving ``login_server`` (case-insensitive), or :class:`AzureError`."""
        self.list_registries()
        assert self._registries is not None
        registry = self._registries.get(login_server.lower())
        if registry is None:
            raise AzureError(
                f"no registry with login server {login_server} is visible in subscription "
                f"{self.subscription_id}",
                where=self.endpoint,
                remedy="check AZURE_SUBSCRIPTION_ID, and that your Azure identity has at least "
                "Reader on the registry (ARM lists only what you may read)",
            )
        return registry

    def get_token(self, registry: RegistryInfo, name: str) -> TokenInfo | None:
        """The token ``name`` of ``registry``, or ``None`` when it does not exist."""
        return self._get(
            f"read token {name} of {registry.login_server}",
            lambda: _token_info(
                self._client.tokens.get(registry.resource_group, registry.name, name)
            ),
        )

    def list_tokens(self, registry: RegistryInfo) -> list[TokenInfo]:
        """Every token of ``registry``."""
        return self._call(
            f"list tokens of {registry.login_server}",
            lambda: [
                _token_info(t)
                for t in self._client.tokens.list(registry.resource_group, registry.name)
            ],
        )

    def get_scope_map(self, registry: RegistryInfo, name: str) -> ScopeMapInfo | None:
        """The scope map ``name`` of ``registry``, or ``None`` when it does not exist."""
        return self._get(
            f"read scope map {name} of {registry.login_server}",
            lambda: _scope_map_info(
                self._client.scope_maps.get(registry.resource_group, registry.name, name)
            ),
        )

    def list_scope_maps(self, registry: RegistryInfo) -> list[ScopeMapInfo]:
        """Every scope map of ``registry``, the system-defined ones included."""
        return self._call(
            f"list scope maps of {registry.login_server}",
            lambda: [
                _scope_map_info(s)
                for s in self._client.scope_maps.list(registry.resource_group, registry.name)
            ],
        )

    # --- writing -----------------------------------------------------------------------------

    def create_scope_map(
        self, registry: RegistryInfo, name: str, actions: Iterable[str], description: str = ""
    ) -> ScopeMapInfo:
        """Create (or replace) scope map ``name`` with exactly ``actions``; waits until done."""
        from azure.mgmt.containerregistry.models import ScopeMap, ScopeMapProperties

        body = ScopeMap(
            properties=ScopeMapProperties(actions=list(actions), description=description or None)
        )
        return self._call(
            f"create scope map {name} in {registry.login_server}",
            lambda: _scope_map_info(
                self._client.scope_maps.begin_create(
                    registry.resource_group, registry.name, name, body
                ).result()
            ),
        )

    def update_scope_map(
        self, registry: RegistryInfo, name: str, actions: Iterable[str]
    ) -> ScopeMapInfo:
        """Set scope map ``name``'s actions to exactly ``actions``; waits until done."""
        from azure.mgmt.containerregistry.models import (
            ScopeMapPropertiesUpdateParameters,
            ScopeMapUpdateParameters,
        )

        body = ScopeMapUpdateParameters(
            properties=ScopeMapPropertiesUpdateParameters(actions=list(actions))
        )
        return self._call(
            f"update scope map {name} in {registry.login_server}",
            lambda: _scope_map_info(
                self._client.scope_maps.begin_update(
                    registry.resource_group, registry.name, name, body
                ).result()
            ),
        )

    def create_token(
        self, registry: RegistryInfo, name: str, scope_map_id: str, *, enabled: bool = True
    ) -> TokenInfo:
        """Create token ``name`` bound to ``scope_map_id``; it has no password until generated."""
        from azure.mgmt.containerregistry.models import Token, TokenProperties

        status = "enabled" if enabled else "disabled"
        body = Token(properties=TokenProperties(scope_map_id=scope_map_id, status=status))
        return self._call(
            f"create token {name} in {registry.login_server}",
            lambda: _token_info(
                self._client.tokens.begin_create(
                    registry.resource_group, registry.name, name, body
                ).result()
            ),
        )

    def set_token_enabled(self, registry: RegistryInfo, name: str, enabled: bool) -> TokenInfo:
        """Enable or disable token ``name``."""
        from azure.mgmt.containerregistry.models import TokenUpdateParameters, TokenUpdateProperties

        status = "enabled" if enabled else "disabled"
        body = TokenUpdateParameters(properties=TokenUpdateProperties(status=status))
        return self._call(
            f"{'enable' if enabled else 'disable'} token {name} in {registry.login_server}",
            lambda: _token_info(
                self._client.tokens.begin_update(
                    registry.resource_group, registry.name, name, body
                ).result()
            ),
        )

    def generate_password(
        self,
        registry: RegistryInfo,
        token: TokenInfo,
        *,
        slot: str = "password1",
        expiry: datetime | None = None,
    ) -> Secret:
        """Generate (or regenerate) the token's password in ``slot``; the value, as a Secret.

        Regenerating replaces the slot's old value at once: whoever held it is locked out.
        """
        from azure.mgmt.containerregistry.models import GenerateCredentialsParameters

        body = GenerateCredentialsParameters(token_id=token.id, name=slot, expiry=expiry)

        def generate() -> Secret:
            result = self._client.registries.begin_generate_credentials(
                registry.resource_group, registry.name, body
            ).result()
            fresh = [p.value for p in (result.passwords or []) if _text(p.name) == slot]
            value = next((v for v in fresh if v), None)
            if value is None:
                raise AzureError(
                    f"Azure generated no {slot} for token {token.name}",
                    where=self.endpoint,
                    remedy="run `preflight fix` again; if it persists, generate the password "
                    "in the Azure portal",
                )
            secret = Secret(value)
            self._secrets.append(secret)
            return secret

        return self._call(f"generate {slot} for token {token.name}", generate)

    def delete_token(self, registry: RegistryInfo, name: str) -> None:
        """Delete token ``name`` (no error when it is already gone)."""
        self._call(
            f"delete token {name} in {registry.login_server}",
            lambda: self._client.tokens.begin_delete(
                registry.resource_group, registry.name, name
            ).result(),
        )

    def delete_scope_map(self, registry: RegistryInfo, name: str) -> None:
        """Delete scope map ``name`` (no error when it is already gone)."""
        self._call(
            f"delete scope map {name} in {registry.login_server}",
            lambda: self._client.scope_maps.begin_delete(
                registry.resource_group, registry.name, name
            ).result(),
        )

    def close(self) -> None:
        """Close the SDK client, and the credential when this gateway built it."""
        self._client.close()
        close = getattr(self._owned_credential, "close", None)
        if callable(close):
            close()

    # --- error translation -------------------------------------------------------------------

    def _get(self, step: str, read: Callable[[], T]) -> T | None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            return self._call(step, read, passthrough=(ResourceNotFoundError,))
        except ResourceNotFoundError:
            return None

    def _call(
        self, step: str, action: Callable[[], T], passthrough: tuple[type[Exception], ...] = ()
    ) -> T:
        from azure.core.exceptions import AzureError as SdkError

        try:
            return action()
        except passthrough:
            raise
        except SdkError as exc:
            raise self._translate(step, exc) from None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # The SDK parses bodies lazily (paging, polling) and models accept any shape: a body
            # that is not JSON, or lacks what preflight reads, surfaces here as a plain error.
            log.debug("ARM step %r: unexpected answer", step, exc_info=True)
            raise self._malformed(step, exc) from None

    def _malformed(self, step: str, exc: Exception) -> AzureError:
        """An :class:`AzureError` for an answer that is not ARM's JSON of the expected shape."""
        detail = redact(_first_line(str(exc)), self._secrets)
        return AzureError(
            f"could not {step}: the answer is not Azure Resource Manager's JSON "
            f"({type(exc).__name__}: {detail})",
            where=self.endpoint,
            remedy="check that PREFLIGHT_ARM_ENDPOINT names Azure Resource Manager (default "
            "https://management.azure.com); if it does, run the command again",
        )

    def _translate(self, step: str, exc: Exception) -> AzureError:
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
        detail = getattr(error, "message", None) or _first_line(str(exc))
        detail = redact(detail, self._secrets)
        where = self.endpoint
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


def _text(value: Any) -> str:
    """An SDK string-enum (``SkuName.STANDARD``) or plain string as its wire value."""
    return str(getattr(value, "value", value) or "")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no detail"


def _name_from_id(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def _registry_info(registry: Any) -> RegistryInfo:
    sku = _text(getattr(getattr(registry, "sku", None), "name", None))
    resource_group = parse_resource_group(str(registry.id or ""))
    if not resource_group or not registry.name:
        # Every later step is addressed by resource group and name: never guess them.
        raise ValueError(f"a registry without a resource id and name: {registry.id!r}")
    return RegistryInfo(
        id=registry.id,
        name=registry.name,
        resource_group=resource_group,
        login_server=(registry.login_server or "").lower(),
        sku=sku,
    )


def _token_info(token: Any) -> TokenInfo:
    credentials = getattr(token, "credentials", None)
    passwords = tuple(
        PasswordInfo(name=_text(p.name), created=p.creation_time, expiry=p.expiry)
        for p in (getattr(credentials, "passwords", None) or [])
    )
    scope_map_id = token.scope_map_id or ""
    return TokenInfo(
        id=token.id,
        name=token.name,
        scope_map_id=scope_map_id,
        scope_map_name=_name_from_id(scope_map_id) if scope_map_id else "",
        enabled=(_text(token.status) or "enabled").lower() == "enabled",
        passwords=passwords,
        created=token.creation_date,
    )


def _scope_map_info(scope_map: Any) -> ScopeMapInfo:
    # The model's own ``type`` is the resource type; the property says System/UserDefined.
    kind = _text(getattr(getattr(scope_map, "properties", None), "type", None))
    return ScopeMapInfo(
        id=scope_map.id,
        name=scope_map.name,
        actions=tuple(scope_map.actions or ()),
        system_defined=kind.lower().startswith("system"),
    )
