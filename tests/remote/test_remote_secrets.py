"""The Git token never shows: in no output (any format, --debug), cache, git argv or config."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from preflight.cli.demo import remote_steps, run_steps
from preflight.sandbox.runtime import Sandbox

PRIVATE = "acme/private-pipeline"


def spy_git(tmp_path: Path) -> tuple[Path, Path]:
    """A ``git`` on PATH that logs its arguments, then runs the real one."""
    real = shutil.which("git")
    assert real is not None
    bin_dir, log = tmp_path / "spy-bin", tmp_path / "git-argv.log"
    bin_dir.mkdir()
    script = bin_dir / "git"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    return bin_dir, log


def test_the_git_token_is_in_no_output_file_argv_or_config(
    sandbox_env: Sandbox, tmp_path: Path
) -> None:
    assert sandbox_env.git is not None
    token = sandbox_env.git.token
    bin_dir, argv_log = spy_git(tmp_path)
    cache = tmp_path / "cache"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "HOME": str(tmp_path / "home"),
        "PREFLIGHT_CACHE_DIR": str(cache),
        "NXF_HOME": str(tmp_path / "nxf-home"),
        "GITHUB_TOKEN": token,
    }
    outputs: list[str] = []
    for fmt in ("text", "json", "junit", "github"):
        for revision in ((), ("-r", "main")):
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "preflight",
                    "--debug",
                    "check",
                    PRIVATE,
                    *revision,
                    "--format",
                    fmt,
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert result.returncode in (0, 1), result.stderr
            outputs += [result.stdout, result.stderr]
    # a refused token, and git's own error text, are redacted too
    wrong = "ghp_wrong-but-secret-value-42"
    refused = subprocess.run(
        [sys.executable, "-m", "preflight", "--debug", "check", PRIVATE, "-r", "v0"],
        env={**env, "GITHUB_TOKEN": wrong, "PREFLIGHT_CACHE_DIR": str(tmp_path / "other")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2 and "were refused" in refused.stderr
    assert all(token not in text for text in outputs)
    assert wrong not in refused.stdout + refused.stderr
    assert sandbox_env.git_requests() and any(r.authenticated for r in sandbox_env.git_requests())
    argv = argv_log.read_text()
    assert "ls-remote" in argv and "fetch" in argv  # git really ran, through the spy
    assert token not in argv and wrong not in argv
    for path in [*cache.rglob("*"), *(tmp_path / "other").rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            assert token.encode() not in data and wrong.encode() not in data, path
    configs = list(cache.rglob(".git/config"))
    assert configs
    for config in configs:
        text = config.read_text()
        assert "url =" not in text and "credential" not in text


def test_the_demo_shows_no_token(
    sandbox_env: Sandbox, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert sandbox_env.git is not None
    token = sandbox_env.git.token
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "PREFLIGHT_CACHE_DIR": str(tmp_path / "cache"),
    }
    private = tuple(s for s in remote_steps(token) if s.args[1] == PRIVATE)
    # the private repository's steps need no Platform credential: check --offline them
    offline = tuple(
        type(s)(s.title, (*s.args, "--offline"), s.expected_exit, s.env, s.shown_env)
        for s in private
    )
    assert run_steps(offline, env, tmp_path) == []
    shown = capfd.readouterr()  # the children's output too, not only this process's
    assert "<the sandbox's git token>" in shown.out
    assert "preflight: acme/private-pipeline@main, commit" in shown.out
    assert token not in shown.out + shown.err
