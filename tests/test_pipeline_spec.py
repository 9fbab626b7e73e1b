"""Locating a pipeline from what the user typed, and reading --param pairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.errors import InputError
from preflight.pipeline import PipelineSpec, parse_param_assignments


def test_directory_with_main_script(tmp_path: Path) -> None:
    (tmp_path / "main.nf").write_text("workflow {}\n")
    spec = PipelineSpec.locate(tmp_path, profiles=("azure",))
    assert spec.root == tmp_path.resolve() and spec.main_script == tmp_path.resolve() / "main.nf"
    assert spec.profiles == ("azure",)


def test_directory_with_config_only(tmp_path: Path) -> None:
    (tmp_path / "nextflow.config").write_text("wave.enabled = true\n")
    assert PipelineSpec.locate(tmp_path).main_script is None


def test_a_pipelines_nextflow_config_names_its_directory(tmp_path: Path) -> None:
    (tmp_path / "main.nf").write_text("workflow {}\n")
    (tmp_path / "nextflow.config").write_text("wave.enabled = true\n")
    spec = PipelineSpec.locate(tmp_path / "nextflow.config")
    assert spec.root == tmp_path.resolve() and spec.main_script == tmp_path.resolve() / "main.nf"


def test_script_path(tmp_path: Path) -> None:
    script = tmp_path / "other.nf"
    script.write_text("workflow {}\n")
    spec = PipelineSpec.locate(script)
    assert spec.root == tmp_path.resolve() and spec.main_script == script.resolve()


@pytest.mark.parametrize("name", ["missing", "empty-dir", "file.txt"])
def test_unusable_paths_say_what_to_do(tmp_path: Path, name: str) -> None:
    (tmp_path / "empty-dir").mkdir()
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(InputError) as caught:
        PipelineSpec.locate(tmp_path / name)
    assert caught.value.remedy


def test_param_pairs() -> None:
    assert parse_param_assignments(("a=1", "b.c=x=y", "d=")) == {"a": "1", "b.c": "x=y", "d": ""}
    with pytest.raises(InputError, match="KEY=VALUE"):
        parse_param_assignments(("novalue",))
