"""Which workspace is checked, and which one Wave will really read credentials from.

The checked workspace comes from ``-w`` / ``TOWER_WORKSPACE_ID``: a numeric id, ``org/workspace``
(split on the one ``/``, each side trimmed, compared case-sensitively — as tw does), or nothing
for the personal workspace. Wave, on the other hand, reads exactly one workspace:
``tower.workspaceId`` from the Nextflow configuration when set, else ``TOWER_WORKSPACE_ID``, else
the personal workspace; for a run launched by Seqera Platform only the launch environment counts
(the configuration is ignored). It must be numeric. When the two differ, every credential
finding is about the wrong workspace — :func:`workspace_mismatch` says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from preflight.errors import InputError
from preflight.model import Finding, Status
from preflight.seqera.models import PERSONAL_WORKSPACE_NAME, PlatformUser, WorkspaceRef
from preflight.seqera.roles import can_create_credentials, can_read_credentials

__all__ = [
    "WaveWorkspace",
    "can_create_credentials",
    "can_read_credentials",
    "personal_workspace",
    "resolve_workspace",
    "wave_workspace",
    "workspace_mismatch",
]


_FORMS = "write the workspace as a numeric id or as org/workspace, e.g. acme/pipelines"


def personal_workspace(user: PlatformUser) -> WorkspaceRef:
    """The user's personal workspace: no id, no organisation, and the user owns it."""
    return WorkspaceRef(
        id=None,
        name=PERSONAL_WORKSPACE_NAME,
        org_id=None,
        org_name=None,
        role="owner",
        personal=True,
    )


def resolve_workspace(
    reference: str | None, user: PlatformUser, workspaces: Sequence[WorkspaceRef]
) -> WorkspaceRef:
    """The workspace ``reference`` names among the user's ``workspaces``.

    ``None`` or empty → personal. Raises :class:`InputError` for a malformed reference or one
    the user has no workspace for, listing the workspaces they do have.
    """
    text = (reference or "").strip()
    if not text:
        return personal_workspace(user)
    if "/" in text:
        parts = text.split("/")
        if len(parts) != 2 or not all(p.strip() for p in parts):
            raise InputError(
                f"workspace {text!r} is not ORGANIZATION/WORKSPACE",
                remedy=_FORMS,
            )
        org, name = (p.strip() for p in parts)
        found = next((w for w in workspaces if w.org_name == org and w.name == name), None)
    elif text.isdigit():
        found = next((w for w in workspaces if w.id == int(text)), None)
    else:
        raise InputError(
            f"workspace {text!r} is neither a numeric id nor org/workspace",
            remedy=_FORMS,
        )
    if found is None:
        raise InputError(
            f"user {user.user_name!r} has no workspace {text!r} (names are case-sensitive)",
            remedy=_choices(workspaces),
        )
    return found


@dataclass(frozen=True)
class WaveWorkspace:
    """The workspace Wave will read credentials from, and where that choice came from.

    ``id`` ``None`` is the personal workspace. ``source`` is for messages, e.g.
    ``tower.workspaceId in the configuration``. ``ignored`` names a setting that a
    Platform-launched run will not honour, when there is one.
    """

    id: int | None
    source: str
    ignored: str = ""


def wave_workspace(
    *,
    config_workspace_id: str | int | None,
    env_workspace_id: str | None,
    platform_launch: bool = False,
    where: str = "",
) -> WaveWorkspace:
    """Nextflow's rule for the workspace it hands Wave.

    ``config_workspace_id`` is ``tower.workspaceId`` from the resolved configuration (``where``:
    its ``file:line``), ``env_workspace_id`` is ``TOWER_WORKSPACE_ID`` (for a Platform launch:
    the launch workspace). Raises :class:`InputError` for a value that is not numeric, as
    Nextflow refuses it.
    """
    config = None if config_workspace_id is None else str(config_workspace_id).strip()
    env = (env_workspace_id or "").strip() or None
    if platform_launch:
        ignored = "tower.workspaceId in the configuration" if config else ""
        if env is None:
            return WaveWorkspace(None, "the launch (personal workspace)", ignored)
        return WaveWorkspace(
            _numeric(env, "TOWER_WORKSPACE_ID", ""), "the launch workspace", ignored
        )
    if config:
        return WaveWorkspace(
            _numeric(config, "tower.workspaceId", where),
            f"tower.workspaceId in the configuration{f' ({where})' if where else ''}",
        )
    if env is not None:
        return WaveWorkspace(_numeric(env, "TOWER_WORKSPACE_ID", ""), "TOWER_WORKSPACE_ID")
    return WaveWorkspace(None, "no workspace set (personal workspace)")


def workspace_mismatch(checked: WorkspaceRef, wave: WaveWorkspace) -> Finding | None:
    """A ``fail`` finding when the run's Wave reads another workspace than the one checked."""
    if checked.id == wave.id:
        return None
    used = "the personal workspace" if wave.id is None else f"workspace id {wave.id}"
    target = (
        "remove tower.workspaceId and TOWER_WORKSPACE_ID"
        if checked.id is None
        else f"set tower.workspaceId = {checked.id}"
    )
    option = "without -w" if wave.id is None else f"-w {wave.id}"
    return Finding(
        check="credentials",
        status=Status.FAIL,
        subject="workspace",
        message=(
            f"credentials were checked in {checked.describe()}, but Wave will read "
            f"{used} ({wave.source}); Wave never looks in another workspace"
        ),
        remedy=f"check the workspace Wave uses ({option}), or make the run use the checked "
        f"one ({target})",
        details={
            "checked_workspace_id": checked.id,
            "wave_workspace_id": wave.id,
            "wave_workspace_source": wave.source,
        },
    )


def _numeric(value: str, setting: str, where: str) -> int:
    if value.isdigit():
        return int(value)
    raise InputError(
        f"{setting} is {value!r}, but Nextflow accepts only a numeric workspace id",
        remedy=f"set {setting} to the workspace's numeric id (preflight prints it for -w org/name)",
        where=where,
    )


def _choices(workspaces: Sequence[WorkspaceRef]) -> str:
    if not workspaces:
        return "you belong to no organisation workspace; omit -w to use your personal workspace"
    listed = ", ".join(f"{w.full_name} (id {w.id})" for w in workspaces)
    return f"use one of: {listed}, or omit -w for your personal workspace"
