"""``preflight check --launchpad`` and ``preflight run -- tw launch`` as a user runs them.

Against the sandbox's Platform over HTTPS, with its ``env`` exported; the Launchpad's
repository is a real Git repository of the demo pipeline (``v1.0`` leaves Wave off).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from preflight import cli
from preflight.errors import EXIT_FAIL, EXIT_INPUT
from preflight.sandbox.runtime import Sandbox

from .demo_repository import make_demo_repository

pytestmark = pytest.mark.sandbox


@pytest.fixture
def demo_repo(sandbox_env: Sandbox, tmp_path: Path) -> Path:
    repository = make_demo_repository(tmp_path / "demo-pipeline")
    state = sandbox_env.platform
    with state.lock:
        for pipelines in state.pipelines.values():
            for pipeline in pipelines:
                pipeline.repository = repository.as_uri()
    return repository


def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = cli.main(["check", *args, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def wave_enabled(report: dict[str, Any]) -> dict[str, Any]:
    (finding,) = [f for f in report["findings"] if f["subject"] == "wave.enabled"]
    assert isinstance(finding, dict)
    return finding


def test_the_compute_environment_turns_wave_on(
    demo_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, report = check_json(capsys, "--launchpad", "demo-pipeline", "-w", "acme/pipelines")
    finding = wave_enabled(report)
    assert finding["status"] == "pass"
    assert "compute environment azure-batch-wave" in finding["message"]


def test_wave_off_names_the_compute_environment_in_platform_terms(
    demo_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = check_json(capsys, "--launchpad", "demo-pipeline-nowave", "-w", "acme/pipelines")
    assert code == EXIT_FAIL
    finding = wave_enabled(report)
    assert finding["status"] == "fail"
    assert "compute environment azure-batch: Wave containers is off" in finding["message"]
    assert '"Wave containers"' in finding["remedy"]
    assert "wave.enabled = true" in finding["remedy"]
    assert "preflight fix" not in finding["remedy"]


def test_an_unknown_launchpad_pipeline_is_unusable_input(
    demo_repo: Path, capsys: pytest.CaptureFixture[str], sandbox_env: Sandbox
) -> None:
    code = cli.main(["check", "--launchpad", "nope", "-w", "acme/pipelines"])
    captured = capsys.readouterr()
    assert code == EXIT_INPUT
    assert "no Launchpad pipeline named 'nope'" in captured.err
    assert sandbox_env.platform.describe()["access_token"] not in captured.out + captured.err


def test_a_pipeline_and_a_launchpad_are_not_both_given(
    demo_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check", str(demo_repo), "--launchpad", "demo-pipeline"]) == EXIT_INPUT
    assert "--launchpad" in capsys.readouterr().err


def _fake_tw(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "tw"
    script.write_text('#!/bin/sh\necho "fake tw: $*" >&2\nexit 42\n')
    script.chmod(0o755)
    return bin_dir


def run_tw(
    tmp_path: Path, *words: str, options: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """``preflight run [options] -- tw launch WORDS`` in a subprocess, ``tw`` a fake on PATH."""
    env = {k: v for k, v in os.environ.items() if k.startswith(("TOWER_", "PREFLIGHT_", "AZURE_"))}
    env.update({"PATH": f"{_fake_tw(tmp_path)}:/usr/bin:/bin", "HOME": str(tmp_path)})
    # This test's own preflight, wherever it is imported from.
    env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in sys.path if p)
    command = [sys.executable, "-m", "preflight", "run", "--format", "json", *options]
    return subprocess.run(
        [*command, "--", "tw", "launch", *words],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )


def test_run_gates_a_tw_launch_then_becomes_it(demo_repo: Path, tmp_path: Path) -> None:
    refused = run_tw(tmp_path, "demo-pipeline-nowave", "-w", "acme/pipelines")
    assert refused.returncode == EXIT_FAIL, refused.stderr
    assert "fake tw" not in refused.stderr
    assert wave_enabled(json.loads(refused.stdout))["status"] == "fail"
    # v1.1 enables Wave in the repository: the --revision of tw launch is what is checked.
    passed = run_tw(
        tmp_path,
        "demo-pipeline-nowave",
        "-w",
        "acme/pipelines",
        "--revision",
        "v1.1",
        options=("--offline",),
    )
    assert passed.returncode == 42, passed.stderr  # tw's own exit code: preflight became tw
    assert "fake tw: launch demo-pipeline-nowave" in passed.stderr
    assert wave_enabled(json.loads(passed.stdout))["status"] == "pass"
    token = os.environ["TOWER_ACCESS_TOKEN"]
    assert token not in refused.stdout + refused.stderr + passed.stdout + passed.stderr


def test_tw_launch_config_is_the_top_layer(demo_repo: Path, tmp_path: Path) -> None:
    extra = tmp_path / "launch.config"
    extra.write_text("// from tw launch --config\nwave.enabled = true\n")
    result = run_tw(
        tmp_path,
        "demo-pipeline-nowave",
        "-w",
        "acme/pipelines",
        "--config",
        str(extra),
        options=("--offline",),
    )
    finding = wave_enabled(json.loads(result.stdout))
    assert finding["status"] == "pass"
    assert "launch config text:2" in finding["message"]
    assert result.returncode == 42
