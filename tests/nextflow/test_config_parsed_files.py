"""A file read again unchanged is not parsed again; a changed or broken one always is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from preflight.errors import ConfigError
from preflight.nextflow.config import parsed_files
from preflight.nextflow.config.evaluator import resolve_config
from preflight.nextflow.config.parsed_files import forget_all, parsed
from preflight.pipeline import PipelineSpec


@pytest.fixture(autouse=True)
def _empty() -> Iterator[None]:
    forget_all()
    yield
    forget_all()


def test_the_same_text_is_parsed_once() -> None:
    first = parsed("process.cpus = 2\n", "nextflow.config")
    assert parsed("process.cpus = 2\n", "nextflow.config") is first
    assert parsed("process.cpus = 3\n", "nextflow.config") is not first
    # the name is part of the key: locations carry it
    other = parsed("process.cpus = 2\n", "conf/base.config")
    assert other is not first and other.config.statements[0].location.file == "conf/base.config"


def test_legacy_findings_come_with_the_tree() -> None:
    found = parsed("def x = 1\nprocess.cpus = x\n", "nextflow.config")
    assert [str(location) for location, _ in found.violations] == ["nextflow.config:1:1"]


def test_a_file_that_does_not_parse_raises_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ConfigError, match="unclosed"):
            parsed("process {\n", "nextflow.config")
    assert not parsed_files._entries


def test_the_oldest_files_go_first_past_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsed_files, "MAX_TEXT", 40)
    a = parsed("a = '" + "x" * 10 + "'\n", "a.config")
    b = parsed("b = '" + "x" * 10 + "'\n", "b.config")
    assert parsed("a = '" + "x" * 10 + "'\n", "a.config") is a  # a is now the newest
    parsed("c = '" + "x" * 10 + "'\n", "c.config")  # over 40 characters: b goes
    assert parsed("a = '" + "x" * 10 + "'\n", "a.config") is a
    assert parsed("b = '" + "x" * 10 + "'\n", "b.config") is not b
    assert parsed_files._size <= 40
    huge = "z = '" + "x" * 100 + "'\n"
    assert parsed(huge, "z.config") is not parsed(huge, "z.config")  # too big to keep


def test_resolving_again_reuses_the_trees_and_sees_edits(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "nextflow.config").write_text("includeConfig 'conf/base.config'\n")
    base = tmp_path / "conf" / "base.config"
    base.write_text("process.cpus = 2\nprocess.memory = { 2.GB * task.attempt }\n")
    spec = PipelineSpec(root=tmp_path, launch_dir=tmp_path)
    first = resolve_config(spec)
    kept = parsed(base.read_text(), "conf/base.config")
    again = resolve_config(spec)
    assert parsed(base.read_text(), "conf/base.config") is kept
    assert again.get("process.cpus") == first.get("process.cpus") == 2
    assert again.history.keys() == first.history.keys()
    base.write_text("process.cpus = 4\n")
    assert resolve_config(spec).get("process.cpus") == 4
