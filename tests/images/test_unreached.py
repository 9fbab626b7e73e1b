"""Processes included but never called: listed, never pulled, never asked a credential for."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from preflight.checks.base import CheckContext
from preflight.checks.base import run_checks as run
from preflight.checks.images import ImagesCheck
from preflight.checks.services import Services
from preflight.cli import main
from preflight.images.resolve import ImageResolution, resolve_images
from preflight.model import Status
from preflight.pipeline import PipelineSpec
from preflight.settings import Settings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "images"
SPARE = "spareacr.azurecr.io/tools/spare:1.0"


def resolve(pipeline: Path, tmp_path: Path) -> ImageResolution:
    return resolve_images(PipelineSpec.locate(pipeline, launch_dir=tmp_path))


def unreached_finding(resolution: ImageResolution) -> dict[str, object]:
    found = [f for f in resolution.findings if f.subject == "processes defined but not called"]
    assert len(found) == 1
    finding = found[0]
    return {
        "status": finding.status,
        "message": finding.message,
        "remedy": finding.remedy,
        "details": finding.details,
    }


def test_an_uncalled_process_yields_no_image_use_and_no_finding_of_its_own(
    tmp_path: Path,
) -> None:
    result = resolve(FIXTURES / "unreached", tmp_path)
    assert [(u.image, u.processes) for u in result.uses] == [
        ("quay.io/biocontainers/fastqc:0.12.1--hdfd78af_0", ("QC",)),
    ]
    assert result.acr_uses == () and result.unresolved == ()
    # The upper-case, untagged image of SPARE_BAD would fail the gate if the run called it.
    assert Status.FAIL not in {f.status for f in result.findings}
    assert not any("SPARE_BAD" in f.subject or "Spare" in f.subject for f in result.findings)
    # Still resolved, for the per-process detail.
    spare = {p.process: p for p in result.processes}["SPARE"]
    assert (spare.reached, str(spare.image)) == (False, SPARE)


def test_the_uncalled_processes_are_one_skip_finding_naming_them(tmp_path: Path) -> None:
    finding = unreached_finding(resolve(FIXTURES / "unreached", tmp_path))
    assert finding["status"] is Status.SKIP
    assert "SPARE, SPARE_BAD" in str(finding["message"])
    assert "not checked" in str(finding["message"])
    assert "2 of their images on ACR" in str(finding["message"])
    assert finding["details"] == {
        "processes": {"SPARE": SPARE, "SPARE_BAD": "spareacr.azurecr.io/Tools/Spare"},
        "other_entries": [],
    }


def test_once_called_the_process_is_checked_again(tmp_path: Path) -> None:
    pipeline = tmp_path / "p"
    pipeline.mkdir()
    (pipeline / "main.nf").write_text(
        (FIXTURES / "unreached/modules/qc.nf").read_text()
        + f"process SPARE {{\n    container '{SPARE}'\n}}\n"
        + "workflow { QC(Channel.of(1)); SPARE() }\n"
    )
    result = resolve(pipeline, tmp_path)
    assert [u.image for u in result.acr_uses] == [SPARE]
    assert not any(f.subject == "processes defined but not called" for f in result.findings)


def test_other_named_workflows_make_it_a_warning_about_entry(tmp_path: Path) -> None:
    pipeline = tmp_path / "p"
    (pipeline / "modules").mkdir(parents=True)
    for name in ("qc.nf", "spare.nf"):
        shutil.copy(FIXTURES / "unreached" / "modules" / name, pipeline / "modules" / name)
    (pipeline / "main.nf").write_text(
        "include { QC } from './modules/qc'\ninclude { SPARE } from './modules/spare'\n"
        "workflow MAINTENANCE { SPARE() }\nworkflow SHARED { QC(Channel.of(1)) }\n"
        "workflow { SHARED() }\n"
    )
    result = resolve(pipeline, tmp_path)
    finding = unreached_finding(result)
    assert finding["status"] is Status.WARN
    assert "`-entry` is not modelled" in str(finding["message"])
    assert "MAINTENANCE" in str(finding["message"]) and "SHARED" not in str(finding["message"])
    assert finding["remedy"]
    assert finding["details"]["other_entries"] == ["MAINTENANCE"]  # type: ignore[index]
    assert [u.processes for u in result.uses] == [("SHARED:QC",)]


def test_the_check_publishes_only_what_the_run_pulls(tmp_path: Path) -> None:
    """The credentials, token and pull checks read the run's image uses: no ACR registry there."""
    spec = PipelineSpec.locate(FIXTURES / "unreached", launch_dir=tmp_path)
    context = CheckContext(spec=spec, settings=Settings(), services=Services())
    report = run([ImagesCheck()], context)
    assert [u.image for u in context.facts.known_images()[0]] == [
        "quay.io/biocontainers/fastqc:0.12.1--hdfd78af_0"
    ]
    assert context.facts.known_images()[1] == ()
    assert context.facts.acr_registries() == ()
    assert report.passed
    skip = [f for f in report.findings if f.status is Status.SKIP]
    assert [f.subject for f in skip] == ["processes defined but not called"]


