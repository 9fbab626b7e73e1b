"""The cycle collector is paused while a configuration is read, and always given back."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from preflight.errors import ConfigError
from preflight.nextflow.config.collector import collector_paused
from preflight.nextflow.config.evaluator import resolve_config
from preflight.pipeline import PipelineSpec


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_back_on_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_back_on_after_an_error() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_nested_pauses_end_with_the_outermost() -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()  # an inner end must not switch it on under the outer
    assert gc.isenabled()


def test_reading_a_config_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    (tmp_path / "nextflow.config").write_text("process.cpus = 2\n")
    spec = PipelineSpec(root=tmp_path, launch_dir=tmp_path)
    assert resolve_config(spec).get("process.cpus") == 2
    assert gc.isenabled()
    (tmp_path / "nextflow.config").write_text("process {\n")  # unreadable: raises
    with pytest.raises(ConfigError, match="unclosed"):
        resolve_config(spec)
    assert gc.isenabled()
