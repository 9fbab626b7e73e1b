"""The Seqera Platform API client: the calls preflight makes, with errors a user can act on.

One injected ``httpx.Client`` carries TLS trust, the host map and timeouts, so tests hand in a
``MockTransport`` or a client pointed at the sandbox. Every call sends ``Authorization: Bearer``,
retries under the one :class:`~preflight.net.retry.RetryPolicy` (429 and 5xx, transport failures;
a POST only when the server surely did not act on it), and turns every failure into a
:class:`~preflight.errors.PlatformError` (or :class:`~preflight.errors.InputError` for a name the
user chose) whose message names the operation and endpoint and whose remedy is the next step
(:mod:`preflight.seqera.failures`). Bodies are read by :mod:`preflight.seqera.payloads`.
The access token never appears in any message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from preflight.errors import InputError
from preflight.net.endpoint import checked_endpoint
from preflight.net.retry import RetryPolicy, is_tls_failure
from preflight.secret import Secret
from preflight.seqera import failures, launches, payloads
from preflight.seqera.failures import web_url
from preflight.seqera.launches import (
    ComputeEnv,
    ComputeEnvSummary,
    LaunchpadPipeline,
    SavedLaunch,
)
from preflight.seqera.models import Credential, PlatformUser, WorkspaceRef
from preflight.settings import Settings

__all__ = ["PlatformClient", "build_platform_client", "web_url"]

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_RETRY = RetryPolicy()


class PlatformClient:
    """Seqera Platform's REST API, for the operations preflight needs.

    ``endpoint`` is the API root (``https://api.cloud.seqera.io``; Enterprise
    ``https://HOST/api``). ``max_retries``, ``backoff``, ``max_sleep`` (the longest
    ``Retry-After`` waited for) and ``sleep`` configure its :class:`RetryPolicy`; ``sleep`` is
    injectable so tests observe the backoff without waiting.
    The injected ``http`` client stays its owner's to close: other services share it.
    """

    def __init__(
        self,
        http: httpx.Client,
        endpoint: str,
        token: Secret,
        *,
        max_retries: int = DEFAULT_RETRY.attempts - 1,
        backoff: float = DEFAULT_RETRY.backoff,
        max_sleep: float = DEFAULT_RETRY.max_delay,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = http
        self.endpoint = endpoint.rstrip("/")
        self._token = token
        self._retry = RetryPolicy(
            attempts=1 + max(0, max_retries), backoff=backoff, max_delay=max_sleep, sleep=sleep
        )
        # The injected client's timeouts win; a client built without any gets ours.
        self._timeout = http.timeout if http.timeout.read is not None else DEFAULT_TIMEOUT

    # -- operations -------------------------------------------------------------------------

    def service_info(self) -> dict[str, Any]:
        """``GET /service-info``: the Platform's version and features (``waveEnabled`` …)."""
        response = self._call("GET", "/service-info", "read the service info")
        return payloads.service_info(
            payloads.json_object(response, "service info"), _where(response)
        )

    def user_info(self) -> PlatformUser:
        """``GET /user-info``: who the access token belongs to."""
        response = self._call("GET", "/user-info", "read the current user")
        return payloads.user(payloads.json_object(response, "user info"), _where(response))

    def workspaces(self, user_id: int) -> list[WorkspaceRef]:
        """``GET /user/{id}/workspaces``: the organisation workspaces the user belongs to.

        The personal workspace is not part of this listing (see
        :mod:`preflight.seqera.workspaces`).
        """
        response = self._call("GET", f"/user/{user_id}/workspaces", "list your workspaces")
        return payloads.workspaces(
            payloads.json_object(response, "workspace list"), _where(response)
        )

    def list_credentials(self, workspace_id: int | None) -> list[Credential]:
        """``GET /credentials[?workspaceId=]``: every credential of one workspace, in API order.

        Order matters: Wave takes the first matching credential.
        """
        response = self._call(
            "GET", "/credentials", "list credentials", params=_workspace(workspace_id)
        )
        return payloads.credentials(
            payloads.json_object(response, "credential list"), workspace_id, _where(response)
        )

    def validate_credential_name(self, name: str, workspace_id: int | None) -> None:
        """``GET /credentials/validate``: returns if ``name`` is free, else :class:`InputError`."""
        params = {**_workspace(workspace_id), "name": name}
        response = self._call(
            "GET",
            "/credentials/validate",
            "validate a credential name",
            params=params,
            accept=(200, 204, 400, 409),
        )
        if response.status_code == 409:
            raise _duplicate(name, self.endpoint + "/credentials/validate")
        if response.status_code == 400:
            reason = failures.server_message(response, (self._token,))
            raise InputError(
                f"Seqera Platform rejects the credential name {name!r}: {reason}",
                remedy="use 2-99 letters, digits, '-' or '_'",
                where=self.endpoint + "/credentials/validate",
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
                    "discriminator": "container-reg",  # selects the keys' schema (oneOf)
                    "userName": user_name,
                    "password": password.reveal(),
                    "registry": registry,
                },
            }
        }
        response = self._call(
            "POST",
            "/credentials",
            "create credentials",
            params=_workspace(workspace_id),
            json=body,
            accept=(200, 409),
            secrets=(password,),
        )
        if response.status_code == 409:
            raise _duplicate(name, self.endpoint + "/credentials")
        return payloads.created_id(
            payloads.json_object(response, "created credential"), _where(response)
        )

    def delete_credential(self, credential_id: str, workspace_id: int | None) -> None:
        """``DELETE /credentials/{id}``."""
        self._call(
            "DELETE",
            f"/credentials/{credential_id}",
            "delete credentials",
            params=_workspace(workspace_id),
            accept=(200, 204),
        )

    # -- Launchpad and compute environments --------------------------------------------------

    def find_pipelines(self, name: str, workspace_id: int | None) -> list[LaunchpadPipeline]:
        """``GET /pipelines?search=``: the Launchpad pipelines whose name holds ``name``.

        ``search`` is a free-text filter: the caller picks the exact name among these.
        """
        params = {**_workspace(workspace_id), "search": name, "max": "50", "offset": "0"}
        response = self._call("GET", "/pipelines", "list Launchpad pipelines", params=params)
        return launches.pipelines(payloads.json_object(response, "pipeline list"), _where(response))

    def pipeline_launch(
        self, pipeline_id: int, workspace_id: int | None, source_workspace_id: int | None = None
    ) -> SavedLaunch:
        """``GET /pipelines/{id}/launch``: the saved launch form, with its compute environment."""
        params = _workspace(workspace_id)
        if source_workspace_id is not None:
            params["sourceWorkspaceId"] = str(source_workspace_id)
        response = self._call(
            "GET", f"/pipelines/{pipeline_id}/launch", "read a pipeline's launch", params=params
        )
        return launches.saved_launch(
            payloads.json_object(response, "pipeline launch"), _where(response)
        )

    def compute_envs(
        self, workspace_id: int | None, status: str | None = "AVAILABLE"
    ) -> list[ComputeEnvSummary]:
        """``GET /compute-envs[?status=]``: the workspace's compute environments."""
        params = _workspace(workspace_id)
        if status:
            params["status"] = status
        response = self._call("GET", "/compute-envs", "list compute environments", params=params)
        return launches.compute_env_list(
            payloads.json_object(response, "compute environment list"), _where(response)
        )

    def compute_env(self, compute_env_id: str, workspace_id: int | None) -> ComputeEnv:
        """``GET /compute-envs/{id}``: one compute environment with its ``config``."""
        response = self._call(
            "GET",
            f"/compute-envs/{compute_env_id}",
            "read a compute environment",
            params=_workspace(workspace_id),
        )
        body = payloads.json_object(response, "compute environment")
        return launches.compute_env(body.get("computeEnv"), "compute environment", _where(response))

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
        hidden = (self._token, *secrets)
        headers = {
            "Authorization": f"Bearer {self._token.reveal()}",
            "Accept": "application/json",
        }
        request = self._http.build_request(
            method, url, params=params, json=json, headers=headers, timeout=self._timeout
        )
        try:
            response = self._retry.send(self._http, request)
        except httpx.TransportError as exc:
            if is_tls_failure(exc):
                raise failures.tls_error(exc, self.endpoint, url, hidden) from None
            raise failures.network_error(exc, self.endpoint, url, operation, hidden) from None
        if response.status_code in accept:
            return response
        raise failures.status_error(response, self.endpoint, url, operation, hidden)


