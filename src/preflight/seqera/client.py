"""The Seqera Platform API client: the calls preflight makes, with errors a user can act on.

One injected ``httpx.Client`` carries TLS trust, the host map and timeouts, so tests hand in a
``MockTransport`` or a client pointed at the sandbox. Every call sends ``Authorization: Bearer``,
retries 429, 5xx and transport failures with bounded backoff (honouring ``Retry-After``, never
sleeping longer than ``max_sleep``), and turns every failure into a
:class:`~preflight.errors.PlatformError` (or :class:`~preflight.errors.InputError` for a name the
user chose) whose message names the operation and endpoint and whose remedy is the next step.
The access token never appears in any message: it is redacted from everything we quote.
"""

from __future__ import annotations

import email.utils
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from preflight.errors import InputError, PlatformError
from preflight.secret import Secret, redact
from preflight.seqera.models import Credential, PlatformUser, WorkspaceRef
from preflight.seqera.roles import strongest
from preflight.settings import Settings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_SLEEP = 10.0  # seconds; a Retry-After beyond this is cut short


class PlatformClient:
    """Seqera Platform's REST API, for the operations preflight needs.

    ``endpoint`` is the API root (``https://api.cloud.seqera.io``; Enterprise
    ``https://HOST/api``). ``sleep`` is injectable so tests observe the backoff without waiting.
    The injected ``http`` client stays its owner's to close: other services share it.
    """

    def __init__(
        self,
        http: httpx.Client,
        endpoint: str,
        token: Secret,
        *,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_sleep: float = MAX_SLEEP,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = http
        self.endpoint = endpoint.rstrip("/")
        self._token = token
        self._max_retries = max(0, max_retries)
        self._backoff = backoff
        self._max_sleep = max_sleep
        self._sleep = sleep
        # The injected client's timeouts win; a client built without any gets ours.
        self._timeout = http.timeout if http.timeout.read is not None else DEFAULT_TIMEOUT

    # -- operations -------------------------------------------------------------------------

    def service_info(self) -> dict[str, Any]:
        """``GET /service-info``: the Platform's version and features (``waveEnabled`` …)."""
        response = self._call("GET", "/service-info", "read the service info")
        body = self._json(response, "service info")
        info = body.get("serviceInfo")
        if not isinstance(info, dict):
            raise self._shape_error("service info", "serviceInfo")
        return info

    def user_info(self) -> PlatformUser:
        """``GET /user-info``: who the access token belongs to."""
        body = self._json(self._call("GET", "/user-info", "read the current user"), "user info")
        user = body.get("user")
        if not isinstance(user, dict):
            raise self._shape_error("user info", "user")
        user_id = user.get("id")
        if not isinstance(user_id, int):
            raise self._shape_error("user info", "user.id")
        return PlatformUser(
            id=user_id,
            user_name=str(user.get("userName") or ""),
            email=str(user.get("email") or ""),
        )

    def workspaces(self, user_id: int) -> list[WorkspaceRef]:
        """``GET /user/{id}/workspaces``: the organisation workspaces the user belongs to.

        Organisation-membership rows (no ``workspaceId``) are dropped; the personal workspace is
        not part of this listing (see :mod:`preflight.seqera.workspaces`).
        """
        response = self._call("GET", f"/user/{user_id}/workspaces", "list your workspaces")
        rows = self._json(response, "workspace list").get("orgsAndWorkspaces")
        if not isinstance(rows, list):
            raise self._shape_error("workspace list", "orgsAndWorkspaces")
        found: list[WorkspaceRef] = []
        for row in rows:
            if not isinstance(row, dict) or row.get("workspaceId") is None:
                continue
            roles = row.get("roles") or []
            role = strongest(tuple(str(r) for r in roles)) if isinstance(roles, list) else None
            found.append(
                WorkspaceRef(
                    id=_int(row.get("workspaceId"), "orgsAndWorkspaces[].workspaceId", self),
                    name=str(row.get("workspaceName") or ""),
                    org_id=_int(row.get("orgId"), "orgsAndWorkspaces[].orgId", self),
                    org_name=str(row.get("orgName") or ""),
                    role=role or "view",
                    personal=False,
                )
            )
        return found

    def list_credentials(self, workspace_id: int | None) -> list[Credential]:
        """``GET /credentials[?workspaceId=]``: every credential of one workspace, in API order.

        Order matters: Wave takes the first matching credential.
        """
        response = self._call(
            "GET", "/credentials", "list credentials", params=_workspace(workspace_id)
        )
        items = self._json(response, "credential list").get("credentials")
        if not isinstance(items, list):
            raise self._shape_error("credential list", "credentials")
        return [self._credential(item, workspace_id) for item in items]

    def validate_credential_name(self, name: str, workspace_id: int | None) -> None:
        """``GET /credentials/validate``: returns if ``name`` is free, else :class:`InputError`."""
        params = {**_workspace(workspace_id), "name": name}
        response = self._call(
            "GET", "/credentials/validate", "validate a credential name",
            params=params, accept=(200, 204, 400, 409),
        )
        if response.status_code == 409:
            raise InputError(
                f"a credential named {name!r} already exists in this workspace",
                remedy="choose another name, or delete the existing credential first",
                where=self._where("/credentials/validate"),
            )
        if response.status_code == 400:
            raise InputError(
                f"Seqera Platform rejects the credential name {name!r}: {self._message(response)}",
                remedy="use 2-99 letters, digits, '-' or '_'",
                where=self._where("/credentials/validate"),
            )

    def create_credential(
        self,
        workspace_id: int | None,
        *,
        name: str,
        registry: str,
        user_name: str,
        password: Secret,
    ) -> str:
        """``POST /credentials``: a ``container-reg`` credential; returns its id.

        The password is revealed only into the request body and redacted from any error text.
        """
        body = {
            "credentials": {
                "name": name,
                "provider": "container-reg",
                "keys": {
                    "userName": user_name,
                    "password": password.reveal(),
                    "registry": registry,
                },
            }
        }
        response = self._call(
            "POST", "/credentials", "create credentials",
            params=_workspace(workspace_id), json=body, accept=(200, 409),
            secrets=(password,),
        )
        if response.status_code == 409:
            raise InputError(
                f"a credential named {name!r} already exists in this workspace",
                remedy="choose another name, or delete the existing credential first",
                where=self._where("/credentials"),
            )
        credential_id = self._json(response, "created credential").get("credentialsId")
        if not isinstance(credential_id, str) or not credential_id:
            raise self._shape_error("created credential", "credentialsId")
        return credential_id

    def delete_credential(self, credential_id: str, workspace_id: int | None) -> None:
        """``DELETE /credentials/{id}``."""
        self._call(
            "DELETE", f"/credentials/{credential_id}", "delete credentials",
            params=_workspace(workspace_id), accept=(200, 204),
        )

    # -- transport --------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        operation: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        accept: tuple[int, ...] = (200,),
        secrets: tuple[Secret, ...] = (),
    ) -> httpx.Response:
        """One API call with retries; returns a response whose status is in ``accept``."""
        url = self.endpoint + path
        headers = {
            "Authorization": f"Bearer {self._token.reveal()}",
            "Accept": "application/json",
        }
        # A POST may have taken effect before a 5xx or a broken connection: repeating it could
        # create a second credential. It is repeated only when the server surely did nothing
        # (429, or a connection that was never made).
        idempotent = method != "POST"
        attempt = 0
        while True:
            try:
                response = self._http.request(
                    method, url, params=params, json=json, headers=headers, timeout=self._timeout
                )
            except httpx.TransportError as exc:
                if _is_tls_failure(exc):
                    raise self._tls_error(path, exc, secrets) from None
                unsent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                if attempt >= self._max_retries or not (idempotent or unsent):
                    raise self._network_error(path, operation, exc, secrets) from None
                self._sleep(self._delay(attempt, None))
                attempt += 1
                continue
            retryable = response.status_code == 429 or (
                idempotent and response.status_code in RETRY_STATUSES
            )
            if retryable and attempt < self._max_retries:
                self._sleep(self._delay(attempt, response.headers.get("Retry-After")))
                attempt += 1
                continue
            if response.status_code in accept:
                return response
            raise self._status_error(response, path, operation, secrets)

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before retry ``attempt + 1``: ``Retry-After`` if given, else backoff."""
        wait: float = self._backoff * float(2**attempt)
        if retry_after:
            parsed = _retry_after_seconds(retry_after)
            if parsed is not None:
                wait = parsed
        return max(0.0, min(wait, self._max_sleep))

    # -- errors -----------------------------------------------------------------------------

    def _where(self, path: str) -> str:
        return self.endpoint + path

    def _message(self, response: httpx.Response, secrets: tuple[Secret, ...] = ()) -> str:
        """The server's ``{"message": …}``, or a short excerpt of its body, redacted."""
        text = ""
        try:
            payload = response.json()
            if isinstance(payload, dict) and isinstance(payload.get("message"), str):
                text = payload["message"]
        except ValueError:
            text = response.text[:200].strip()
        return redact(text, (self._token, *secrets))

    def _status_error(
        self, response: httpx.Response, path: str, operation: str, secrets: tuple[Secret, ...]
    ) -> PlatformError:
        status = response.status_code
        message = self._message(response, secrets)
        said = f": {message}" if message else ""
        where = self._where(path)
        if status == 401:
            return PlatformError(
                f"Seqera Platform refused the access token (401) when trying to {operation}; "
                "it is invalid, expired or revoked",
                remedy=f"create a new access token at {web_url(self.endpoint)}/tokens and "
                "set TOWER_ACCESS_TOKEN to it",
                where=where,
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
            )
        return PlatformError(
            f"Seqera Platform answered {status} when trying to {operation}{said}",
            remedy="check the request's inputs (workspace, names) and try again",
            where=where,
        )

    def _network_error(
        self, path: str, operation: str, exc: Exception, secrets: tuple[Secret, ...]
    ) -> PlatformError:
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "could not be reached"
        detail = redact(str(exc) or type(exc).__name__, (self._token, *secrets))
        return PlatformError(
            f"Seqera Platform {kind} when trying to {operation}: {detail}",
            remedy="check the network and TOWER_API_ENDPOINT "
            f"(currently {self.endpoint}), then try again",
            where=self._where(path),
        )

    def _tls_error(self, path: str, exc: Exception, secrets: tuple[Secret, ...]) -> PlatformError:
        detail = redact(str(exc), (self._token, *secrets))
        return PlatformError(
            f"the TLS certificate of {self.endpoint} is not trusted: {detail}",
            remedy="point PREFLIGHT_CA_BUNDLE at the PEM file of the CA that signed it",
            where=self._where(path),
        )

    def _shape_error(self, what: str, field: str) -> PlatformError:
        return PlatformError(
            f"Seqera Platform's {what} has no usable {field!r} field",
            remedy="check that TOWER_API_ENDPOINT names the Platform API "
            "(Enterprise: https://HOST/api), not the web interface",
            where=self.endpoint,
        )

    def _json(self, response: httpx.Response, what: str) -> dict[str, Any]:
        try:
            payload = response.json()
        except ValueError:
            raise PlatformError(
                f"Seqera Platform's {what} is not JSON "
                f"(Content-Type {response.headers.get('Content-Type', 'none')!r})",
                remedy="check that TOWER_API_ENDPOINT names the Platform API "
                "(Enterprise: https://HOST/api), not the web interface",
                where=str(response.request.url.copy_with(query=None)),
            ) from None
        if not isinstance(payload, dict):
            raise self._shape_error(what, "(top level object)")
        return payload

    def _credential(self, item: Any, workspace_id: int | None) -> Credential:
        if not isinstance(item, dict):
            raise self._shape_error("credential list", "credentials[]")
        cred_id, name, provider = item.get("id"), item.get("name"), item.get("provider")
        if not isinstance(cred_id, str) or not isinstance(name, str):
            raise self._shape_error("credential list", "credentials[].id/name")
        raw_keys = item.get("keys")
        keys: dict[str, Any] = raw_keys if isinstance(raw_keys, dict) else {}
        registry, user_name = keys.get("registry"), keys.get("userName")
        return Credential(
            id=cred_id,
            name=name,
            provider=str(provider or ""),
            registry=registry if isinstance(registry, str) else None,
            user_name=user_name if isinstance(user_name, str) else None,
            date_created=_opt_str(item.get("dateCreated")),
            last_updated=_opt_str(item.get("lastUpdated")),
            workspace_id=workspace_id,
        )


