"""Wave injection: the smallest edit, every other byte kept, atomic, refusing stale plans."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from preflight.errors import ApplyError
from preflight.nextflow.config import editor
from preflight.nextflow.config.editor import (
    MARKER,
    WaveEdit,
    apply_wave_edit,
    plan_wave_injection,
)
from preflight.nextflow.config.evaluator import resolve_config
from preflight.pipeline import PipelineSpec


def project(tmp_path: Path, content: bytes | None, **options: object) -> PipelineSpec:
    tmp_path = tmp_path / "pipeline"
    tmp_path.mkdir(exist_ok=True)
    if content is not None:
        (tmp_path / "nextflow.config").write_bytes(content)
    (tmp_path / "main.nf").write_text("workflow {}\n")
    return PipelineSpec(root=tmp_path, launch_dir=tmp_path, **options)  # type: ignore[arg-type]


def planned(spec: PipelineSpec) -> WaveEdit:
    edit = plan_wave_injection(spec)
    assert edit is not None
    return edit


def test_nothing_to_do_when_wave_is_already_on(tmp_path: Path) -> None:
    assert plan_wave_injection(project(tmp_path, b"wave.enabled = true\n")) is None


def test_flips_a_top_level_false_in_place(tmp_path: Path) -> None:
    original = (
        b"// keep me\nwave {\n  enabled   = false // off for now\n  strategy = 'container'\n}\n"
    )
    spec = project(tmp_path, original)
    edit = planned(spec)
    assert edit.kind == "flip" and str(edit.location) == "nextflow.config:3:15"
    apply_wave_edit(edit)
    assert (spec.root / "nextflow.config").read_bytes() == original.replace(b"false", b"true")
    assert "-  enabled   = false // off for now" in edit.diff()
    assert "+  enabled   = true // off for now" in edit.diff()


@pytest.mark.parametrize("literal", [b"'true'", b"'false'", b"1"])
def test_a_value_true_by_groovy_truth_needs_no_edit(tmp_path: Path, literal: bytes) -> None:
    # nf-wave reads ``opts.enabled as boolean``: Wave is on already.
    assert plan_wave_injection(project(tmp_path, b"wave.enabled = " + literal + b"\n")) is None


@pytest.mark.parametrize("literal", [b"''", b"0", b"null"])
def test_a_value_false_by_groovy_truth_is_flipped(tmp_path: Path, literal: bytes) -> None:
    spec = project(tmp_path, b"wave.enabled = " + literal + b"\n")
    edit = planned(spec)
    assert edit.kind == "flip"
    apply_wave_edit(edit)
    assert (spec.root / "nextflow.config").read_bytes() == b"wave.enabled = true\n"


def test_appends_a_marked_block_keeping_crlf_bom_and_comments(tmp_path: Path) -> None:
    original = b"\xef\xbb\xbf/* header */\r\nprocess.cpus = 2\r\n"
    spec = project(tmp_path, original)
    edit = planned(spec)
    assert edit.kind == "append"
    apply_wave_edit(edit)
    written = (spec.root / "nextflow.config").read_bytes()
    assert written.startswith(original)
    added = written[len(original) :]
    assert added == (b"\r\n" + MARKER.encode() + b"\r\nwave {\r\n    enabled = true\r\n}\r\n")
    assert resolve_config(spec).get("wave.enabled") is True


def test_no_final_newline_stays_without_one(tmp_path: Path) -> None:
    spec = project(tmp_path, b"process.cpus = 2")
    apply_wave_edit(planned(spec))
    written = (spec.root / "nextflow.config").read_bytes()
    assert written.startswith(b"process.cpus = 2\n\n") and written.endswith(b"}")


def test_creates_the_file_when_the_pipeline_has_none(tmp_path: Path) -> None:
    spec = project(tmp_path, None)
    edit = planned(spec)
    assert edit.kind == "create" and edit.original_sha256 is None
    apply_wave_edit(edit)
    assert resolve_config(spec).get("wave.enabled") is True


def test_second_run_changes_nothing(tmp_path: Path) -> None:
    spec = project(tmp_path, b"docker.enabled = true\n")
    apply_wave_edit(planned(spec))
    assert plan_wave_injection(spec) is None


def test_v2_profile_turning_wave_off_is_beaten_by_the_appended_block(tmp_path: Path) -> None:
    spec = project(tmp_path, b"profiles { off { wave.enabled = false } }\n", profiles=("off",))
    edit = planned(spec)
    assert edit.kind == "append"


def test_v1_profile_turning_wave_off_blocks_the_edit_with_alternatives(tmp_path: Path) -> None:
    original = b"def legacy = 1\nprofiles { off { wave.enabled = false } }\n"
    spec = project(tmp_path, original, profiles=("off",))
    edit = planned(spec)
    assert edit.blocked and edit.kind == "blocked"
    assert "profile 'off'" in edit.blocked_reason
    assert any("-with-wave" in a for a in edit.alternatives)
    assert any("-c" in a for a in edit.alternatives)
    with pytest.raises(ApplyError):
        apply_wave_edit(edit)
    assert (spec.root / "nextflow.config").read_bytes() == original


def test_a_later_dash_c_file_blocks_the_edit(tmp_path: Path) -> None:
    late = tmp_path / "late.config"
    late.write_text("wave.enabled = false\n")
    spec = project(tmp_path, b"a = 1\n", config_files=(late,))
    edit = planned(spec)
    assert edit.blocked and "late.config:1:1" in edit.blocked_reason


def test_refuses_when_the_file_changed_since_planning(tmp_path: Path) -> None:
    spec = project(tmp_path, b"a = 1\n")
    edit = planned(spec)
    (spec.root / "nextflow.config").write_bytes(b"a = 2\n")
    with pytest.raises(ApplyError, match="changed since"):
        apply_wave_edit(edit)
    assert (spec.root / "nextflow.config").read_bytes() == b"a = 2\n"


def test_keeps_the_file_mode_and_writes_through_a_symlink(tmp_path: Path) -> None:
    spec = project(tmp_path, None)
    real = spec.root / "shared.config"
    real.write_bytes(b"a = 1\n")
    os.chmod(real, 0o640)
    (spec.root / "nextflow.config").symlink_to(real.name)
    apply_wave_edit(planned(spec))
    assert (spec.root / "nextflow.config").is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert b"enabled = true" in real.read_bytes()


@pytest.mark.parametrize(
    ("step", "failure", "raised"),
    [
        ("fsync", OSError(5, "Input/output error"), ApplyError),
        ("chmod", OSError(1, "Operation not permitted"), ApplyError),
        ("replace", OSError(28, "No space left on device"), ApplyError),
        ("fsync", KeyboardInterrupt(), KeyboardInterrupt),
    ],
)
def test_an_interrupted_write_leaves_the_original_and_no_temporary_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    step: str,
    failure: BaseException,
    raised: type[BaseException],
) -> None:
    original = b"process.cpus = 2\n"
    spec = project(tmp_path, original)
    edit = planned(spec)

    def interrupted(*args: object) -> None:
        raise failure

    monkeypatch.setattr(os, step, interrupted)
    with pytest.raises(raised):
        apply_wave_edit(edit)
    monkeypatch.undo()
    assert (spec.root / "nextflow.config").read_bytes() == original
    assert sorted(p.name for p in spec.root.iterdir()) == ["main.nf", "nextflow.config"]


_TWO_INTERRUPTS = textwrap.dedent(
    """
    import os, signal, sys, time
    from pathlib import Path
    from preflight.nextflow.config.editor import apply_wave_edit, plan_wave_injection
    from preflight.pipeline import PipelineSpec

    root = Path(sys.argv[1])
    edit = plan_wave_injection(PipelineSpec(root=root, launch_dir=root))
    real_fsync, real_unlink = os.fsync, os.unlink

    def ctrl_c() -> None:  # a real SIGINT, as the terminal sends it
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)

    def fsync(fd):  # the first Ctrl-C arrives while the bytes are flushed
        ctrl_c()
        return real_fsync(fd)

    def unlink(path, *args, **kwargs):  # a second one while a temporary file is removed
        ctrl_c()
        return real_unlink(path, *args, **kwargs)

    os.fsync, os.unlink = fsync, unlink
    try:
        apply_wave_edit(edit)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(0)
    """
)


def test_ctrl_c_twice_while_writing_leaves_no_temporary_file(tmp_path: Path) -> None:
    original = b"process.cpus = 2\n"
    spec = project(tmp_path, original)
    result = subprocess.run(
        [sys.executable, "-c", _TWO_INTERRUPTS, str(spec.root)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(editor.__file__).resolve().parents[3])},
    )
    assert result.returncode == 130, result.stderr
    assert sorted(p.name for p in spec.root.iterdir()) == ["main.nf", "nextflow.config"]
    # The interrupt is acted on once the write is whole: the new file is in place.
    written = (spec.root / "nextflow.config").read_bytes()
    assert written.startswith(original) and MARKER.encode() in written


def test_the_next_write_removes_what_an_earlier_run_left_by_name(tmp_path: Path) -> None:
    spec = project(tmp_path, b"process.cpus = 2\n")
    finished = subprocess.Popen(["true"])
    finished.wait()
    dead = spec.root / f".nextflow.config.{finished.pid}.preflight-tmp"
    older = spec.root / ".nextflow.config.k3j9x_2a.preflight-tmp"  # an older random name
    live = spec.root / ".nextflow.config.1.preflight-tmp"  # pid 1 is always running
    other = spec.root / ".other.config.123.preflight-tmp"  # not this file's
    for leftover in (dead, older, live, other):
        leftover.write_bytes(b"partial")
    apply_wave_edit(planned(spec))
    assert not dead.exists() and not older.exists()
    assert live.exists() and other.exists()
