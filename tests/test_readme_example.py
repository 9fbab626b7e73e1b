"""The README's opening example is what `preflight check` prints for the demo pipeline against
the sandbox: every line it shows (other than `…`) is a line of a real run, in order."""

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
    shown = [line for line in _example() if line != "…"]
    assert shown, "the README lost its example"
    position = 0
    for line in shown:
        assert line in lines[position:], f"README shows a line the run does not print: {line!r}"
        position = lines.index(line, position) + 1
