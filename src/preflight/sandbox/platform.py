"""A Seqera Platform API emulator: credentials, users and workspaces, as the spec has them.

Paths, query parameters (``workspaceId``), bodies and status codes follow the Platform's
OpenAPI spec (1.187.0) for the operations preflight uses; the same paths are served under
``/api`` as an Enterprise install does. Rules it enforces, as the real service does:

- a missing or unknown ``Authorization: Bearer`` token → 401 (no body);
- a workspace the caller is not a member of, or a role without the right → 403
  ``{"message": …}`` (roles as in :mod:`preflight.seqera.roles`);
- malformed input → 400 ``{"message": …}``; a taken credential name → 409 on
  ``/credentials/validate`` (and ``state.duplicate_name_status`` on create);
- passwords are stored and never returned (``keys.password`` is left out, as is every
  optional field without a value: the spec marks none of them nullable);
- an unknown credential, pipeline or compute environment id → 404 ``{"message": …}`` (the
  spec declares no status for it);
- Launchpad reads (``/pipelines``, ``/pipelines/{id}/launch``, ``/compute-envs``,
  ``/compute-envs/{id}``) are open to every member of the workspace
  (:mod:`preflight.sandbox.platform_launches` holds their shapes).

The emulator is a plain :class:`~preflight.sandbox.http.Handler`; the HTTPS server and fault
injection wrap it. :func:`observe` lets a test suite see every exchange of every emulator (to hold
each one against the API description).
"""

from __future__ import annotations

import base64
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from preflight.sandbox import platform_launch_routes as launch_routes
from preflight.sandbox.http import Request, Response
from preflight.sandbox.platform_state import (
    PlatformAccount,
    PlatformState,
    StoredCredential,
    new_credential_id,
    now_iso,
    seed_platform_state,
)
from preflight.seqera.roles import (
    can_create_credentials,
    can_list_credentials,
    can_read_credentials,
)

__all__ = ["PlatformEmulator", "PlatformState", "seed_platform_state"]

PROVIDERS = frozenset(
    {
        "aws",
        "azure",
        "azure_entra",
        "google",
        "github",
        "github_app",
        "gitlab",
        "bitbucket",
        "ssh",
        "k8s",
        "container-reg",
        "tw-agent",
        "codecommit",
        "gitea",
        "azurerepos",
        "seqeracompute",
        "azure-cloud",
        "s3",
    }
)
CREDENTIAL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
_ID = r"([A-Za-z0-9]{1,22})"


class _Refusal(Exception):
    """Ends a request with an error response."""

    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(message or "")
        self.status = status
        self.message = message

    def response(self) -> Response:
        if self.message is None:
            return Response.empty(self.status)
        return Response.of_json(self.status, {"message": self.message})


@dataclass(frozen=True)
class _Call:
    """One authenticated request: who sent it and what they asked."""

    request: Request
    account: PlatformAccount
    match: re.Match[str]


_Route = Callable[["PlatformEmulator", _Call], Response]
Observer = Callable[[Request, Response], None]
_observers: list[Observer] = []
_observers_lock = threading.Lock()


def observe(observer: Observer) -> Callable[[], None]:
    """Call ``observer(request, response)`` after every exchange of every emulator; returns
    the function that stops it. Observers run on the server's threads: they must be quick and
    thread-safe."""
    with _observers_lock:
        _observers.append(observer)

    def stop() -> None:
        with _observers_lock:
            if observer in _observers:
                _observers.remove(observer)

    return stop