def test_images_json_lists_uncalled_processes_with_reached_false(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["images", str(FIXTURES / "unreached"), "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["status"] == "pass"
    assert [i["image"] for i in document["images"]] == [
        "quay.io/biocontainers/fastqc:0.12.1--hdfd78af_0"
    ]
    processes = {p["process"]: p for p in document["processes"]}
    assert {name: p["reached"] for name, p in processes.items()} == {
        "QC": True,
        "SPARE": False,
        "SPARE_BAD": False,
    }
    assert processes["SPARE"]["image"] == SPARE
    assert list(processes["SPARE"]) == [
        "process",
        "declared",
        "alias",
        "labels",
        "reached",
        "outcome",
        "image",
        "inspect_image",
        "set_by",
        "source",
        "reason",
    ]
    code = main(["images", str(FIXTURES / "unreached"), "--acr-only", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert document["images"] == []
    assert [(p["process"], p["reached"]) for p in document["processes"]] == [
        ("SPARE", False),
        ("SPARE_BAD", False),
    ]


def test_images_text_says_what_was_not_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["images", str(FIXTURES / "unreached")]) == 0
    out = capsys.readouterr().out
    assert "1 image(s), 0 on ACR" in out
    assert "skip  processes defined but not called" in out
    section = out.split("Not called (not checked):\n", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines() == [
        f"  SPARE: {SPARE}",
        "  SPARE_BAD: spareacr.azurecr.io/Tools/Spare",
    ]
    # The table above it lists only what the run pulls.
    assert out.index("Not called") > out.index("fastqc") and out.count("SPARE:") == 1


def test_images_text_without_uncalled_processes_has_no_such_section(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    pipeline = tmp_path / "p"
    pipeline.mkdir()
    (pipeline / "main.nf").write_text(
        f"process SPARE {{\n    container '{SPARE}'\n}}\nworkflow {{ SPARE() }}\n"
    )
    assert main(["images", str(pipeline)]) == 0
    assert "Not called" not in capsys.readouterr().out


def test_without_an_unnamed_workflow_every_named_one_is_followed_and_said(
    tmp_path: Path,
) -> None:
    pipeline = tmp_path / "p"
    (pipeline / "modules").mkdir(parents=True)
    for name in ("qc.nf", "spare.nf"):
        shutil.copy(FIXTURES / "unreached" / "modules" / name, pipeline / "modules" / name)
    (pipeline / "main.nf").write_text(
        "include { QC } from './modules/qc'\ninclude { SPARE } from './modules/spare'\n"
        "workflow MAINTENANCE { SPARE() }\nworkflow ANALYSIS { QC(Channel.of(1)) }\n"
    )
    result = resolve(pipeline, tmp_path)
    # Either may be the one run: both are checked, the uncalled SPARE_BAD is not.
    assert {u.processes for u in result.uses} == {("MAINTENANCE:SPARE",), ("ANALYSIS:QC",)}
    entry = [f for f in result.findings if f.subject == "-entry"]
    assert [f.status for f in entry] == [Status.WARN]
    assert "MAINTENANCE, ANALYSIS" in entry[0].message and entry[0].remedy
    assert unreached_finding(result)["status"] is Status.SKIP  # SPARE_BAD, loaded, never called
