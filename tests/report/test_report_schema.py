"""Every finding preflight writes fits the one documented schema (report/report.schema.json):
the golden report, and full `check` runs against the sandbox before and after `fix`."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from preflight import cli
from preflight.sandbox.runtime import Sandbox

jsonschema = pytest.importorskip("jsonschema")
GOLDEN = Path(__file__).parent / "golden" / "report.json"


def _validator() -> Any:
    text = (resources.files("preflight.report") / "report.schema.json").read_text("utf-8")
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _problems(document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in _validator().iter_errors(document)
    ]


def test_the_golden_report_fits_the_schema() -> None:
    assert _problems(json.loads(GOLDEN.read_text(encoding="utf-8"))) == []


def test_the_schema_refuses_what_the_contract_forbids() -> None:
    good = json.loads(GOLDEN.read_text(encoding="utf-8"))
    failing = next(f for f in good["findings"] if f["status"] == "fail")
    failing["remedy"] = ""
    assert any("remedy" in p for p in _problems(good))
    failing["remedy"], failing["location"] = "x", {"file": "a", "line": 1}
    assert any("location" in p for p in _problems(good))


def test_every_finding_of_real_checks_fits_the_schema(
    sandbox_env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = resources.files("preflight.sandbox") / "data" / "demo-pipeline"
    with resources.as_file(source) as path:
        shutil.copytree(path, tmp_path / "pipe")
    pipe = str(tmp_path / "pipe")
    runs: list[dict[str, Any]] = []
    for args in (["--offline"], [], None, []):
        if args is None:
            assert cli.main(["fix", pipe, "--yes"]) == 0
            capsys.readouterr()
            continue
        cli.main(["check", pipe, "--format", "json", *args])
        runs.append(json.loads(capsys.readouterr().out))
    assert {run["status"] for run in runs} == {"fail", "pass"}
    for run in runs:
        assert _problems(run) == [], [f for f in run["findings"]]
