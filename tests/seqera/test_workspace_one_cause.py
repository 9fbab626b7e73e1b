"""One cause, one finding: the wave and credentials checks together on the run's workspace.

The credentials check owns the comparison of the workspace it checked with the one Wave will
read; the wave check owns a workspace id Nextflow cannot use (non-numeric), wherever it is set —
the configuration or ``TOWER_WORKSPACE_ID`` — as a ``fail`` with the place, so both end in
exit 1. Only preflight's own ``-w`` stays unusable input (exit 2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from preflight.checks.base import (
    CheckContext,
    gate_exit_code,
    run_checks,
)
from preflight.checks.credentials import CredentialsCheck
from preflight.checks.services import Services
from preflight.checks.wave import WaveCheck
from preflight.errors import EXIT_FAIL, EXIT_INPUT
from preflight.model import Finding, ImageUse, Report, Status
from preflight.pipeline import PipelineSpec
from preflight.sandbox.platform import PlatformState
from preflight.sandbox.platform_state import DEMO_USER
from preflight.secret import Secret
from preflight.seqera.client import PlatformClient
from preflight.settings import Settings

from .conftest import ENDPOINT, LOGIN_SERVER

IMAGE = ImageUse(
    image=f"{LOGIN_SERVER}/tools/align:1.0",
    registry=LOGIN_SERVER,
    repository="tools/align",
    tag="1.0",
    digest=None,
    acr=True,
    processes=("ALIGN",),
)


def checks(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    token: str,
    *,
    config: str,
    environ: Mapping[str, str],
    workspace: str | None,
) -> Report:
    """The wave and credentials checks as a run builds them; ``workspace`` is what
    ``-w`` / ``TOWER_WORKSPACE_ID`` gave the settings."""
    (tmp_path / "nextflow.config").write_text("wave.enabled = true\n" + config)
    environ = {"TOWER_ACCESS_TOKEN": token, **environ}
    context = CheckContext(
        spec=PipelineSpec.locate(tmp_path),
        settings=Settings(
            platform_endpoint=ENDPOINT, workspace=workspace, platform_token=Secret(token)
        ),
        services=Services(platform=lambda: make_client(token=token)),
    )
    context.facts.image_uses.provide((IMAGE,))
    return run_checks((WaveCheck(environ), CredentialsCheck()), context)


def about_workspace(report: Report) -> list[Finding]:
    """The findings that are not a pass and are about the workspace (or could not check)."""
    return [
        f
        for f in report.findings
        if f.status is Status.ERROR
        or (f.status is not Status.PASS and f.subject in ("tower.workspaceId", "workspace"))
    ]


def test_a_config_workspace_other_than_the_checked_one_is_one_finding(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
) -> None:
    research = state.workspace_by_name("acme", "research").id
    pipelines = state.workspace_by_name("acme", "pipelines").id
    report = checks(
        tmp_path,
        make_client,
        state.token_of(DEMO_USER),
        config=f"tower.workspaceId = {research}\n",
        environ={"TOWER_WORKSPACE_ID": str(pipelines)},
        workspace=str(pipelines),
    )
    [mismatch] = [f for f in about_workspace(report) if f.status is Status.FAIL]
    assert (mismatch.check, mismatch.subject) == ("credentials", "workspace")
    assert mismatch.details["wave_workspace_id"] == research
    [wave] = [f for f in report.findings if f.subject == "tower.workspaceId"]
    assert wave.status is Status.PASS  # the fact of where Wave looks, not a second verdict


def test_a_non_numeric_config_workspace_is_the_wave_checks_fail(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
) -> None:
    report = checks(
        tmp_path,
        make_client,
        state.token_of(DEMO_USER),
        config="tower.workspaceId = 'prod'\n",
        environ={},
        workspace=None,
    )
    [fail] = about_workspace(report)
    assert (fail.check, fail.status) == ("wave", Status.FAIL)
    assert str(fail.location) == "nextflow.config:2:1"
    assert gate_exit_code(report) == EXIT_FAIL


def test_a_non_numeric_tower_workspace_id_is_the_same_fail_reported_once(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
) -> None:
    report = checks(
        tmp_path,
        make_client,
        state.token_of(DEMO_USER),
        config="",
        environ={"TOWER_WORKSPACE_ID": "prod"},
        workspace="prod",
    )
    [fail] = [f for f in report.findings if f.status in (Status.FAIL, Status.ERROR)]  # one cause
    assert (fail.check, fail.subject) == ("wave", "tower.workspaceId")
    assert "TOWER_WORKSPACE_ID is 'prod'" in fail.message and fail.remedy
    [skip] = [f for f in report.findings if f.check == "credentials"]
    assert skip.status is Status.SKIP and "see the wave check" in skip.message
    assert gate_exit_code(report) == EXIT_FAIL


def test_preflight_s_own_w_option_stays_unusable_input(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
) -> None:
    report = checks(
        tmp_path, make_client, state.token_of(DEMO_USER), config="", environ={}, workspace="prod"
    )
    [error] = [f for f in report.findings if f.status is Status.ERROR]
    assert error.check == "credentials"
    assert "neither a numeric id nor org/workspace" in error.message
    assert gate_exit_code(report) == EXIT_INPUT
