"""ImagesCheck: findings for a run, and the images it publishes for the checks after it."""

from __future__ import annotations

from pathlib import Path

from preflight.checks.base import (
    CheckContext,
    run_checks,
)
from preflight.checks.images import ImagesCheck
from preflight.checks.services import Services
from preflight.model import Status
from preflight.pipeline import PipelineSpec
from preflight.settings import Settings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "images"


def context_for(name: str, tmp_path: Path, **options: object) -> CheckContext:
    spec = PipelineSpec.locate(FIXTURES / name, launch_dir=tmp_path, **options)
    return CheckContext(spec=spec, settings=Settings(), services=Services())


def test_acr_images_are_reported_and_published(tmp_path: Path) -> None:
    context = context_for("nfcore", tmp_path)
    report = run_checks([ImagesCheck()], context)
    acr = [f for f in report.findings if f.status is Status.PASS]
    assert {f.subject for f in acr} == {
        "acmegenomics.azurecr.io/tools/bwa-patched:0.7.18",
        "acmegenomics.azurecr.io/tools/samtools:1.21",
    }
    assert all(f.check == "images" and f.location is not None for f in acr)
    assert len(report.images) == 6 and report.unresolved == ()
    assert context.facts.known_images()[0] == report.images
    resolution = context.facts.resolution.known()
    assert resolution is not None and resolution.engine == "docker"
    assert report.passed


def test_unresolved_entries_are_warnings_with_their_place(tmp_path: Path) -> None:
    context = context_for("dynamic", tmp_path)
    report = run_checks([ImagesCheck()], context)
    warn = next(f for f in report.findings if f.subject == "PER_SAMPLE")
    assert warn.status is Status.WARN and str(warn.location) == "main.nf:4:15"
    assert "not known before the run" in warn.message and warn.remedy
    assert [u.process for u in context.facts.known_images()[1]] == ["PER_SAMPLE"]


def test_no_acr_images_is_said_plainly(tmp_path: Path) -> None:
    report = run_checks([ImagesCheck()], context_for("config_only", tmp_path))
    assert [(f.status, f.subject) for f in report.findings] == [(Status.PASS, "ACR images")]
    assert "none of the 3 image(s)" in report.findings[0].message


def test_a_blocking_trip_up_fails_the_gate(tmp_path: Path) -> None:
    report = run_checks([ImagesCheck()], context_for("registry_acr", tmp_path))
    assert not report.passed
    assert any(f.status is Status.FAIL and "upper-case" in f.message for f in report.findings)


def test_an_unreadable_config_is_one_error_finding(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "main.nf").write_text("workflow { }\n")
    (tmp_path / "p" / "nextflow.config").write_text("process {\n  container = \n")
    spec = PipelineSpec.locate(tmp_path / "p", launch_dir=tmp_path)
    context = CheckContext(spec=spec, settings=Settings(), services=Services())
    report = run_checks([ImagesCheck()], context)
    assert [f.status for f in report.findings] == [Status.ERROR]
    assert context.facts.resolution.known() is None
