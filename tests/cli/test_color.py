"""Colour in the text report: on a terminal by default, never under NO_COLOR, as --color says."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from preflight import cli

SOURCE_ROOT = str(Path(cli.__file__).resolve().parents[2])
ANSI = "\x1b["


@pytest.fixture
def pipeline(tmp_path: Path) -> Path:
    source = resources.files("preflight.sandbox") / "data" / "demo-pipeline"
    with resources.as_file(source) as path:
        shutil.copytree(path, tmp_path / "pipe")
    return tmp_path / "pipe"


def check_on_a_terminal(pipeline: Path, *options: str, no_color: str | None = None) -> str:
    """stdout of `preflight check --offline` when stdout is a (pseudo) terminal."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(pipeline.parent), "PYTHONPATH": SOURCE_ROOT}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "preflight", "check", str(pipeline), "--offline", *options],
            stdout=follower,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        os.close(follower)
        chunks: list[bytes] = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=120) == 1
    finally:
        os.close(leader)
    return b"".join(chunks).decode()


def test_a_terminal_gets_colour(pipeline: Path) -> None:
    assert ANSI in check_on_a_terminal(pipeline)


def test_no_color_is_honoured_on_a_terminal(pipeline: Path) -> None:
    out = check_on_a_terminal(pipeline, no_color="1")
    assert "FAIL" in out and ANSI not in out


def test_an_empty_no_color_does_not_count(pipeline: Path) -> None:
    assert ANSI in check_on_a_terminal(pipeline, no_color="")


def test_color_never_and_always_beat_the_default(pipeline: Path) -> None:
    assert ANSI not in check_on_a_terminal(pipeline, "--color", "never")
    assert ANSI in check_on_a_terminal(pipeline, "--color", "always", no_color="1")


def test_color_always_colours_a_pipe_too(
    pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check", str(pipeline), "--offline", "--color", "always"]) == 1
    assert ANSI in capsys.readouterr().out
    assert cli.main(["check", str(pipeline), "--offline"]) == 1
    assert ANSI not in capsys.readouterr().out
