"""Image existence with the operator's Entra ID identity, through ``azure-containerregistry``.

This is the check that needs no token password (Platform never returns stored passwords): with
the operator's own identity, does each ``repository:tag`` exist, and what is its digest?

Only plain ``/v2/`` calls are used: ``get_manifest`` (``GET /v2/<repo>/manifests/<ref>``), which
needs ``pull`` (the AcrPull role or a ``content/read`` grant) and which every registry serves.
The ``/acr/v1/`` metadata calls (``get_manifest_properties``, ``get_tag_properties``) are ACR
extensions a plain distribution registry does not serve, so they are not used. The SDK checks
the manifest digest itself (``DigestValidationError``).

Audience: ``https://containerregistry.azure.net`` in the public cloud (the SDK's default, and
what ``az acr`` asks for); the Resource Manager audience of the cloud for the China and US
Government suffixes, which ACR accepts while its "Entra tokens as ARM tokens" policy is on (the
default). ``audience=`` overrides either.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from preflight.errors import InputError
from preflight.secret import Secret, redact
from preflight.settings import Settings

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

PUBLIC_AUDIENCE = "https://containerregistry.azure.net"
SOVEREIGN_AUDIENCES = {
    ".azurecr.cn": "https://management.chinacloudapi.cn",
    ".azurecr.us": "https://management.usgovcloudapi.net",
}
DEFAULT_RETRIES = 2
# Seconds to wait for a registry's answer: the registry handshake's own bound, not the SDK's
# 30 s, so a registry that accepts the connection and never answers costs one bounded wait.
READ_TIMEOUT = 15
DETAIL_LIMIT = 240


def audience_for(login_server: str) -> str:
    """The Entra ID audience to ask a token for, by the login server's cloud suffix."""
    host = login_server.lower()
    return next(
        (aud for suffix, aud in SOVEREIGN_AUDIENCES.items() if host.endswith(suffix)),
        PUBLIC_AUDIENCE,
    )


@dataclass(frozen=True)
class ManifestFacts:
    """What the data plane says about one ``repository:reference``.

    ``state`` is ``found`` (with ``digest`` and ``media_type``), ``missing`` (no such tag or
    repository), ``denied`` (the identity may not read it: 401/403), or ``error`` (anything
    else, ``detail`` says what — never a secret).
    """

    login_server: str
    repository: str
    reference: str
    state: str
    digest: str | None = None
    media_type: str | None = None
    detail: str = ""
    status: int | None = None

    @property
    def found(self) -> bool:
        return self.state == "found"