def build_platform_client(settings: Settings, http: httpx.Client) -> PlatformClient:
    """The client for ``settings``; :class:`InputError` when no access token is configured."""
    if settings.platform_token is None or not settings.platform_token:
        raise InputError(
            "no Seqera Platform access token is configured",
            remedy=f"create one at {web_url(settings.platform_endpoint)}/tokens and export "
            "TOWER_ACCESS_TOKEN",
        )
    return PlatformClient(http, settings.platform_endpoint, settings.platform_token)


def web_url(endpoint: str) -> str:
    """The Platform's web address for an API endpoint, derived as tw does.

    ``https://api.cloud.seqera.io`` → ``https://cloud.seqera.io``;
    ``https://platform.example.com/api`` → ``https://platform.example.com``.
    """
    return endpoint.rstrip("/").replace("api.", "", 1).replace("/api", "", 1)


def _workspace(workspace_id: int | None) -> dict[str, str]:
    return {} if workspace_id is None else {"workspaceId": str(workspace_id)}


def _int(value: Any, field: str, client: PlatformClient) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise client._shape_error("workspace list", field)


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _retry_after_seconds(value: str) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date; ``None`` when unreadable."""
    text = value.strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - time.time()


def _is_tls_failure(exc: BaseException) -> bool:
    """Whether a transport error is a certificate problem (never worth retrying)."""
    seen: BaseException | None = exc
    for _ in range(10):  # exception chains are short; never loop on a cycle
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