class PlatformEmulator:
    """``handle(request) -> Response`` for the Platform API; thread-safe through ``state.lock``."""

    def __init__(self, state: PlatformState) -> None:
        self.state = state
        self._routes: list[tuple[str, re.Pattern[str], _Route]] = [
            ("GET", re.compile(r"/user-info"), PlatformEmulator._user_info),
            ("GET", re.compile(r"/user/(\d+)/workspaces"), PlatformEmulator._user_workspaces),
            ("GET", re.compile(r"/orgs"), PlatformEmulator._orgs),
            ("GET", re.compile(r"/orgs/(\d+)/workspaces"), PlatformEmulator._org_workspaces),
            ("GET", re.compile(r"/credentials"), PlatformEmulator._list_credentials),
            ("POST", re.compile(r"/credentials"), PlatformEmulator._create_credential),
            ("GET", re.compile(r"/credentials/validate"), PlatformEmulator._validate_name),
            ("GET", re.compile(rf"/credentials/{_ID}"), PlatformEmulator._describe_credential),
            ("PUT", re.compile(rf"/credentials/{_ID}"), PlatformEmulator._update_credential),
            ("DELETE", re.compile(rf"/credentials/{_ID}"), PlatformEmulator._delete_credential),
            ("GET", re.compile(rf"/credentials/{_ID}/keys"), PlatformEmulator._credential_keys),
            ("GET", re.compile(r"/pipelines"), PlatformEmulator._launchpad),
            ("GET", re.compile(r"/pipelines/(\d+)/launch"), PlatformEmulator._launchpad),
            ("GET", re.compile(r"/compute-envs"), PlatformEmulator._launchpad),
            ("GET", re.compile(rf"/compute-envs/{_ID}"), PlatformEmulator._launchpad),
        ]

    def handle(self, request: Request) -> Response:
        response = self._answer(request)
        with _observers_lock:
            observers = list(_observers)
        for observer in observers:
            observer(request, response)
        return response

    def _answer(self, request: Request) -> Response:
        path = request.path
        if path == "/api" or path.startswith("/api/"):
            path = path[len("/api") :] or "/"
        path = path.rstrip("/") or "/"
        try:
            if path == "/service-info":
                if request.method != "GET":
                    raise _Refusal(405, "Method not allowed")
                return self._service_info()
            route, match = self._route(request.method, path)
            with self.state.lock:
                account = self._authenticate(request)
                return route(self, _Call(request, account, match))
        except _Refusal as refusal:
            return refusal.response()

    def _route(self, method: str, path: str) -> tuple[_Route, re.Match[str]]:
        allowed = False
        for route_method, pattern, route in self._routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if route_method == method:
                return route, match
            allowed = True
        if allowed:
            raise _Refusal(405, "Method not allowed")
        raise _Refusal(404, f"Resource not found: {path}")

    def _authenticate(self, request: Request) -> PlatformAccount:
        header = request.header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        account = (
            self.state.account_by_token(token.strip())
            if scheme.lower() == "bearer" and token.strip()
            else None
        )
        if account is None:
            raise _Refusal(401)
        return account

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _workspace_id(call: _Call) -> int | None:
        raw = call.request.arg("workspaceId")
        if raw is None or raw == "":
            return None
        if not raw.isdigit():
            raise _Refusal(400, f"Invalid workspace id: '{raw}'")
        return int(raw)

    def _role(self, call: _Call, workspace_id: int | None) -> str:
        role = self.state.role_in(call.account.id, workspace_id)
        if role is None:
            raise _Refusal(403, "Forbidden: you are not a member of this workspace")
        return role

    def _require(self, call: _Call, allowed: Callable[[str], bool], operation: str) -> int | None:
        workspace_id = self._workspace_id(call)
        role = self._role(call, workspace_id)
        if not allowed(role):
            raise _Refusal(403, f"Forbidden: role '{role}' does not allow {operation}")
        return workspace_id

    def _find(self, call: _Call, workspace_id: int | None) -> StoredCredential:
        credential_id = call.match.group(1)
        for credential in self.state.credentials_in(call.account.id, workspace_id):
            if credential.id == credential_id:
                return credential
        raise _Refusal(404, f"Credentials '{credential_id}' not found")

    @staticmethod
    def _body(call: _Call) -> dict[str, Any]:
        try:
            payload = call.request.json()
        except ValueError:
            raise _Refusal(400, "Request body is not valid JSON") from None
        credentials = payload.get("credentials") if isinstance(payload, dict) else None
        if not isinstance(credentials, dict):
            raise _Refusal(400, "Missing 'credentials' object")
        return credentials

    # -- service and user -------------------------------------------------------------------

    def _service_info(self) -> Response:
        return Response.of_json(
            200,
            {
                "serviceInfo": {
                    "version": self.state.version,
                    "apiVersion": self.state.api_version,
                    "waveEnabled": self.state.wave_enabled,
                    "userWorkspaceEnabled": True,
                    "seqeraCloud": False,
                    "allowInstanceCredentials": False,
                    "authTypes": ["github", "google"],
                    "loginPath": "/login",
                }
            },
        )

    def _user_info(self, call: _Call) -> Response:
        account = call.account
        return Response.of_json(
            200,
            {
                "user": {
                    "id": account.id,
                    "userName": account.user_name,
                    "email": account.email,
                    "deleted": False,
                    "marketingConsent": False,
                    "termsOfUseConsent": True,
                    "notification": True,
                },
                "needConsent": False,
            },
        )

    def _user_workspaces(self, call: _Call) -> Response:
        if int(call.match.group(1)) != call.account.id:
            raise _Refusal(403, "Forbidden: you can only list your own workspaces")
        user_id = call.account.id
        rows: list[dict[str, Any]] = []
        for org in self.state.orgs.values():
            if user_id not in org.members:
                continue
            # An organisation row has no workspace fields at all: the spec marks none nullable.
            base = {"orgId": org.id, "orgName": org.name, "orgType": "pro"}
            rows.append({**base, "roles": []})
            for workspace in self.state.workspaces.values():
                role = workspace.roles.get(user_id)
                if workspace.org_id == org.id and role is not None:
                    rows.append(
                        {
                            **base,
                            "workspaceId": workspace.id,
                            "workspaceName": workspace.name,
                            "workspaceFullName": workspace.full_name,
                            "visibility": workspace.visibility,
                            "roles": [role],
                        }
                    )
        return Response.of_json(200, {"orgsAndWorkspaces": rows})

    def _orgs(self, call: _Call) -> Response:
        wanted = call.request.arg("role")
        orgs = [
            {
                "orgId": org.id,
                "name": org.name,
                "fullName": org.full_name,
                "memberId": call.account.id * 10,
                "memberRole": role,
                "type": "pro",
            }
            for org in self.state.orgs.values()
            if (role := org.members.get(call.account.id)) is not None
            and (not wanted or wanted == role)
        ]
        return Response.of_json(200, {"organizations": orgs, "totalSize": len(orgs)})

    def _org_workspaces(self, call: _Call) -> Response:
        org = self.state.orgs.get(int(call.match.group(1)))
        if org is None or call.account.id not in org.members:
            raise _Refusal(403, "Forbidden: you are not a member of this organization")
        workspaces = [
            {"id": w.id, "name": w.name, "fullName": w.full_name, "visibility": w.visibility}
            for w in self.state.workspaces.values()
            if w.org_id == org.id and call.account.id in w.roles
        ]
        return Response.of_json(200, {"workspaces": workspaces})

    # -- credentials ------------------------------------------------------------------------

    def _list_credentials(self, call: _Call) -> Response:
        workspace_id = self._require(call, can_list_credentials, "listing credentials")
        stored = self.state.credentials_in(call.account.id, workspace_id)
        platform_id = call.request.arg("platformId")
        items = [c.to_api() for c in stored if not platform_id or c.provider == platform_id]
        return Response.of_json(200, {"credentials": items})

    def _validate_name(self, call: _Call) -> Response:
        workspace_id = self._require(call, can_list_credentials, "validating credentials")
        name = call.request.arg("name")
        if not name:
            raise _Refusal(400, "Missing credentials name")
        if not CREDENTIAL_NAME.fullmatch(name):
            raise _Refusal(
                400, f"Invalid credentials name: '{name}'. Use letters, digits, '-' or '_'"
            )
        if any(c.name == name for c in self.state.credentials_in(call.account.id, workspace_id)):
            raise _Refusal(409, f"Credentials with name '{name}' already exists")
        return Response.empty(204)

    def _create_credential(self, call: _Call) -> Response:
        workspace_id = self._require(call, can_create_credentials, "creating credentials")
        body = self._body(call)
        name, provider = body.get("name"), body.get("provider")
        if not isinstance(name, str) or not CREDENTIAL_NAME.fullmatch(name):
            raise _Refusal(400, f"Invalid credentials name: '{name}'")
        if provider not in PROVIDERS:
            raise _Refusal(400, f"Unknown credentials provider: '{provider}'")
        stored = self.state.credentials_in(call.account.id, workspace_id)
        if any(c.name == name for c in stored):
            status = self.state.duplicate_name_status
            raise _Refusal(status, f"Credentials with name '{name}' already exists")
        keys, password = _keys(body.get("keys"), str(provider))
        credential = StoredCredential(
            id=new_credential_id(),
            name=name,
            provider=str(provider),
            keys=keys,
            password=password,
            description=_opt_str(body.get("description")),
            base_url=_opt_str(body.get("baseUrl")),
            category=_opt_str(body.get("category")),
        )
        stored.append(credential)
        return Response.of_json(200, {"credentialsId": credential.id})

    def _describe_credential(self, call: _Call) -> Response:
        workspace_id = self._require(call, can_list_credentials, "describing credentials")
        credential = self._find(call, workspace_id)
        return Response.of_json(200, {"credentials": credential.to_api()})

    def _update_credential(self, call: _Call) -> Response:
        workspace_id = self._require(call, can_create_credentials, "updating credentials")
        credential = self._find(call, workspace_id)
        body = self._body(call)
        name = body.get("name", credential.name)
        if not isinstance(name, str) or not CREDENTIAL_NAME.fullmatch(name):
            raise _Refusal(400, f"Invalid credentials name: '{name}'")
        if body.get("provider", credential.provider) != credential.provider:
            raise _Refusal(400, "The provider of existing credentials cannot change")
        if "keys" in body:
            keys, password = _keys(body["keys"], credential.provider, creating=False)
            credential.keys = keys
            if password:
                credential.password = password
        credential.name = name
        if "description" in body:
            credential.description = _opt_str(body.get("description"))
        credential.last_updated = now_iso()
        return Response.empty(204)

    def _delete_credential(self, call: _Call) -> Response:
        workspace_id = self._require(call, can_create_credentials, "deleting credentials")
        credential = self._find(call, workspace_id)
        self.state.credentials_in(call.account.id, workspace_id).remove(credential)
        return Response.empty(204)

    def _credential_keys(self, call: _Call) -> Response:
        workspace_id = self._require(call, can_read_credentials, "reading encrypted credentials")
        self._find(call, workspace_id)
        # Real keys are encrypted with the Wave pairing key; an opaque blob stands in for them.
        blob = base64.b64encode(secrets.token_bytes(48)).decode()
        return Response.of_json(200, {"keys": blob})

    # -- Launchpad: pipelines, their launches, compute environments ---------------------------

    def _launchpad(self, call: _Call) -> Response:
        """A Launchpad read; any member of the workspace may read it (``view`` and up)."""
        workspace_id = self._workspace_id(call)
        self._role(call, workspace_id)
        try:
            return launch_routes.answer(self.state, workspace_id, call.request, call.match)
        except launch_routes.NotFound as exc:
            raise _Refusal(404, str(exc)) from None
        except launch_routes.BadQuery as exc:
            raise _Refusal(400, str(exc)) from None


def _keys(raw: Any, provider: str, *, creating: bool = True) -> tuple[dict[str, Any], str | None]:
    """Split a request's ``keys`` into what is stored in the open and the password.

    An update may leave the password out (it is kept); a new registry credential needs one.
    """
    if raw is None:
        return {"discriminator": provider}, None
    if not isinstance(raw, dict):
        raise _Refusal(400, "Invalid 'keys': an object is expected")
    discriminator = raw.get("discriminator", provider)
    if discriminator != provider:
        raise _Refusal(400, f"Keys of type '{discriminator}' do not fit provider '{provider}'")
    keys = {k: v for k, v in raw.items() if k != "password"}
    keys["discriminator"] = provider
    password = raw.get("password")
    if provider == "container-reg":
        if not isinstance(raw.get("userName"), str) or not raw["userName"]:
            raise _Refusal(400, "Missing container registry user name")
        if creating and (not isinstance(password, str) or not password):
            raise _Refusal(400, "Missing container registry password")
        keys.setdefault("registry", None)
    return keys, password if isinstance(password, str) else None


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
