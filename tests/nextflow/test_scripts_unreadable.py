"""A script that cannot be opened is unusable input (exit 2) naming the file, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight import cli
from preflight.errors import EXIT_INPUT


def test_unreadable_script_is_unusable_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nextflow.config").write_text("wave.enabled = true\n")
    (tmp_path / "main.nf").write_text("include { A } from './modules/a'\nworkflow { A() }\n")
    (tmp_path / "modules").mkdir()
    # A file that exists but fails to read (EIO), whoever runs the test, root included.
    (tmp_path / "modules" / "a.nf").symlink_to("/proc/self/mem")
    code = cli.main(["images", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT, err
    assert "modules/a.nf" in err and "Traceback" not in err