class RegistryDataPlane:
    """One ``ContainerRegistryClient`` per login server, all with the operator's credential.

    Safe to call from several threads: clients are created under a lock, and azure-core's
    pipeline (a pooled ``requests`` session) serves concurrent calls.
    """

    def __init__(
        self,
        credential: TokenCredential,
        *,
        transport_options: Mapping[str, Any] | None = None,
        retries: int = DEFAULT_RETRIES,
        audience: str | None = None,
        secrets: Iterable[Secret] = (),
        owns_credential: bool = False,
    ) -> None:
        self._credential = credential
        self._owns_credential = owns_credential
        self._secrets = list(secrets)
        self._options = dict(transport_options or {})
        self._retries = retries
        self._audience = audience
        self._clients: dict[str, Any] = {}
        # Login servers that could not be reached, with why: every later image of the same
        # registry gets the same answer at once instead of another connection attempt.
        self._unreachable: dict[str, str] = {}
        self._lock = threading.Lock()  # callers may ask from several threads at once

    def _client(self, login_server: str) -> Any:
        key = login_server.lower()
        with self._lock:
            return self._clients.get(key) or self._open(key)

    def _open(self, key: str) -> Any:
        if key not in self._clients:
            from azure.containerregistry import ContainerRegistryClient

            client = ContainerRegistryClient(
                f"https://{key}",
                self._credential,
                audience=self._audience or audience_for(key),
                retry_total=self._retries,
                # A registry that cannot be reached, or does not answer, will not do better on
                # a second try within a pre-flight budget: fail at once (throttling and 5xx
                # are still retried).
                retry_connect=0,
                retry_read=0,
                **self._options,
            )
            # Entered as a context manager: only its __exit__ closes the token-exchange
            # client's own connections (close() leaves them open).
            self._clients[key] = client.__enter__()  # type: ignore[no-untyped-call]
        return self._clients[key]

    def manifest(self, login_server: str, repository: str, reference: str) -> ManifestFacts:
        """Whether ``repository:reference`` (a tag or ``sha256:`` digest) exists, and its digest."""
        from azure.containerregistry import DigestValidationError
        from azure.core.exceptions import (
            HttpResponseError,
            ServiceRequestError,
            ServiceResponseError,
            ServiceResponseTimeoutError,
        )

        def facts(state: str, detail: str = "", status: int | None = None) -> ManifestFacts:
            text = " ".join(redact(detail, self._secrets).split())[:DETAIL_LIMIT]
            return ManifestFacts(
                login_server, repository, reference, state, detail=text, status=status
            )

        unreachable = self._unreachable.get(login_server.lower())
        if unreachable is not None:
            return facts("error", unreachable)
        try:
            result = self._client(login_server).get_manifest(repository, reference)
        except HttpResponseError as exc:
            _release(exc)
            return self._refused(exc, facts)
        except ServiceRequestError as exc:
            reason = f"could not reach {login_server}: {_first_line(exc)}"
            self._unreachable[login_server.lower()] = reason
            return facts("error", reason)
        except ServiceResponseTimeoutError as exc:
            reason = f"{login_server} did not answer in time: {_first_line(exc)}"
            self._unreachable[login_server.lower()] = reason
            return facts("error", reason)
        except ServiceResponseError as exc:
            return facts(
                "error",
                f"the connection to {login_server} broke before it answered: {_first_line(exc)}",
            )
        except (DigestValidationError, ValueError) as exc:
            return facts("error", f"the manifest failed validation: {_first_line(exc)}")
        return ManifestFacts(
            login_server,
            repository,
            reference,
            "found",
            digest=str(result.digest),
            media_type=str(result.media_type or "") or None,
        )

    @staticmethod
    def _refused(
        exc: Exception, facts: Callable[[str, str, int | None], ManifestFacts]
    ) -> ManifestFacts:
        from azure.core.exceptions import ClientAuthenticationError, ResourceNotFoundError

        if isinstance(exc, ResourceNotFoundError):
            return facts("missing", _first_line(exc), _status(exc))
        if isinstance(exc, ClientAuthenticationError) or _status(exc) == 403:
            return facts("denied", _first_line(exc), _status(exc))
        return facts("error", f"{_step(exc)}{_first_line(exc)}", _status(exc))

    def close(self) -> None:
        """Close every client, and the credential when this object built it."""
        for client in self._clients.values():
            client.__exit__(None, None, None)
        self._clients.clear()
        close = getattr(self._credential, "close", None)
        if self._owns_credential and callable(close):
            close()


def _release(exc: Any) -> None:
    """Give an error response's connection back: the SDK leaves error bodies unread."""
    response = getattr(exc, "response", None)
    close = getattr(response, "close", None)
    if callable(close):
        close()


def _step(exc: Any) -> str:
    """``"the token exchange (/oauth2/token) failed: "`` when the SDK's own sign-in at the
    registry failed rather than the manifest request, so the finding names the step."""
    request = getattr(getattr(exc, "response", None), "request", None)
    path = urlsplit(str(getattr(request, "url", "") or "")).path
    return f"the token exchange ({path}) failed: " if path.startswith("/oauth2/") else ""


def _status(exc: Any) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def has_azure_identity(settings: Settings, environ: Mapping[str, str]) -> bool:
    """Whether the user configured an Azure identity to use (a subscription or a client id).

    Without either, ``DefaultAzureCredential`` would probe managed-identity endpoints and local
    tools for nothing; preflight rather skips the Azure-side checks and says so.
    """
    return bool(settings.azure_subscription_id or environ.get("AZURE_CLIENT_ID"))


def build_dataplane(
    settings: Settings,
    environ: Mapping[str, str] | None = None,
    *,
    credential: TokenCredential | None = None,
) -> RegistryDataPlane:
    """The data-plane client for a run; :class:`InputError` when no Azure identity is set up."""
    from preflight.azure.identity import build_credential, client_secret_from, transport_options

    env = environ or {}
    if credential is None and not has_azure_identity(settings, env):
        raise InputError(
            "no Azure identity is configured for the registry data plane",
            remedy="sign in with 'az login' and set AZURE_SUBSCRIPTION_ID, or set "
            "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET",
        )
    return RegistryDataPlane(
        credential or build_credential(settings, env),
        transport_options={**transport_options(settings), "read_timeout": READ_TIMEOUT},
        secrets=[s for s in (client_secret_from(env),) if s is not None],
        owns_credential=credential is None,
    )
