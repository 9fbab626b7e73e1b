"""`preflight check` and `preflight run` as a user runs them, against the sandbox.

The demo pipeline (private ACR images, Wave off) is copied into each test's tmp dir; the
sandbox's env is exported, so the real clients talk to the sandbox over HTTPS.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from preflight import cli
from preflight.errors import EXIT_FAIL, EXIT_INPUT, EXIT_PASS
from preflight.sandbox.runtime import Sandbox
from preflight.secret import Secret
from preflight.seqera.client import PlatformClient
from preflight.settings import Settings
from preflight.wiring import build_http_client

# The subprocesses run the preflight these tests import (a worktree's, not an installed copy).
SOURCE_ROOT = str(Path(cli.__file__).resolve().parents[2])


@pytest.fixture
def demo_pipeline(tmp_path: Path) -> Path:
    source = resources.files("preflight.sandbox") / "data" / "demo-pipeline"
    target = tmp_path / "demo-pipeline"
    with resources.as_file(source) as path:
        shutil.copytree(path, target)
    return target


def check_json(
    pipeline: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, Any]]:
    code = cli.main(["check", str(pipeline), "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def statuses(report: dict[str, Any], check: str) -> list[str]:
    return [f["status"] for f in report["findings"] if f["check"] == check]


def test_check_fails_with_the_findings_a_user_needs(
    sandbox_env: Sandbox, demo_pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = check_json(demo_pipeline, capsys)
    assert code == EXIT_FAIL
    assert report["schema_version"] >= 1 and report["status"] == "fail"
    assert "fail" in statuses(report, "wave")
    assert "fail" in statuses(report, "credentials")
    acr = sorted(i["image"] for i in report["images"] if i["acr"])
    assert acr == ["sandboxacr.azurecr.io/team/app:1.0", "sandboxacr.azurecr.io/team/tool:2.1"]
    assert all(f["remedy"] for f in report["findings"] if f["status"] == "fail")


def test_fix_then_check_passes(
    sandbox_env: Sandbox, demo_pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["fix", str(demo_pipeline), "--yes"]) == EXIT_PASS
    fix_output = capsys.readouterr().out
    assert "Wave's pull will work" in fix_output  # the handshake with the new password
    code, report = check_json(demo_pipeline, capsys)
    assert code == EXIT_PASS, [f for f in report["findings"] if f["status"] != "pass"]
    assert set(statuses(report, "credentials")) == {"pass"}
    assert "wave {" in (demo_pipeline / "nextflow.config").read_text()


def test_password_from_env_runs_the_real_handshake(
    sandbox_env: Sandbox,
    demo_pipeline: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The seeded token's password, given as a user would, makes `check` do Wave's handshake."""
    registry = next(r for r in sandbox_env.info["registries"] if r["tokens"])
    token = registry["tokens"][0]
    config = demo_pipeline / "nextflow.config"
    config.write_text(config.read_text() + "\nwave.enabled = true\n")
    settings = Settings.from_environ(os.environ)
    assert settings.platform_token is not None
    with build_http_client(settings) as http:
        platform = PlatformClient(http, settings.platform_endpoint, settings.platform_token)
        platform.create_credential(
            int(os.environ["TOWER_WORKSPACE_ID"]),
            name="seeded-reader",
            registry=registry["login_server"],
            user_name=token["name"],
            password=Secret(token["password"]),
        )
    monkeypatch.setenv("ACR_PASSWORD", token["password"])
    code, report = check_json(demo_pipeline, capsys, "--password-env", "ACR_PASSWORD")
    pulls = [f for f in report["findings"] if f["check"] == "pull"]
    assert pulls and all("Wave's pull will work" in f["message"] for f in pulls), pulls
    assert code == EXIT_PASS
    assert token["password"] not in json.dumps(report)


def test_malformed_config_is_unusable_input(
    demo_pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (demo_pipeline / "nextflow.config").write_text("process {\n  cpus = \n")
    code = cli.main(["check", str(demo_pipeline), "--offline"])
    assert code == EXIT_INPUT
    assert "nextflow.config:" in capsys.readouterr().out


def test_run_does_not_start_the_command_when_the_gate_says_no(
    demo_pipeline: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "preflight",
            "run",
            "--offline",
            "--pipeline",
            str(demo_pipeline),
            "--",
            "touch",
            str(marker),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": SOURCE_ROOT},
    )
    assert result.returncode == EXIT_FAIL, result.stderr
    assert not marker.exists()
    assert "not running touch" in result.stderr


def test_run_becomes_the_command_when_the_gate_passes(demo_pipeline: Path, tmp_path: Path) -> None:
    config = demo_pipeline / "nextflow.config"
    config.write_text(config.read_text() + "\nwave.enabled = true\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "preflight",
            "run",
            "--offline",
            "--format",
            "json",
            "--",
            "nextflow",
            "run",
            str(demo_pipeline),
            "-profile",
            "azure",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": f"{_fake_nextflow(tmp_path)}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "PYTHONPATH": SOURCE_ROOT,
            "TOWER_ACCESS_TOKEN": "offline-token-for-wave",
        },
    )
    assert result.returncode == 42, result.stderr  # the wrapped command's own exit code
    assert "fake nextflow: run" in result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "pass"
    assert "offline-token-for-wave" not in result.stdout + result.stderr


