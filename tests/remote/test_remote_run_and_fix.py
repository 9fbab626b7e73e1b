"""`run -- nextflow run OWNER/REPO -r REV` gates on that commit; `fix` never edits the cache."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from preflight import cli
from preflight.errors import EXIT_FAIL, EXIT_PASS
from preflight.sandbox.runtime import Sandbox

DEMO = "acme/demo-pipeline"


@pytest.fixture
def remote_env(sandbox_env: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setenv("PREFLIGHT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NXF_HOME", str(tmp_path / "nxf-home"))
    return sandbox_env


def fake_nextflow(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "nextflow"
    script.write_text('#!/bin/sh\necho "fake nextflow: $*" >&2\nexit 42\n')
    script.chmod(0o755)
    return bin_dir


def run_wrapped(
    sandbox: Sandbox, tmp_path: Path, *command: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **sandbox.env,
        "PATH": f"{fake_nextflow(tmp_path)}:{os.environ['PATH']}",
        "HOME": str(tmp_path / "home"),
        "PREFLIGHT_CACHE_DIR": str(tmp_path / "cache"),
        "NXF_HOME": str(tmp_path / "nxf-home"),
    }
    if "PYTHONPATH" in os.environ:  # the tree under test, when it is not the installed one
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run(
        [sys.executable, "-m", "preflight", "run", "--offline", "--format", "json", "--", *command],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_run_gates_on_the_revision_then_runs(remote_env: Sandbox, tmp_path: Path) -> None:
    result = run_wrapped(remote_env, tmp_path, "nextflow", "run", DEMO, "-r", "v1.1", "-resume")
    assert result.returncode == 42, result.stderr  # the wrapped command's own exit code
    assert f"fake nextflow: run {DEMO} -r v1.1 -resume" in result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "pass"
    assert report["source"]["revision"] == "v1.1"


def test_run_does_not_start_a_revision_without_wave(remote_env: Sandbox, tmp_path: Path) -> None:
    result = run_wrapped(remote_env, tmp_path, "nextflow", "run", DEMO, "-r", "v1.0")
    assert result.returncode == EXIT_FAIL
    assert "fake nextflow" not in result.stderr
    report = json.loads(result.stdout)
    assert report["source"]["revision"] == "v1.0"
    assert "fail" in {f["status"] for f in report["findings"] if f["check"] == "wave"}


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_fix_on_a_remote_pipeline_says_where_and_edits_nothing(
    remote_env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    assert cli.main(["images", DEMO, "-r", "v1.0"]) == EXIT_PASS
    before = tree_digest(cache)
    code = cli.main(["fix", DEMO, "-r", "v1.0", "--only", "wave", "--yes"])
    out = capsys.readouterr().out
    assert code == EXIT_FAIL  # Wave is still off for this revision
    assert "wave: blocked" in out and "does not edit its read-only copy" in out
    assert "https://github.com/acme/demo-pipeline.git" in out and "nextflow.config" in out
    assert f"nextflow run {DEMO} -r v1.0 -with-wave" in out
    assert tree_digest(cache) == before
    code = cli.main(["fix", DEMO, "-r", "v1.0", "--only", "wave", "--format", "json", "--dry-run"])
    plan = json.loads(capsys.readouterr().out)
    assert json.dumps(plan).count("blocked") >= 1
