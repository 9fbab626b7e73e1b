"""The configuration reader's tree is its own small scope type: no HOCON library is loaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from preflight.nextflow.config.evaluator import resolve_config
from preflight.nextflow.config.resolved import is_tree, to_plain
from preflight.nextflow.config.scope import ConfigScope
from preflight.pipeline import PipelineSpec


def _modules_after(code: str) -> set[str]:
    probe = f"import sys; {code}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return set(out.split())


def test_reading_a_configuration_loads_no_hocon_library(tmp_path: Path) -> None:
    (tmp_path / "nextflow.config").write_text("docker.enabled = true\n")
    loaded = _modules_after(
        "from pathlib import Path; from preflight.pipeline import PipelineSpec; "
        "from preflight.nextflow.config.evaluator import resolve_config; "
        f"resolve_config(PipelineSpec(root=Path({str(tmp_path)!r})))"
    )
    assert "preflight.nextflow.config.scope" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("pyhocon", "pyparsing")}


def test_the_tree_keeps_selector_keys_whole_and_navigates_dotted_paths(tmp_path: Path) -> None:
    (tmp_path / "nextflow.config").write_text(
        "process { withName: 'A.B' { cpus = 2 } }\ndocker.enabled = true\n"
    )
    config = resolve_config(PipelineSpec(root=tmp_path, launch_dir=tmp_path))
    assert isinstance(config.tree, ConfigScope)
    process = config.tree["process"]
    assert is_tree(process) and process["withName:A.B"]["cpus"] == 2
    assert config.tree["docker.enabled"] is True
    assert config.tree.get("docker.missing", "d") == "d"
    with pytest.raises(KeyError):
        config.tree["docker.missing"]
    assert to_plain(config.tree) == {
        "process": {"withName:A.B": {"cpus": 2}},
        "docker": {"enabled": True},
    }


def test_nothing_is_a_tree_but_a_tree() -> None:
    assert not is_tree({"a": 1})
    assert is_tree(ConfigScope())
