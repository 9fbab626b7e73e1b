"""Importing the configuration reader is cheap: pyhocon loads with the first tree, not before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pyhocon import ConfigTree

from preflight.nextflow.config.evaluator import resolve_config
from preflight.nextflow.config.resolved import ConfigScope, is_tree, to_plain
from preflight.pipeline import PipelineSpec


def _modules_after(code: str) -> set[str]:
    probe = f"import sys; {code}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return set(out.split())


def test_importing_the_evaluator_loads_no_pyhocon() -> None:
    loaded = _modules_after("import preflight.nextflow.config.evaluator")
    assert "preflight.nextflow.config.evaluator" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("pyhocon", "pyparsing")}


def test_resolving_loads_it_and_the_tree_is_a_config_tree(tmp_path: Path) -> None:
    (tmp_path / "nextflow.config").write_text("process { withName: 'A.B' { cpus = 2 } }\n")
    config = resolve_config(PipelineSpec(root=tmp_path, launch_dir=tmp_path))
    assert isinstance(config.tree, ConfigTree)
    assert isinstance(config.tree, ConfigScope)  # still importable from resolved
    process = config.tree["process"]
    assert is_tree(process) and process["withName:A.B"]["cpus"] == 2
    assert to_plain(config.tree) == {"process": {"withName:A.B": {"cpus": 2}}}


def test_nothing_is_a_tree_but_a_tree() -> None:
    assert not is_tree({"a": 1})
    assert is_tree(ConfigTree())
