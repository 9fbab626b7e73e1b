"""Property tests: the reader never fails but with ConfigError/InputError, and Wave injection
keeps every byte it does not change, round-trips through the reader and is idempotent."""

from __future__ import annotations

import tempfile
from pathlib import Path

from config_strategies import configs, mutated_configs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preflight.errors import InputError
from preflight.nextflow.config.editor import apply_wave_edit, plan_wave_injection
from preflight.nextflow.config.evaluator import resolve_config
from preflight.nextflow.config.parser import parse_config
from preflight.nextflow.groovy.runtime import is_enabled
from preflight.pipeline import PipelineSpec

FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
ROOT = Path("/nonexistent-preflight-fuzz")


def read_in_memory(data: bytes, profiles: tuple[str, ...] = ()) -> None:
    spec = PipelineSpec(root=ROOT, launch_dir=ROOT, profiles=profiles)
    resolve_config(spec, overrides={ROOT / "nextflow.config": data})


@FAST
@given(st.text(max_size=300))
def test_any_text_parses_or_raises_config_error(text: str) -> None:
    try:
        parse_config(text, "fuzz.config")
    except InputError as error:
        assert error.where.startswith("fuzz.config")


@FAST
@given(mutated_configs())
def test_damaged_real_configs_resolve_or_raise_input_errors(text: str) -> None:
    try:
        read_in_memory(text.encode("utf-8"))
    except InputError as error:
        assert error.where and error.remedy


@FAST
@given(st.binary(max_size=200))
def test_arbitrary_bytes_resolve_or_raise_input_errors(data: bytes) -> None:
    try:
        read_in_memory(data)
    except InputError as error:
        assert error.where


@FAST
@given(configs())
def test_generated_configs_are_accepted(text: str) -> None:
    read_in_memory(text.encode("utf-8"), profiles=("slow",) if "slow" in text else ())


@FAST
@given(configs(), st.booleans())
def test_wave_injection_keeps_bytes_round_trips_and_is_idempotent(text: str, bom: bool) -> None:
    original = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "nextflow.config").write_bytes(original)
        profiles = ("slow",) if "slow" in text else ()
        spec = PipelineSpec(root=root, launch_dir=root, profiles=profiles)
        edit = plan_wave_injection(spec)
        if edit is None:
            assert is_enabled(resolve_config(spec).get("wave.enabled"))
            return
        assert not edit.blocked, edit.blocked_reason
        new = edit.new_bytes
        start, end = edit.span
        assert new == original[:start] + edit.inserted + original[end:]
        if edit.kind == "append":
            assert start == end == len(original)
            assert edit.inserted.count(b"enabled = true") == 1
        else:
            assert edit.kind == "flip" and edit.inserted == b"true"
            assert original[start:end] in (b"false", b"null")
        apply_wave_edit(edit)
        assert (root / "nextflow.config").read_bytes() == new
        assert resolve_config(spec).get("wave.enabled") is True
        assert plan_wave_injection(spec) is None
