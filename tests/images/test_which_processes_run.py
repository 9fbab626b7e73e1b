"""``preflight images`` over pipelines whose params decide which processes run."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.images.resolve import ImageResolution, resolve_images
from preflight.model import Finding, Status
from preflight.pipeline import PipelineSpec

PIPELINES = Path(__file__).resolve().parents[2] / "fixtures" / "pipelines"


def resolve(path: Path, tmp_path: Path, **options: object) -> ImageResolution:
    return resolve_images(PipelineSpec.locate(path, launch_dir=tmp_path, **options))


def finding(result: ImageResolution, subject: str) -> Finding:
    return next(f for f in result.findings if f.subject == subject)


def test_the_default_params_take_the_illumina_and_qc_branches(tmp_path: Path) -> None:
    result = resolve(PIPELINES / "branches", tmp_path)
    assert {u.image: u.processes for u in result.uses} == {
        "acmegenomics.azurecr.io/align/bwa-mem2:2.2.1": ("ALIGN",),
        "quay.io/biocontainers/fastqc:0.12.1--hdfd78af_0": ("QC",),
    }
    skipped = finding(result, "processes not called under these params")
    assert skipped.status is Status.SKIP
    assert set(skipped.details["processes"]) == {"ALIGN_HYBRID", "ALIGN_LONG", "TRIM"}
    # 'report = summarise(…)' reads a name; the process 'report' is never invoked.
    uncalled = finding(result, "processes defined but not called")
    assert uncalled.details["processes"] == {
        "report": "acmegenomics.azurecr.io/reporting/never-run:1.0"
    }
    assert Status.FAIL not in {f.status for f in result.findings}


def test_params_on_the_command_line_take_the_other_branches(tmp_path: Path) -> None:
    result = resolve(
        PIPELINES / "branches", tmp_path, params={"platform": "ont", "skip_qc": "true"}
    )
    assert {u.image: u.processes for u in result.uses} == {
        "acmegenomics.azurecr.io/align/minimap2:2.28": ("ALIGN",),
        "quay.io/biocontainers/fastp:0.23.4--h5f740d0_0": ("TRIM",),
    }
    conditions = finding(result, "processes not called under these params").details["conditions"]
    assert "`!params.skip_qc` is true" not in conditions["QC"]
    assert conditions["QC"].startswith("`!params.skip_qc` is false under these params")


def test_zero_processes_reached_is_a_fail_that_says_why(tmp_path: Path) -> None:
    result = resolve(PIPELINES / "none-reached", tmp_path)
    assert result.uses == ()
    none = finding(result, "no process runs")
    assert none.status is Status.FAIL
    assert "`params.run_qc` is false under these params" in none.message
    assert none.details == {"processes": ["FASTQC"]}
    assert str(none.location) == "main.nf:8:1"  # the entry workflow that calls nothing
    assert not [
        f
        for f in resolve(PIPELINES / "none-reached", tmp_path, params={"run_qc": "1"}).findings
        if f.subject == "no process runs"
    ]


def test_a_workflow_that_invokes_nothing_it_includes_fails(tmp_path: Path) -> None:
    (tmp_path / "a.nf").write_text("process A {\n  container 'x/a:1'\n  'true'\n}\n")
    (tmp_path / "main.nf").write_text("include { A } from './a'\nworkflow {\n    A.out.view()\n}\n")
    result = resolve(tmp_path, tmp_path)
    none = finding(result, "no process runs")
    assert none.status is Status.FAIL
    assert "invokes none of them" in none.message


def test_only_named_workflows_that_invoke_nothing_is_a_warn_for_entry(tmp_path: Path) -> None:
    (tmp_path / "a.nf").write_text("process A {\n  container 'x/a:1'\n  'true'\n}\n")
    (tmp_path / "main.nf").write_text(
        "include { A } from './a'\nworkflow ONE {\n    A.out\n}\nworkflow TWO {\n    A.out\n}\n"
    )
    none = finding(resolve(tmp_path, tmp_path), "no process runs")
    assert none.status is Status.WARN and "`-entry`" in none.message


def test_a_pipeline_without_processes_gets_no_such_finding(tmp_path: Path) -> None:
    (tmp_path / "main.nf").write_text("workflow {\n    Channel.of(1).view()\n}\n")
    assert not [f for f in resolve(tmp_path, tmp_path).findings if f.subject == "no process runs"]


def test_the_table_marks_processes_of_a_branch_not_taken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from preflight.cli import main

    assert main(["images", str(PIPELINES / "branches")]) == 0
    out = capsys.readouterr().out
    section = out.split("Not called (not checked):\n", 1)[1].split("\n\n", 1)[0]
    lines = dict(line.strip().split(": ", 1) for line in section.splitlines())
    assert lines["TRIM"].endswith("(a branch these params do not take)")
    assert lines["report"] == "acmegenomics.azurecr.io/reporting/never-run:1.0"