def build_platform_client(settings: Settings, http: httpx.Client) -> PlatformClient:
    """The client for ``settings``; :class:`InputError` when no access token is configured."""
    if settings.platform_token is None or not settings.platform_token:
        raise InputError(
            "no Seqera Platform access token is configured",
            remedy=f"create one at {web_url(settings.platform_endpoint)}/tokens and export "
            "TOWER_ACCESS_TOKEN",
        )
    endpoint = checked_endpoint(
        settings.platform_endpoint,
        "TOWER_API_ENDPOINT",
        example="https://api.cloud.seqera.io (Enterprise: https://HOST/api)",
    )
    # It travels in an HTTP header: anything but visible ASCII is a copy-and-paste accident
    # (a quote, a space, a line break) that would fail every request. The token is not shown.
    bad = next(
        (i for i, c in enumerate(settings.platform_token.reveal()) if not "!" <= c <= "~"), None
    )
    if bad is not None:
        raise InputError(
            f"the Seqera Platform access token holds a character no access token has "
            f"(a space, a line break or a non-ASCII letter, at position {bad + 1})",
            where="TOWER_ACCESS_TOKEN",
            remedy="copy the token again from Your tokens in Seqera Platform and export "
            "TOWER_ACCESS_TOKEN without quotes or spaces",
        )
    return PlatformClient(http, endpoint, settings.platform_token)


def _where(response: httpx.Response) -> str:
    """The URL a body came from, without its query: the place a malformed answer is named by."""
    return str(response.request.url.copy_with(query=None))


def _workspace(workspace_id: int | None) -> dict[str, str]:
    return {} if workspace_id is None else {"workspaceId": str(workspace_id)}


def _duplicate(name: str, where: str) -> InputError:
    return InputError(
        f"a credential named {name!r} already exists in this workspace",
        remedy="choose another name, or delete the existing credential first",
        where=where,
    )
