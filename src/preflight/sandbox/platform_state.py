"""The Seqera Platform sandbox's world: users and their tokens, organisations, workspaces, roles,
and the credentials stored in each workspace.

One ``PlatformState`` backs one :class:`~preflight.sandbox.platform.PlatformEmulator`; tests
read and change it directly (under ``lock``) or through the API. Passwords are kept here, server
side, and never leave through the API. ``reset()`` puts the seeded world back, tokens and
credentials included, so tests sharing one sandbox start alike.
"""

from __future__ import annotations

import copy
import secrets
import string
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from preflight.sandbox.platform_launches import StoredComputeEnv, StoredPipeline

DEMO_USER = "demo-user"
VIEWER_USER = "viewer-user"
ORG_NAME = "acme"
_ID_ALPHABET = string.ascii_letters + string.digits


def now_iso() -> str:
    """An ISO-8601 timestamp with offset, as the Platform writes them."""
    return datetime.now(timezone.utc).isoformat()


def new_credential_id() -> str:
    """A 22-character base62 id, the shape the Platform uses."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(22))


@dataclass
class PlatformAccount:
    id: int
    user_name: str
    email: str
    token: str


@dataclass
class Organization:
    id: int
    name: str
    full_name: str
    members: dict[int, str] = field(default_factory=dict)  # user id -> owner|member|collaborator


@dataclass
class Workspace:
    id: int
    org_id: int
    name: str
    full_name: str
    visibility: str = "PRIVATE"
    roles: dict[int, str] = field(default_factory=dict)  # user id -> workspace role


@dataclass
class StoredCredential:
    """A credential as the Platform holds it: ``password`` stays here."""

    id: str
    name: str
    provider: str
    keys: dict[str, Any]  # without the password
    password: str | None
    description: str | None = None
    base_url: str | None = None
    category: str | None = None
    date_created: str = field(default_factory=now_iso)
    last_updated: str = ""

    def __post_init__(self) -> None:
        self.last_updated = self.last_updated or self.date_created

    def to_api(self) -> dict[str, Any]:
        """The ``Credentials`` object as the API returns it: never a secret.

        Fields with no value are left out (the spec marks none of them nullable), and so is the
        write-only ``keys.password``.
        """
        keys = {k: v for k, v in self.keys.items() if v is not None and k != "password"}
        keys["discriminator"] = self.provider
        found = {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "provider": self.provider,
            "baseUrl": self.base_url,
            "category": self.category,
            "dateCreated": self.date_created,
            "lastUpdated": self.last_updated,
            "keys": keys,
        }
        return {k: v for k, v in found.items() if v is not None}


# A credential scope: ("user", user id) for a personal workspace, ("workspace", id) otherwise.
Scope = tuple[str, int]


@dataclass
class PlatformState:
    """Everything the Platform emulator serves. Every access goes through ``lock``.

    Knobs for tests: ``duplicate_name_status`` (what ``POST /credentials`` answers for a name
    already taken; the real status is undocumented, 409 by default), ``wave_enabled`` (what
    ``/service-info`` says: an Enterprise install without Wave answers ``false``) and
    ``registry_login_servers`` (the sandbox's ACR hosts, for whoever seeds credentials for them).
    """

    accounts: dict[int, PlatformAccount] = field(default_factory=dict)
    orgs: dict[int, Organization] = field(default_factory=dict)
    workspaces: dict[int, Workspace] = field(default_factory=dict)
    credentials: dict[Scope, list[StoredCredential]] = field(default_factory=dict)
    # Launchpad, by workspace id (0: personal): see preflight.sandbox.platform_launches.
    compute_envs: dict[int, list[StoredComputeEnv]] = field(default_factory=dict)
    pipelines: dict[int, list[StoredPipeline]] = field(default_factory=dict)
    registry_login_servers: tuple[str, ...] = ()
    duplicate_name_status: int = 409
    wave_enabled: bool = True
    version: str = "v26.1.0"
    api_version: str = "1.187.0"
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    _seed: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # -- seed -------------------------------------------------------------------------------

    def snapshot_seed(self) -> None:
        """Remember the current world as the one :meth:`reset` restores."""
        with self.lock:
            self._seed = copy.deepcopy(self._fields())

    def reset(self) -> None:
        """Restore the seeded world: accounts, tokens, workspaces, roles, credentials, knobs."""
        with self.lock:
            for name, value in copy.deepcopy(self._seed).items():
                setattr(self, name, value)

    def _fields(self) -> dict[str, Any]:
        return {
            "accounts": self.accounts,
            "orgs": self.orgs,
            "workspaces": self.workspaces,
            "credentials": self.credentials,
            "compute_envs": self.compute_envs,
            "pipelines": self.pipelines,
            "registry_login_servers": self.registry_login_servers,
            "duplicate_name_status": self.duplicate_name_status,
            "wave_enabled": self.wave_enabled,
        }

    # -- look-ups ---------------------------------------------------------------------------

    def account_by_token(self, token: str) -> PlatformAccount | None:
        with self.lock:
            return next(
                (a for a in self.accounts.values() if secrets.compare_digest(a.token, token)),
                None,
            )

    def account_by_name(self, user_name: str) -> PlatformAccount:
        with self.lock:
            return next(a for a in self.accounts.values() if a.user_name == user_name)

    def token_of(self, user_name: str) -> str:
        """The access token of a seeded user (``demo-user``, ``viewer-user``)."""
        return self.account_by_name(user_name).token

    def workspace_by_name(self, org: str, name: str) -> Workspace:
        with self.lock:
            org_ids = {o.id for o in self.orgs.values() if o.name == org}
            return next(
                w for w in self.workspaces.values() if w.org_id in org_ids and w.name == name
            )

    def role_in(self, user_id: int, workspace_id: int | None) -> str | None:
        """The user's role in a workspace (``owner`` in their own personal one), or ``None``."""
        with self.lock:
            if workspace_id is None:
                return "owner"
            workspace = self.workspaces.get(workspace_id)
            return workspace.roles.get(user_id) if workspace else None

    def scope(self, user_id: int, workspace_id: int | None) -> Scope:
        return ("user", user_id) if workspace_id is None else ("workspace", workspace_id)

    def credentials_in(self, user_id: int, workspace_id: int | None) -> list[StoredCredential]:
        """The live list of a workspace's credentials (personal: the user's own), in order."""
        with self.lock:
            return self.credentials.setdefault(self.scope(user_id, workspace_id), [])

    def registry_passwords(
        self, registry: str, workspace_id: int | None, owner: str = DEMO_USER
    ) -> list[str]:
        """The stored passwords of the workspace's credentials for ``registry`` (tests: what
        ``fix`` stored is what Azure generated, and must appear in no output)."""
        with self.lock:
            user_id = self.account_by_name(owner).id
            return [
                c.password
                for c in self.credentials_in(user_id, workspace_id)
                if c.keys.get("registry") == registry and c.password
            ]

    def add_registry_credential(
        self,
        *,
        name: str,
        registry: str | None,
        user_name: str,
        password: str,
        workspace_id: int | None,
        owner: str = DEMO_USER,
    ) -> StoredCredential:
        """Store a ``container-reg`` credential directly (tests); ``registry`` kept verbatim."""
        with self.lock:
            user_id = self.account_by_name(owner).id
            credential = StoredCredential(
                id=new_credential_id(),
                name=name,
                provider="container-reg",
                keys={
                    "userName": user_name,
                    "registry": registry,
                    "discriminator": "container-reg",
                },
                password=password,
            )
            self.credentials_in(user_id, workspace_id).append(credential)
            return credential

    def describe(self) -> dict[str, Any]:
        """The demo user's identity for ``sandbox up --json``: token, id, org workspaces."""
        with self.lock:
            user = self.account_by_name(DEMO_USER)
            rows = []
            for workspace in self.workspaces.values():
                role = workspace.roles.get(user.id)
                if role is not None:
                    rows.append(
                        {
                            "id": workspace.id,
                            "org": self.orgs[workspace.org_id].name,
                            "name": workspace.name,
                            "role": role,
                        }
                    )
            from preflight.sandbox.platform_launch_routes import describe_launchpad

            return {
                "access_token": user.token,
                "user_id": user.id,
                "workspaces": rows,
                "launchpad": describe_launchpad(self),
            }


def seed_platform_state(registry_login_servers: list[str]) -> PlatformState:
    """The demo world: ``demo-user`` (owner of acme/pipelines, launch in acme/research) and
    ``viewer-user`` (view in acme/pipelines, connect in acme/research), each with a personal
    workspace and a fresh random token. No ACR credentials: the demo starts without them; an
    unrelated Docker Hub credential and a cloud credential make the listings realistic. The
    Launchpad of acme/pipelines: :func:`~preflight.sandbox.platform_launches.seed_launchpad`.
    """
    demo = PlatformAccount(4242, DEMO_USER, "demo-user@example.org", _token())
    viewer = PlatformAccount(4343, VIEWER_USER, "viewer-user@example.org", _token())
    org = Organization(
        77001, ORG_NAME, "Acme Genomics", members={demo.id: "owner", viewer.id: "member"}
    )
    pipelines = Workspace(
        184950001,
        org.id,
        "pipelines",
        "Acme pipelines",
        roles={demo.id: "owner", viewer.id: "view"},
    )
    research = Workspace(
        184950002,
        org.id,
        "research",
        "Acme research",
        visibility="SHARED",
        roles={demo.id: "launch", viewer.id: "connect"},
    )
    state = PlatformState(
        accounts={demo.id: demo, viewer.id: viewer},
        orgs={org.id: org},
        workspaces={pipelines.id: pipelines, research.id: research},
        registry_login_servers=tuple(registry_login_servers),
    )
    state.credentials[("workspace", pipelines.id)] = [
        StoredCredential(
            id=new_credential_id(),
            name="dockerhub",
            provider="container-reg",
            keys={
                "userName": "acme-bot",
                "registry": "docker.io",
                "discriminator": "container-reg",
            },
            password=_token(),
        ),
        StoredCredential(
            id=new_credential_id(),
            name="azure-batch",
            provider="azure",
            keys={"batchName": "acmebatch", "storageName": "acmestore", "discriminator": "azure"},
            password=None,
        ),
    ]
    from preflight.sandbox.platform_launches import seed_launchpad

    seed_launchpad(state, pipelines.id)
    state.snapshot_seed()
    return state


def _token() -> str:
    return secrets.token_urlsafe(36)
