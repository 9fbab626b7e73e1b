"""The example GitHub workflow: it uses the action as declared and its report step really works."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml
from integration_support import PROJECT, PYTHON_BIN, SYSTEM_PATH, base_env, write_json_report

WORKFLOW = yaml.safe_load((PROJECT / "examples" / "github-workflow.yml").read_text())
ACTION = yaml.safe_load((PROJECT / "action.yml").read_text())


def _steps() -> list[dict[str, Any]]:
    (job,) = WORKFLOW["jobs"].values()
    return list(job["steps"])


def _named(name: str) -> dict[str, Any]:
    (step,) = [s for s in _steps() if s.get("name") == name]
    return step


def test_uses_only_inputs_the_action_declares() -> None:
    step = _named("preflight check")
    assert step["uses"].split("@")[0].endswith("/preflight")
    assert set(step["with"]) <= set(ACTION["inputs"])
    assert "TOWER_ACCESS_TOKEN" in step["env"]


def test_triggers_on_nextflow_files_and_reads_only() -> None:
    # PyYAML reads the bare key `on` as True
    triggers = WORKFLOW.get("on", WORKFLOW.get(True))
    assert set(triggers["pull_request"]["paths"]) == {"**/*.config", "**/*.nf"}
    assert WORKFLOW["permissions"] == {"contents": "read"}


def _junit_step(tmp_path: Path, report: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "step.sh"
    script.write_text(_named("JUnit report from the same run")["run"])
    env = {**base_env(tmp_path, f"{PYTHON_BIN}:{SYSTEM_PATH}"), "REPORT": report}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_junit_step_turns_the_saved_report_into_junit(tmp_path: Path) -> None:
    saved = write_json_report(tmp_path / "runner-temp.json", passed=False)
    result = _junit_step(tmp_path, str(saved))
    assert result.returncode == 0, result.stderr
    root = ET.parse(tmp_path / "preflight-junit.xml").getroot()
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    assert (tmp_path / "preflight-report.json").read_text() == saved.read_text()


def test_junit_step_is_quiet_when_there_is_no_report(tmp_path: Path) -> None:
    result = _junit_step(tmp_path, "")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "preflight-junit.xml").exists()
