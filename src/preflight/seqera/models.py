"""What the Platform API returns, as frozen values: the user, a workspace, a credential.

Only the fields preflight reasons about are kept. Parsing from the API's JSON lives in
``preflight.seqera.client``, so these types never see a half-formed payload.
"""

from __future__ import annotations

from dataclasses import dataclass

PERSONAL_WORKSPACE_NAME = "user"  # how tw names the personal context


@dataclass(frozen=True)
class PlatformUser:
    """The owner of the access token."""

    id: int
    user_name: str
    email: str


@dataclass(frozen=True)
class WorkspaceRef:
    """A workspace the user belongs to, with the user's role in it.

    The personal workspace has ``id`` ``None`` (the API's "no ``workspaceId``"), no organisation,
    and role ``owner``. ``role`` is one of ``owner admin maintain launch connect view``.
    """

    id: int | None
    name: str
    org_id: int | None
    org_name: str | None
    role: str
    personal: bool = False

    @property
    def full_name(self) -> str:
        """``org/name`` as tw spells it; ``user`` for the personal workspace."""
        if self.personal or self.org_name is None:
            return PERSONAL_WORKSPACE_NAME
        return f"{self.org_name}/{self.name}"

    def describe(self) -> str:
        """For a message: ``acme/pipelines (id 42)`` or ``your personal workspace``."""
        if self.personal:
            return "your personal workspace"
        return f"{self.full_name} (id {self.id})"


@dataclass(frozen=True)
class Credential:
    """One Platform credential as listed; secrets are never part of it.

    ``registry`` and ``user_name`` come from ``keys.registry`` and ``keys.userName`` and are
    ``None`` when the credential does not carry them (another provider, or an empty field).
    ``workspace_id`` is the workspace it was listed from (``None``: personal).
    """

    id: str
    name: str
    provider: str
    registry: str | None
    user_name: str | None
    date_created: str | None
    last_updated: str | None
    workspace_id: int | None
