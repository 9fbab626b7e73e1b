"""A ``.nf`` file that is not valid UTF-8: scanned anyway, with a warning at the first bad byte."""

from __future__ import annotations

from pathlib import Path

from preflight.images.resolve import resolve_images
from preflight.model import Status
from preflight.nextflow.script.scan import read_script, scan_pipeline
from preflight.pipeline import PipelineSpec

# "café" in Latin-1 inside a comment on line 3: 0xE9 is not valid UTF-8 on its own.
MODULE = (
    b"process ALIGN {\n"
    b"    label 'process_high'\n"
    b"    // caf\xe9 au lait\n"
    b"    container 'quay.io/biocontainers/bwa:0.7.17'\n"
    b"    script:\n"
    b"    'true'\n"
    b"}\n"
)
BAD_OFFSET = MODULE.index(b"\xe9")
MAIN = "include { ALIGN } from './modules/align'\n\nworkflow {\n    ALIGN()\n}\n"


def _pipeline(root: Path) -> None:
    (root / "modules").mkdir()
    (root / "modules" / "align.nf").write_bytes(MODULE)
    (root / "main.nf").write_text(MAIN)


def test_a_stray_byte_is_a_warning_naming_file_offset_line_and_column(tmp_path: Path) -> None:
    _pipeline(tmp_path)
    scripts = scan_pipeline(tmp_path, tmp_path / "main.nf")
    [process] = scripts.instances
    # Everything around the bad byte is read as written.
    assert process.definition.labels == ("process_high",)
    assert process.definition.container is not None
    assert process.definition.container.source == "'quay.io/biocontainers/bwa:0.7.17'"
    assert str(process.definition.container.location) == "modules/align.nf:4:15"
    [issue] = scripts.issues
    assert str(issue.location) == "modules/align.nf:3:11"
    assert issue.message == (
        f"modules/align.nf is not valid UTF-8: byte 0xE9 at byte offset {BAD_OFFSET} "
        "(line 3, column 11) was read as U+FFFD"
    )
    assert issue.remedy is not None and "UTF-8" in issue.remedy


def test_the_column_counts_characters_not_bytes(tmp_path: Path) -> None:
    path = tmp_path / "x.nf"
    path.write_bytes("// ééé ".encode() + b"\xff\n")
    script = read_script(path, tmp_path)
    [issue] = script.issues
    assert str(issue.location) == "x.nf:1:8"
    assert "byte 0xFF at byte offset 10 " in issue.message


def test_a_valid_file_has_no_issue_and_no_replacement(tmp_path: Path) -> None:
    path = tmp_path / "x.nf"
    path.write_text("process P {\n    container 'a/b:1' // naïve ✓\n}\n", encoding="utf-8")
    script = read_script(path, tmp_path)
    assert script.issues == ()
    assert script.processes[0].container is not None


def test_without_a_main_script_module_files_are_checked_too(tmp_path: Path) -> None:
    _pipeline(tmp_path)
    (tmp_path / "main.nf").unlink()
    scripts = scan_pipeline(tmp_path)
    assert [str(i.location) for i in scripts.issues] == ["modules/align.nf:3:11"]


def test_images_reports_it_as_a_warn_finding_with_its_own_remedy(tmp_path: Path) -> None:
    _pipeline(tmp_path)
    (tmp_path / "nextflow.config").write_text("docker.enabled = true\n")
    result = resolve_images(PipelineSpec.locate(tmp_path, launch_dir=tmp_path))
    [finding] = [f for f in result.findings if "UTF-8" in f.message]
    assert finding.status is Status.WARN
    assert str(finding.location) == "modules/align.nf:3:11"
    assert finding.remedy is not None and "re-save the file as UTF-8" in finding.remedy
    assert "include path" not in finding.remedy
    assert [p.image for p in result.processes if p.image is not None]
