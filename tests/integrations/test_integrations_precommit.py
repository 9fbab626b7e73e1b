"""The pre-commit hook definition: the command it runs exists, and it fires on the right files."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import yaml
from integration_support import PROJECT

HOOKS = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())


def _hook() -> dict[str, object]:
    (hook,) = [h for h in HOOKS if h["id"] == "preflight-check"]
    return dict(hook)


def test_hook_runs_preflight_check_in_text_from_the_installed_package() -> None:
    hook = _hook()
    # pre-commit pip-installs this repository, so the entry's first word is its console script
    assert hook["language"] == "python"
    argv = shlex.split(str(hook["entry"]))
    assert argv[:2] == ["preflight", "check"]
    assert argv[argv.index("--format") + 1] == "text"
    (script,) = entry_points(group="console_scripts", name=argv[0])
    assert script.value == "preflight.cli:main"
    assert callable(script.load())
    assert hook["pass_filenames"] is False  # the whole pipeline is checked, not single files


def test_the_entry_command_accepts_its_options() -> None:
    """The console script the hook names, with the hook's own options, parses and answers."""
    script = Path(sys.executable).parent / "preflight"
    argv = [str(script), *shlex.split(str(_hook()["entry"]))[1:], "--help"]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "--format" in result.stdout


@pytest.mark.parametrize(
    "path",
    [
        "nextflow.config",
        "conf/base.config",
        "conf/modules.config",
        "main.nf",
        "modules/local/star/main.nf",
        "subworkflows/nf-core/utils/main.nf",
        "workflows/rnaseq.nf",
    ],
)
def test_hook_fires_on_nextflow_files(path: str) -> None:
    assert re.search(str(_hook()["files"]), path)


@pytest.mark.parametrize(
    "path",
    [
        "README.md",
        "nextflow.config.bak",
        "main.nf.orig",
        "docs/nf",
        "assets/schema.json",
        "bin/config",
        "main.nfx",
    ],
)
def test_hook_ignores_other_files(path: str) -> None:
    assert not re.search(str(_hook()["files"]), path)
