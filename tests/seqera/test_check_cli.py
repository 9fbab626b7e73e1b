"""``preflight check --format json`` against the sandbox: the credential findings as a user,
a CI gate or a wrapper script reads them, with no secret anywhere in the output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import preflight
from preflight.cli import main
from preflight.sandbox.runtime import Sandbox

pytestmark = pytest.mark.sandbox

ACR = "sandboxacr.azurecr.io"
DEMO = Path(preflight.__file__).parent / "sandbox" / "data" / "demo-pipeline"


def check_json(pipeline: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any, str]:
    code = main(["check", str(pipeline), "--format", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.out + captured.err


def credential_findings(report: Any) -> dict[str, Any]:
    return {f["subject"]: f for f in report["findings"] if f["check"] == "credentials"}


def test_check_json_carries_the_near_miss(
    sandbox_env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline = tmp_path / "demo"
    shutil.copytree(DEMO, pipeline)
    workspace = int(sandbox_env.env["TOWER_WORKSPACE_ID"])
    password = sandbox_env.password(ACR, "pipeline-reader")
    stored = sandbox_env.platform.add_registry_credential(
        name="acr-typo",
        registry=f"https://{ACR}",
        user_name="pipeline-reader",
        password=password,
        workspace_id=workspace,
    )
    code, report, text = check_json(pipeline, capsys)
    assert code == 1
    finding = credential_findings(report)[ACR]
    assert finding["status"] == "fail"
    assert finding["details"]["reason"] == "near-miss"
    assert finding["details"]["near_misses"][0]["credential_id"] == stored.id
    assert f'"Registry server" to {ACR}' in finding["remedy"]
    assert password not in text and sandbox_env.env["TOWER_ACCESS_TOKEN"] not in text


def test_check_json_names_the_matched_credential(
    sandbox_env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline = tmp_path / "demo"
    shutil.copytree(DEMO, pipeline)
    workspace = int(sandbox_env.env["TOWER_WORKSPACE_ID"])
    stored = sandbox_env.platform.add_registry_credential(
        name="acr-sandbox",
        registry=ACR,
        user_name="pipeline-reader",
        password=sandbox_env.password(ACR, "pipeline-reader"),
        workspace_id=workspace,
    )
    _, report, _ = check_json(pipeline, capsys)
    finding = credential_findings(report)[ACR]
    assert finding["status"] == "pass"
    assert (finding["details"]["credential_name"], finding["details"]["credential_id"]) == (
        "acr-sandbox",
        stored.id,
    )