def _fake_nextflow(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "nextflow"
    script.write_text('#!/bin/sh\necho "fake nextflow: $*" >&2\nexit 42\n')
    script.chmod(0o755)
    return bin_dir


def test_with_wave_on_the_wrapped_command_counts_as_wave_enabled(
    demo_pipeline: Path, tmp_path: Path
) -> None:
    """`nextflow run … -with-wave` turns Wave on whatever the files say: the gate must agree."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "preflight",
            "run",
            "--offline",
            "--format",
            "json",
            "--",
            "nextflow",
            "run",
            str(demo_pipeline),
            "-with-wave",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": f"{_fake_nextflow(tmp_path)}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "PYTHONPATH": SOURCE_ROOT,
            "TOWER_ACCESS_TOKEN": "offline-token-for-wave",
        },
    )
    assert result.returncode == 42, result.stdout + result.stderr
    wave = [f for f in json.loads(result.stdout)["findings"] if f["subject"] == "wave.enabled"]
    assert [f["status"] for f in wave] == ["pass"]
    assert "-with-wave" in wave[0]["message"]


def test_with_wave_option_of_check_and_fix(
    demo_pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(
        ["check", str(demo_pipeline), "--offline", "-with-wave", "--format", "json"]
    ) in (EXIT_PASS, EXIT_FAIL)
    wave = [
        f for f in json.loads(capsys.readouterr().out)["findings"] if f["subject"] == "wave.enabled"
    ]
    assert [f["status"] for f in wave] == ["pass"]
    before = (demo_pipeline / "nextflow.config").read_bytes()
    assert cli.main(["fix", str(demo_pipeline), "--only", "wave", "-with-wave", "--yes"]) == 0
    assert (demo_pipeline / "nextflow.config").read_bytes() == before  # nothing to edit


def test_with_wave_pass_points_at_no_file(
    demo_pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["check", str(demo_pipeline), "--offline", "-with-wave", "--format", "json"])
    wave = next(
        f for f in json.loads(capsys.readouterr().out)["findings"] if f["subject"] == "wave.enabled"
    )
    assert "location" not in wave


def test_capital_c_on_the_wrapped_command_replaces_the_pipeline_config(
    demo_pipeline: Path, tmp_path: Path
) -> None:
    """With -C only that file is read: Wave enabled in the pipeline's own config does not count."""
    only = tmp_path / "only.config"
    only.write_text("docker.enabled = true\n")
    config = demo_pipeline / "nextflow.config"
    config.write_text(config.read_text() + "\nwave.enabled = true\n")  # must not be read
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "preflight",
            "run",
            "--offline",
            "--format",
            "json",
            "--",
            "nextflow",
            "run",
            str(demo_pipeline),
            "-C",
            str(only),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": f"{_fake_nextflow(tmp_path)}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "PYTHONPATH": SOURCE_ROOT,
            "TOWER_ACCESS_TOKEN": "offline-token-for-wave",
        },
    )
    assert result.returncode == EXIT_FAIL, result.stdout + result.stderr
    wave = next(f for f in json.loads(result.stdout)["findings"] if f["subject"] == "wave.enabled")
    assert wave["status"] == "fail"


@pytest.mark.parametrize("before_run", [["-q"], ["-log", "x.log"], ["-bg"]])
def test_run_accepts_nextflow_options_before_run(
    demo_pipeline: Path, tmp_path: Path, before_run: list[str]
) -> None:
    """`nextflow -q run DIR`, `nextflow -c extra.config run DIR`: the launches people type."""
    extra = tmp_path / "extra.config"
    extra.write_text("wave.enabled = true\n")  # only read if the global -c is understood
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "preflight",
            "run",
            "--offline",
            "--format",
            "json",
            "--",
            "nextflow",
            *before_run,
            "-c",
            str(extra),
            "run",
            str(demo_pipeline),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": f"{_fake_nextflow(tmp_path)}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "PYTHONPATH": SOURCE_ROOT,
            "TOWER_ACCESS_TOKEN": "offline-token-for-wave",
        },
    )
    assert result.returncode == 42, result.stdout + result.stderr
    wave = next(f for f in json.loads(result.stdout)["findings"] if f["subject"] == "wave.enabled")
    assert wave["status"] == "pass"
    assert f"fake nextflow: {' '.join(before_run)} -c {extra} run" in result.stderr
