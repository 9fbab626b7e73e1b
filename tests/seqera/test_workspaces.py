"""Workspace references as tw reads them, and the workspace Wave really reads."""

from __future__ import annotations

import pytest

from preflight.errors import InputError
from preflight.model import Status
from preflight.seqera.models import PlatformUser, WorkspaceRef
from preflight.seqera.roles import can_list_credentials, strongest
from preflight.seqera.workspaces import (
    can_create_credentials,
    can_read_credentials,
    resolve_workspace,
    wave_workspace,
    workspace_mismatch,
)

USER = PlatformUser(1, "demo-user", "d@example.org")
PIPELINES = WorkspaceRef(11, "pipelines", 5, "acme", "owner")
RESEARCH = WorkspaceRef(12, "research", 5, "acme", "launch")
OTHER = WorkspaceRef(13, "pipelines", 6, "Acme", "view")
ALL = [PIPELINES, RESEARCH, OTHER]


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("acme/pipelines", PIPELINES),
        (" acme / research ", RESEARCH),
        ("Acme/pipelines", OTHER),  # case-sensitive: another organisation
        ("12", RESEARCH),
    ],
)
def test_resolve(reference: str, expected: WorkspaceRef) -> None:
    assert resolve_workspace(reference, USER, ALL) == expected


@pytest.mark.parametrize("reference", [None, "", "  "])
def test_no_reference_is_the_personal_workspace(reference: str | None) -> None:
    personal = resolve_workspace(reference, USER, ALL)
    assert personal.personal and personal.id is None and personal.role == "owner"
    assert personal.full_name == "user"
    assert personal.describe() == "your personal workspace"


@pytest.mark.parametrize("reference", ["acme/Pipelines", "ACME/pipelines", "99", "nope/x"])
def test_unknown_workspace_lists_the_users_workspaces(reference: str) -> None:
    with pytest.raises(InputError) as info:
        resolve_workspace(reference, USER, ALL)
    assert "acme/pipelines (id 11)" in info.value.remedy
    assert "acme/research (id 12)" in info.value.remedy


@pytest.mark.parametrize("reference", ["a/b/c", "/ws", "org/", "pipelines"])
def test_malformed_reference(reference: str) -> None:
    with pytest.raises(InputError, match="workspace"):
        resolve_workspace(reference, USER, ALL)


def test_unknown_workspace_without_any() -> None:
    with pytest.raises(InputError) as info:
        resolve_workspace("acme/x", USER, [])
    assert "personal" in info.value.remedy


def test_wave_prefers_the_config_over_the_environment() -> None:
    wave = wave_workspace(
        config_workspace_id="12", env_workspace_id="11", where="nextflow.config:3"
    )
    assert wave.id == 12
    assert "tower.workspaceId" in wave.source and "nextflow.config:3" in wave.source
    assert wave_workspace(config_workspace_id=None, env_workspace_id="11").id == 11
    assert wave_workspace(config_workspace_id=12, env_workspace_id=None).id == 12
    none = wave_workspace(config_workspace_id=None, env_workspace_id=None)
    assert none.id is None and "personal" in none.source


def test_platform_launch_uses_only_the_launch_workspace() -> None:
    wave = wave_workspace(config_workspace_id="12", env_workspace_id="11", platform_launch=True)
    assert wave.id == 11 and wave.ignored
    assert not wave_workspace(
        config_workspace_id=None, env_workspace_id="11", platform_launch=True
    ).ignored


def test_wave_refuses_a_non_numeric_workspace() -> None:
    with pytest.raises(InputError, match="numeric") as info:
        wave_workspace(
            config_workspace_id="acme/pipelines", env_workspace_id=None, where="nextflow.config:7"
        )
    assert info.value.where == "nextflow.config:7"


def test_mismatch_is_a_failure_naming_both() -> None:
    assert (
        workspace_mismatch(PIPELINES, wave_workspace(config_workspace_id=11, env_workspace_id=None))
        is None
    )
    finding = workspace_mismatch(
        PIPELINES, wave_workspace(config_workspace_id=12, env_workspace_id="11")
    )
    assert finding is not None and finding.status is Status.FAIL
    assert "acme/pipelines (id 11)" in finding.message and "12" in finding.message
    assert "tower.workspaceId = 11" in finding.remedy
    personal = resolve_workspace(None, USER, ALL)
    finding = workspace_mismatch(
        personal, wave_workspace(config_workspace_id=11, env_workspace_id=None)
    )
    assert finding is not None and "personal" in finding.message


@pytest.mark.parametrize(
    ("role", "create", "read_keys"),
    [
        ("owner", True, True),
        ("admin", True, True),
        ("maintain", False, True),
        ("launch", False, True),
        ("connect", False, False),
        ("view", False, False),
        ("stranger", False, False),
    ],
)
def test_roles(role: str, create: bool, read_keys: bool) -> None:
    assert can_create_credentials(role) is create
    assert can_read_credentials(role) is read_keys
    assert can_list_credentials(role) is (role != "stranger")


def test_strongest_role() -> None:
    assert strongest(["view", "maintain", "launch"]) == "maintain"
    assert strongest(["unknown"]) is None
