"""The Seqera Platform pre-run script: stops the launch on a failing gate, lets it go on a pass.

It is run with stub ``preflight`` and ``nextflow`` commands on PATH, both executed and sourced
(the launcher may do either), and must not leave options or variables in a sourcing shell.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from integration_support import (
    PROJECT,
    PYTHON_BIN,
    STUB_PREFLIGHT,
    SYSTEM_PATH,
    base_env,
    recorded_args,
    stub,
)

SCRIPT = PROJECT / "examples" / "seqera-pre-run.sh"

STUB_NEXTFLOW = """#!/usr/bin/env bash
printf '%s\\n' "$@" > "$STUB_DIR/nextflow.args"
mkdir -p "$NXF_HOME/assets/acme/rnaseq"
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    stubs = tmp_path / "stubs"
    stub(stubs, "preflight", STUB_PREFLIGHT)
    stub(stubs, "nextflow", STUB_NEXTFLOW)
    return {
        **base_env(tmp_path, f"{stubs}:{SYSTEM_PATH}"),
        "STUB_DIR": str(stubs),
        "NXF_HOME": str(tmp_path / "nxf"),
        "TOWER_WORKSPACE_ID": "4021",
        **extra,
    }


def _execute(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


def test_script_is_valid_bash() -> None:
    result = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_a_passing_gate_lets_the_launch_go_on(tmp_path: Path) -> None:
    pipeline = tmp_path / "pipeline"
    pipeline.mkdir()
    env = _env(
        tmp_path,
        PREFLIGHT_PIPELINE=str(pipeline),
        PREFLIGHT_PROFILE="azure,test",
        PREFLIGHT_ARGS="--param genome=GRCh38",
        STUB_EXIT="0",
    )
    result = _execute(env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "stub preflight ran" in result.stdout  # the report reaches the run's log
    assert recorded_args(tmp_path / "stubs") == [
        "check",
        str(pipeline),
        "--platform-launch",
        "--format",
        "text",
        "-profile",
        "azure,test",
        "--param",
        "genome=GRCh38",
    ]
    assert "stopping" not in result.stderr


@pytest.mark.parametrize("code", [1, 2, 3])
def test_a_failing_gate_stops_the_launch(tmp_path: Path, code: int) -> None:
    pipeline = tmp_path / "pipeline"
    pipeline.mkdir()
    result = _execute(
        _env(tmp_path, PREFLIGHT_PIPELINE=str(pipeline), STUB_EXIT=str(code)), tmp_path
    )
    assert result.returncode == code
    assert f"stopping this run (exit {code})" in result.stderr


def test_a_repository_is_fetched_as_nextflow_fetches_it(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        PREFLIGHT_PIPELINE="https://github.com/acme/rnaseq.git",
        PREFLIGHT_REVISION="v1.2",
        STUB_EXIT="0",
    )
    result = _execute(env, tmp_path)
    assert result.returncode == 0, result.stderr
    stubs = tmp_path / "stubs"
    assert recorded_args(stubs, "nextflow") == [
        "pull",
        "https://github.com/acme/rnaseq.git",
        "-r",
        "v1.2",
    ]
    assert recorded_args(stubs)[1] == str(tmp_path / "nxf" / "assets" / "acme" / "rnaseq")


def test_org_slash_repo_without_a_revision(tmp_path: Path) -> None:
    env = _env(tmp_path, PREFLIGHT_PIPELINE="acme/rnaseq", STUB_EXIT="0")
    assert _execute(env, tmp_path).returncode == 0
    assert recorded_args(tmp_path / "stubs", "nextflow") == ["pull", "acme/rnaseq"]


def test_without_a_pipeline_it_stops_and_says_what_to_set(tmp_path: Path) -> None:
    result = _execute(_env(tmp_path), tmp_path)
    assert result.returncode == 2
    assert "PREFLIGHT_PIPELINE" in result.stderr


def test_without_preflight_it_stops_and_says_how_to_get_it(tmp_path: Path) -> None:
    if shutil.which("preflight", path=SYSTEM_PATH):
        pytest.skip("preflight is installed system-wide here")
    pipeline = tmp_path / "pipeline"
    pipeline.mkdir()
    env = {**base_env(tmp_path, SYSTEM_PATH), "PREFLIGHT_PIPELINE": str(pipeline)}
    result = _execute(env, tmp_path)
    assert result.returncode == 2
    assert "PREFLIGHT_INSTALL" in result.stderr


SOURCING = """
set -e
before="$(set +o)"
source "$1"
echo "launch goes on"
[ "$before" = "$(set +o)" ] || { echo "shell options changed"; exit 9; }
if declare -F preflight_gate >/dev/null || [ -n "${pipeline+x}" ] || [ -n "${status+x}" ]; then
    echo "names left behind"; exit 9
fi
"""


@pytest.mark.parametrize(("code", "goes_on"), [(0, True), (1, False)])
def test_sourced_by_the_launcher(tmp_path: Path, code: int, goes_on: bool) -> None:
    pipeline = tmp_path / "pipeline"
    pipeline.mkdir()
    env = _env(tmp_path, PREFLIGHT_PIPELINE=str(pipeline), STUB_EXIT=str(code))
    result = subprocess.run(
        ["bash", "-c", SOURCING, "launcher", str(SCRIPT)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == code, result.stdout + result.stderr
    assert ("launch goes on" in result.stdout) is goes_on


def test_end_to_end_with_the_real_command(tmp_path: Path) -> None:
    """Offline, with the real preflight: Wave off in the config stops the run, on lets it go."""
    pipeline = tmp_path / "pipeline"
    pipeline.mkdir()
    (pipeline / "main.nf").write_text(
        "process FASTQC {\n  container 'labacr.azurecr.io/tools/fastqc:0.12.1'\n"
        '  script:\n  "echo hi"\n}\nworkflow { FASTQC() }\n'
    )
    env = {
        **base_env(tmp_path, f"{PYTHON_BIN}:{SYSTEM_PATH}"),
        "TMPDIR": str(tmp_path),
        "PREFLIGHT_PIPELINE": str(pipeline),
        "PREFLIGHT_ARGS": "--offline",
        "TOWER_ACCESS_TOKEN": "a-platform-token-value",
        "TOWER_WORKSPACE_ID": "4021",
    }
    for wave, code in (("false", 1), ("true", 0)):
        (pipeline / "nextflow.config").write_text(f"wave.enabled = {wave}\n")
        result = _execute(env, tmp_path)
        assert result.returncode == code, result.stdout + result.stderr
        assert result.stdout.splitlines()[-1].startswith("PASS" if code == 0 else "FAIL")
        assert ("stopping this run" in result.stderr) is bool(code)
        assert "a-platform-token-value" not in result.stdout + result.stderr
