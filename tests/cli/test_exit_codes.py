"""The README's exit-code table, one row at a time, for every verb that talks to services.

| 0 pass | 1 findings | 2 unusable input | 3 internal error | 4 cannot reach | 130 interrupted |

Rows 3 and 130 are the runner's own (tests/test_cli_skeleton.py proves them for any verb, and
tests/faults/test_interrupt.py for a real Ctrl-C during check and fix); the rest are proved here
against the sandbox, with the cause each row names.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from preflight import cli
from preflight.errors import EXIT_FAIL, EXIT_INPUT, EXIT_PASS, EXIT_UNREACHABLE
from preflight.sandbox.runtime import Sandbox

UNREACHABLE = "https://127.0.0.1:9"  # discard port: nothing listens on loopback


@pytest.fixture
def pipeline(tmp_path: Path) -> Path:
    source = resources.files("preflight.sandbox") / "data" / "demo-pipeline"
    with resources.as_file(source) as path:
        shutil.copytree(path, tmp_path / "pipe")
    return tmp_path / "pipe"


@pytest.fixture
def wave_on(pipeline: Path) -> Path:
    config = pipeline / "nextflow.config"
    config.write_text(config.read_text() + "\nwave.enabled = true\n")
    return pipeline


def test_0_pass(sandbox_env: Sandbox, wave_on: Path) -> None:
    assert cli.main(["check", str(wave_on), "--offline"]) == EXIT_PASS
    assert cli.main(["fix", str(wave_on), "--only", "wave", "--yes"]) == EXIT_PASS


def test_1_findings(sandbox_env: Sandbox, pipeline: Path, tmp_path: Path) -> None:
    assert cli.main(["check", str(pipeline)]) == EXIT_FAIL
    later = tmp_path / "off.config"
    later.write_text("wave.enabled = false\n")  # no edit of nextflow.config can win: blocked
    assert cli.main(["fix", str(pipeline), "--only", "wave", "-c", str(later), "--yes"]) == 1


@pytest.mark.parametrize("verb", ["check", "fix"])
def test_2_a_token_platform_refuses_is_unusable_input_like_an_unknown_workspace(
    sandbox_env: Sandbox,
    wave_on: Path,
    verb: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    extra = ["--yes"] if verb == "fix" else []
    assert cli.main([verb, str(wave_on), "-w", "acme/no-such-workspace", *extra]) == EXIT_INPUT
    monkeypatch.setenv("TOWER_ACCESS_TOKEN", "not-a-token-platform-knows")
    assert cli.main([verb, str(wave_on), *extra]) == EXIT_INPUT
    captured = capsys.readouterr()
    assert "refused the access token (401)" in captured.out + captured.err


@pytest.mark.parametrize("verb", ["check", "fix"])
def test_4_cannot_reach_a_service(
    sandbox_env: Sandbox, wave_on: Path, verb: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOWER_API_ENDPOINT", UNREACHABLE)
    extra = ["--yes"] if verb == "fix" else []
    assert cli.main([verb, str(wave_on), *extra]) == EXIT_UNREACHABLE


def test_a_definite_no_beats_an_unreachable_service(
    sandbox_env: Sandbox, pipeline: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wave off is a "no" whatever the Platform would have said: 1, not 4."""
    monkeypatch.setenv("TOWER_API_ENDPOINT", UNREACHABLE)
    assert cli.main(["check", str(pipeline)]) == EXIT_FAIL
