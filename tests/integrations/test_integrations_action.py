"""The composite GitHub Action: its shape, and its steps' scripts run as the runner runs them."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from integration_support import (
    PROJECT,
    PYTHON_BIN,
    STUB_PREFLIGHT,
    SYSTEM_PATH,
    base_env,
    expand,
    recorded_args,
    stub,
    write_json_report,
)

ACTION = yaml.safe_load((PROJECT / "action.yml").read_text())
INPUT_USE = re.compile(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}")


def _step(step_id: str | None = None, name: str | None = None) -> dict[str, Any]:
    for step in ACTION["runs"]["steps"]:
        if (step_id and step.get("id") == step_id) or (name and step.get("name") == name):
            return dict(step)
    raise AssertionError(f"no step {step_id or name}")


def _run_step(
    step: dict[str, Any], inputs: dict[str, str], env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """Run a `run:` step as the runner does: bash --noprofile --norc -eo pipefail FILE."""
    declared = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    context = {f"inputs.{k}": v for k, v in {**declared, **inputs}.items()}
    context["github.action_path"] = str(PROJECT)
    step_env = {k: expand(str(v), context) for k, v in step.get("env", {}).items()}
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env={**env, **step_env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


# --- shape -----------------------------------------------------------------------------------


def test_is_a_composite_action_with_the_inputs_people_expect() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"pipeline", "profile", "format", "workspace", "version"} <= set(ACTION["inputs"])
    assert ACTION["inputs"]["format"]["default"] == "github"
    assert ACTION["inputs"]["pipeline"]["default"] == "."
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name


def test_every_input_used_is_declared_and_every_declared_input_is_used() -> None:
    text = (PROJECT / "action.yml").read_text()
    used = set(INPUT_USE.findall(text))
    assert used == set(ACTION["inputs"])


def test_no_input_is_pasted_into_a_script() -> None:
    """Inputs reach scripts through env only, so no input can inject shell code."""
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step.get("name")
            assert step["shell"] == "bash"


def test_sets_up_python_then_installs_from_the_action_path_then_checks() -> None:
    steps = ACTION["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    install = _step(name="Install preflight")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert "pip install" in install["run"] and '"$ACTION_PATH"' in install["run"]
    check = _step(step_id="check")
    assert "preflight check" in check["run"] and "--format json --output" in check["run"]
    assert steps.index(check) > steps.index(install)
    for name, output in ACTION["outputs"].items():
        assert output["value"].startswith("${{ steps.check.outputs."), name


# --- the install step ------------------------------------------------------------------------


@pytest.mark.parametrize(("expected", "rc"), [("", 0), ("0.1.0", 0), ("0.2.0", 1)])
def test_install_step_checks_the_version(tmp_path: Path, expected: str, rc: int) -> None:
    stubs = tmp_path / "stubs"
    stub(stubs, "preflight", STUB_PREFLIGHT)
    stub(stubs, "python", 'printf "%s\\n" "$@" > "$STUB_DIR/python.args"\n')
    env = {**base_env(tmp_path, f"{stubs}:{SYSTEM_PATH}"), "STUB_DIR": str(stubs)}
    result = _run_step(_step(name="Install preflight"), {"version": expected}, env, tmp_path)
    assert result.returncode == rc, result.stderr
    assert recorded_args(stubs, "python")[-1] == str(PROJECT)
    if rc:
        assert result.stdout.splitlines()[-1].startswith("::error title=preflight version::")


# --- the check step --------------------------------------------------------------------------


def _check(
    tmp_path: Path, inputs: dict[str, str], *, passed: bool | None, exit_code: int
) -> tuple[subprocess.CompletedProcess[str], list[str], dict[str, str]]:
    stubs = tmp_path / "stubs"
    stub(stubs, "preflight", STUB_PREFLIGHT)
    outputs = tmp_path / "github_output"
    outputs.touch()
    env = {
        **base_env(tmp_path, f"{stubs}:{PYTHON_BIN}:{SYSTEM_PATH}"),
        "STUB_DIR": str(stubs),
        "STUB_EXIT": str(exit_code),
        "GITHUB_OUTPUT": str(outputs),
        "RUNNER_TEMP": str(tmp_path),
    }
    if passed is not None:
        env["STUB_REPORT"] = str(write_json_report(tmp_path / "canned.json", passed))
    result = _run_step(_step(step_id="check"), inputs, env, tmp_path)
    return result, recorded_args(stubs), _outputs(outputs)


def test_check_step_annotates_and_fails_on_a_failing_gate(tmp_path: Path) -> None:
    inputs = {"profile": "azure,test", "workspace": "acme/rnaseq", "args": "--offline --param a=b"}
    result, args, outputs = _check(tmp_path, inputs, passed=False, exit_code=1)
    assert result.returncode == 1
    report = str(tmp_path / "preflight-report.json")
    assert args == [
        "check",
        ".",
        "-profile",
        "azure,test",
        "--workspace",
        "acme/rnaseq",
        "--offline",
        "--param",
        "a=b",
        "--format",
        "json",
        "--output",
        report,
    ]
    assert outputs == {"report": report, "exit-code": "1"}
    lines = result.stdout.splitlines()
    assert (
        "::error file=nextflow.config,line=3,col=1,title=preflight wave%3A wave.enabled::"
        "Wave is not enabled%0AFix: run: preflight fix --only wave" in lines
    )
    assert lines[-1] == "preflight: FAIL: 1 failed, 1 warning"


def test_check_step_passes_and_honours_format_and_report_path(tmp_path: Path) -> None:
    wanted = tmp_path / "out" / "r.json"
    wanted.parent.mkdir()
    inputs = {"format": "text", "json-report": str(wanted), "pipeline": "pipelines/rnaseq"}
    result, args, outputs = _check(tmp_path, inputs, passed=True, exit_code=0)
    assert result.returncode == 0, result.stderr
    assert args[:2] == ["check", "pipelines/rnaseq"] and args[-1] == str(wanted)
    assert "-profile" not in args and "--workspace" not in args
    assert outputs == {"report": str(wanted), "exit-code": "0"}
    assert result.stdout.splitlines()[-1] == "PASS: 1 warning, 1 passed"


def test_check_step_shows_no_stale_report_when_preflight_cannot_run(tmp_path: Path) -> None:
    write_json_report(tmp_path / "preflight-report.json", passed=True)  # from an earlier run
    result, _, outputs = _check(tmp_path, {}, passed=None, exit_code=2)
    assert result.returncode == 2
    assert outputs["exit-code"] == "2"
    assert "PASS" not in result.stdout
    assert not (tmp_path / "preflight-report.json").exists()


# --- the check step with the real preflight --------------------------------------------------

PIPELINE_CONFIG = """wave.enabled = true
process {
    withName: 'FASTQC' { container = 'labacr.azurecr.io/tools/fastqc:0.12.1' }
}
"""
PIPELINE_SCRIPT = """process FASTQC {
    script:
    "echo hi"
}
workflow { FASTQC() }
"""


@pytest.mark.parametrize("token", [None, "a-platform-token-value"])
def test_check_step_end_to_end_with_the_real_command(tmp_path: Path, token: str | None) -> None:
    """Offline, so only configuration and images are checked: no token means Wave cannot log in."""
    pipeline = tmp_path / "pipeline"
    pipeline.mkdir()
    (pipeline / "nextflow.config").write_text(PIPELINE_CONFIG)
    (pipeline / "main.nf").write_text(PIPELINE_SCRIPT)
    outputs = tmp_path / "github_output"
    outputs.touch()
    env = {
        **base_env(tmp_path, f"{PYTHON_BIN}:{SYSTEM_PATH}"),
        "GITHUB_OUTPUT": str(outputs),
        "RUNNER_TEMP": str(tmp_path),
        "TMPDIR": str(tmp_path),
    }
    if token:
        env["TOWER_ACCESS_TOKEN"] = token
    inputs = {"pipeline": str(pipeline), "args": "--offline"}
    result = _run_step(_step(step_id="check"), inputs, env, tmp_path)
    expected = 0 if token else 1
    assert result.returncode == expected, result.stdout + result.stderr
    assert _outputs(outputs)["exit-code"] == str(expected)
    saved_text = Path(_outputs(outputs)["report"]).read_text()
    saved = json.loads(saved_text)
    assert saved["status"] == ("pass" if token else "fail")
    assert [i["image"] for i in saved["images"]] == ["labacr.azurecr.io/tools/fastqc:0.12.1"]
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("preflight: PASS" if token else "preflight: FAIL")
    errors = [line for line in lines if line.startswith("::error ")]
    assert (errors == []) is bool(token)
    if token:
        assert token not in result.stdout + result.stderr + outputs.read_text() + saved_text
