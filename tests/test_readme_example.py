"""The README's opening example is what `preflight check` prints for the demo pipeline against
the sandbox: every stretch of lines it shows between `…` is printed as it stands, in order."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from preflight import cli
from preflight.sandbox.runtime import Sandbox

README = Path(__file__).resolve().parents[1] / "README.md"
COMMAND = "$ preflight check /tmp/demo-pipeline"


def _example() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = text.split(COMMAND + "\n", 1)[1].split("```", 1)[0]
    return block.splitlines()


def test_the_opening_example_is_real_output(
    sandbox_env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = resources.files("preflight.sandbox") / "data" / "demo-pipeline"
    with resources.as_file(source) as path:
        shutil.copytree(path, tmp_path / "demo-pipeline")
    assert cli.main(["check", str(tmp_path / "demo-pipeline")]) == 1
    lines = capsys.readouterr().out.splitlines()
    # Each stretch between `…` is shown exactly: contiguous lines of the run, in order.
    stretches: list[list[str]] = [[]]
    for line in _example():
        if line == "…":
            stretches.append([])
        else:
            stretches[-1].append(line)
    assert any(stretches), "the README lost its example"
    position = 0
    for stretch in filter(None, stretches):
        starts = [
            i
            for i in range(position, len(lines) - len(stretch) + 1)
            if lines[i : i + len(stretch)] == stretch
        ]
        assert starts, f"README shows lines the run does not print together: {stretch!r}"
        position = starts[0] + len(stretch)
