"""``preflight fix`` as a user runs it, against the sandbox: plan, confirm, apply, prove."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import preflight
from preflight.checks.base import CheckOptions
from preflight.cli import main
from preflight.pipeline import PipelineSpec
from preflight.provision.fix import apply_fix, plan_fix
from preflight.provision.planner import ProvisionOptions
from preflight.provision.session import discover_images
from preflight.settings import Settings
from preflight.wiring import build_services, run_all_checks

if TYPE_CHECKING:
    from preflight.sandbox.runtime import Sandbox

pytestmark = pytest.mark.sandbox
ACR = "sandboxacr.azurecr.io"
DEMO = Path(preflight.__file__).parent / "sandbox" / "data" / "demo-pipeline"


@pytest.fixture
def pipeline(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(DEMO, target)
    return target


@pytest.fixture
def invoke(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``preflight fix ARGS`` through ``main`` (exit codes as a user gets them)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["fix", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_dry_run_shows_the_plan_and_changes_nothing(
    sandbox_env: Sandbox, pipeline: Path, invoke: Callable[..., tuple[int, str, str]]
) -> None:
    before = (pipeline / "nextflow.config").read_bytes()
    code, out, _ = invoke(str(pipeline), "--dry-run", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["applied"] is False
    plan = data["plan"]
    assert plan["wave"]["outcome"] == "planned"
    [registry] = plan["registries"]
    assert registry["registry"] == ACR and registry["outcome"] == "planned"
    assert registry["repositories"] == ["team/app", "team/tool"]
    assert (pipeline / "nextflow.config").read_bytes() == before
    assert set(sandbox_env.azure.registries[ACR].tokens) == {"pipeline-reader"}


def test_without_a_terminal_fix_needs_yes(
    sandbox_env: Sandbox, pipeline: Path, invoke: Callable[..., tuple[int, str, str]]
) -> None:
    code, _, err = invoke(str(pipeline))
    assert code == 2
    assert "--yes" in err


def test_fix_yes_provisions_shows_no_secret_and_a_second_run_plans_nothing(
    sandbox_env: Sandbox, pipeline: Path, invoke: Callable[..., tuple[int, str, str]]
) -> None:
    code, out, err = invoke(str(pipeline), "--yes")
    assert code == 0, err
    assert "create token wave-pull-" in out and "Done:" in out
    assert (
        "wave.enabled" in (pipeline / "nextflow.config").read_text()
        or "enabled = true" in (pipeline / "nextflow.config").read_text()
    )
    [password] = sandbox_env.platform.registry_passwords(
        ACR, int(sandbox_env.env["TOWER_WORKSPACE_ID"])
    )
    assert password not in out and password not in err
    token = sandbox_env.azure.registries[ACR].tokens[
        f"wave-pull-{sandbox_env.env['TOWER_WORKSPACE_ID']}"
    ]
    assert token.enabled

    code, out, err = invoke(str(pipeline), "--yes", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["plan"]["empty"] is True and data["applied"] is False
    assert password not in out and password not in err


def test_only_wave_touches_no_service(
    sandbox_env: Sandbox, pipeline: Path, invoke: Callable[..., tuple[int, str, str]]
) -> None:
    code, out, err = invoke(str(pipeline), "--only", "wave", "--yes", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["result"]["wave_written"] == "nextflow.config"
    assert "registries" not in data["plan"]
    assert set(sandbox_env.azure.registries[ACR].tokens) == {"pipeline-reader"}


def test_check_passes_with_the_pull_handshake_right_after_fix(
    sandbox_env: Sandbox, pipeline: Path
) -> None:
    spec = PipelineSpec.locate(pipeline, launch_dir=pipeline)
    settings = Settings.from_environ(os.environ)
    services = build_services(settings, os.environ)
    try:
        plan = plan_fix(
            spec,
            images=lambda s: discover_images(s, settings),
            arm=lambda: services.arm,
            platform=lambda: services.platform,
            workspace=settings.workspace,
            options=ProvisionOptions(),
        )
        result = apply_fix(plan, arm=lambda: services.arm, platform=lambda: services.platform)
    finally:
        services.close()
    passwords = dict(result.applied.passwords)
    assert set(passwords) == {ACR}
    report = run_all_checks(spec, settings, CheckOptions(registry_passwords=passwords), os.environ)
    failing = [f for f in report.findings if f.status.blocks]
    assert report.passed, failing
    assert any(f.check == "pull" and f.status.value == "pass" for f in report.findings)
    secret = passwords[ACR].reveal()
    assert all(secret not in f"{f.message} {f.remedy} {dict(f.details)}" for f in report.findings)


def test_run_fix_hands_the_new_password_to_the_checks_and_prints_only_on_stderr(
    sandbox_env: Sandbox, pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from preflight.cli.fix import fix_for_run

    spec = PipelineSpec.locate(pipeline, launch_dir=pipeline)
    given = CheckOptions(offline=False)
    options = fix_for_run(spec, Settings.from_environ(os.environ), given)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "create token wave-pull-" in captured.err
    assert set(options.registry_passwords) == {ACR}
    [password] = sandbox_env.platform.registry_passwords(
        ACR, int(sandbox_env.env["TOWER_WORKSPACE_ID"])
    )
    assert options.registry_passwords[ACR].reveal() == password
    assert password not in captured.err
