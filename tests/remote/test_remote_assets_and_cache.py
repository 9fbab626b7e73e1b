"""Reuse before network: Nextflow's own checkouts, preflight's cache, and interrupted fetches."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from preflight import cli
from preflight.errors import EXIT_FAIL, EXIT_INTERRUPTED
from preflight.sandbox.runtime import Sandbox

DEMO = "acme/demo-pipeline"


@pytest.fixture
def remote_env(sandbox_env: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setenv("PREFLIGHT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NXF_HOME", str(tmp_path / "nxf-home"))
    return sandbox_env


def served_repository(sandbox: Sandbox) -> Path:
    return sandbox.state_dir / "git" / f"{DEMO}.git"


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


def check(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    cli.main(["check", *args, "--format", "json"])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def wave(report: dict[str, Any]) -> set[str]:
    return {f["status"] for f in report["findings"] if f["check"] == "wave"}


def test_a_multi_revision_pull_is_read_without_network(
    remote_env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`nextflow pull` (26.04+) keeps a bare repository under $NXF_ASSETS/.repos."""
    bare = tmp_path / "nxf-home" / "assets" / ".repos" / DEMO / "bare"
    git("clone", "-q", "--bare", str(served_repository(remote_env)), str(bare))
    report = check(capsys, DEMO, "-r", "v1.1")
    assert remote_env.git_requests() == []
    assert report["source"]["read_from"] == "assets"
    assert report["source"]["commit"] == git("--git-dir", str(bare), "rev-parse", "v1.1^{commit}")
    assert wave(report) == {"pass"}
    # the bare repository's HEAD branch is the default revision, as for nextflow run
    default = check(capsys, DEMO)
    assert default["source"]["revision"] == "main"
    assert remote_env.git_requests() == []


def test_a_legacy_clone_is_read_at_its_checked_out_commit(
    remote_env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = tmp_path / "nxf-home" / "assets" / DEMO
    git("clone", "-q", str(served_repository(remote_env)), str(clone))
    git("-c", "advice.detachedHead=false", "checkout", "-q", "v1.0", cwd=clone)
    (clone / "nextflow.config").write_text("wave.enabled = true\n")  # a local edit: not read
    report = check(capsys, DEMO)
    assert remote_env.git_requests() == []
    assert report["source"]["commit"] == git("rev-parse", "HEAD", cwd=clone)
    assert "fail" in wave(report)  # the commit's own files, not the edited work tree
    assert git("status", "--porcelain", cwd=clone) == "M nextflow.config"  # untouched


def preflight_env(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    env = {
        **sandbox.env,
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path / "home"),
        "PREFLIGHT_CACHE_DIR": str(tmp_path / "cache"),
        "NXF_HOME": str(tmp_path / "nxf-home"),
    }
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env


def wait_for(predicate: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGINT])
def test_an_interrupted_fetch_leaves_nothing_a_later_run_trusts(
    remote_env: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    signal_number: int,
) -> None:
    repo_cache = tmp_path / "cache" / "pipelines" / "github.com" / DEMO
    # the pack request hangs long enough to interrupt the fetch in the middle
    remote_env.faults.set("git", path_prefix=f"/{DEMO}.git/git-upload-pack", latency_ms=3000)
    process = subprocess.Popen(
        [sys.executable, "-m", "preflight", "check", DEMO, "-r", "v1.0"],
        env=preflight_env(remote_env, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: any(repo_cache.glob(".tmp-*/.git")))
        process.send_signal(signal_number)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    if signal_number == signal.SIGINT:
        assert process.returncode == EXIT_INTERRUPTED, err
    time.sleep(3.2)  # let an orphaned git child finish its slow request
    remote_env.faults.clear()
    assert [p.name for p in repo_cache.iterdir() if not p.name.startswith(".tmp-")] == []
    if signal_number == signal.SIGINT:
        assert not any(repo_cache.glob(".tmp-*"))  # cleaned up on the way out
    # a later run fetches afresh and cleans what the killed one left
    remote_env.git.clear_records()  # type: ignore[union-attr]
    report = check(capsys, DEMO, "-r", "v1.0")
    assert report["source"]["read_from"] == "fetched"
    assert remote_env.git_requests()
    assert not any(repo_cache.glob(".tmp-*"))
    assert sorted(p.name for p in repo_cache.iterdir()) == sorted(
        [report["source"]["commit"], "revisions.json"]
    )
    assert cli.main(["check", DEMO, "-r", "v1.0"]) == EXIT_FAIL  # Wave off: the gate says no


def test_a_cached_branch_is_kept_until_latest_is_asked_for(
    remote_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    """As `nextflow run` keeps the branch it pulled, and `-latest` asks again."""
    served = str(served_repository(remote_env))
    before = git("--git-dir", served, "rev-parse", "refs/heads/main")
    first = check(capsys, DEMO, "-r", "main")
    assert first["source"]["commit"] == before
    moved = git(
        "--git-dir",
        served,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.org",
        "commit-tree",
        f"{before}^{{tree}}",
        "-p",
        before,
        "-m",
        "A newer main",
    )
    git("--git-dir", served, "update-ref", "refs/heads/main", moved)
    try:
        remote_env.git.clear_records()  # type: ignore[union-attr]
        kept = check(capsys, DEMO, "-r", "main")
        assert kept["source"]["commit"] == before and remote_env.git_requests() == []
        latest = check(capsys, DEMO, "-r", "main", "-latest")
        assert latest["source"]["commit"] == moved
        assert latest["source"]["read_from"] == "fetched"
        assert check(capsys, DEMO, "-r", "main")["source"]["commit"] == moved
    finally:
        git("--git-dir", served, "update-ref", "refs/heads/main", before)
