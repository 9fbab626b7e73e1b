"""`preflight check` and `fix` against the sandbox: an ACR image only an uncalled process uses
is neither asked a credential for, nor provisioned, nor pulled.

The demo pipeline gains a module, included but never called, whose image lives in a registry
the sandbox does not hold and no credential names. Were it counted, the credentials check would
fail on it, and `fix` could not provision it.
"""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from preflight import cli
from preflight.errors import EXIT_FAIL, EXIT_PASS
from preflight.sandbox.runtime import Sandbox

SPARE_REGISTRY = "spareacr.azurecr.io"


@pytest.fixture
def pipeline(tmp_path: Path) -> Path:
    source = resources.files("preflight.sandbox") / "data" / "demo-pipeline"
    target = tmp_path / "demo-pipeline"
    with resources.as_file(source) as path:
        shutil.copytree(path, target)
    (target / "modules" / "local" / "spare.nf").write_text(
        f"process SPARE {{\n    container '{SPARE_REGISTRY}/team/spare:3.0'\n"
        "    script:\n    'spare'\n}\n"
    )
    main = target / "main.nf"
    main.write_text(
        main.read_text().replace(
            "include { QC ", "include { SPARE } from './modules/local/spare'\ninclude { QC ", 1
        )
    )
    return target


def check(pipeline: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = cli.main(["check", str(pipeline), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def mentions_spare(report: dict[str, Any], check_name: str) -> list[dict[str, Any]]:
    return [
        f
        for f in report["findings"]
        if f["check"] == check_name and SPARE_REGISTRY in json.dumps(f)
    ]


def test_check_asks_no_credential_for_an_uncalled_process(
    sandbox_env: Sandbox, pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = check(pipeline, capsys)
    assert code == EXIT_FAIL  # Wave off and no credential yet for the images the run pulls
    assert SPARE_REGISTRY not in {i["registry"] for i in report["images"]}
    assert [
        f for f in report["findings"] if SPARE_REGISTRY in json.dumps(f) and f["check"] != "images"
    ] == []
    skip = [f for f in mentions_spare(report, "images") if f["status"] == "skip"]
    assert [f["subject"] for f in skip] == ["processes defined but not called"]
    assert "SPARE" in skip[0]["message"]


def test_fix_provisions_only_what_the_run_pulls_and_check_then_passes(
    sandbox_env: Sandbox, pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["fix", str(pipeline), "--yes"]) == EXIT_PASS
    assert SPARE_REGISTRY not in capsys.readouterr().out
    code, report = check(pipeline, capsys)
    assert code == EXIT_PASS, [f for f in report["findings"] if f["status"] not in ("pass", "skip")]
