"""The run's facts: typed, computed once from the run's inputs, whatever order the checks ask."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.checks.base import Check, CheckContext, run_checks
from preflight.checks.facts import Fact
from preflight.checks.images import ImagesCheck
from preflight.checks.wave import WaveCheck
from preflight.errors import InputError
from preflight.pipeline import PipelineSpec
from preflight.provision.session import discover_images
from preflight.settings import Settings

# Accepted by Nextflow's legacy (v1) parser only: a strict (v2) run stops on `def`.
LEGACY_ONLY = (
    "wave.enabled = true\ndef registry = 'r.azurecr.io'\nprocess.container = 'r.azurecr.io/a:1'\n"
)


def _pipeline(tmp_path: Path) -> PipelineSpec:
    root = tmp_path / "pipeline"
    root.mkdir()
    (root / "main.nf").write_text("process A {\n  script: 'true'\n}\nworkflow { A() }\n")
    (root / "nextflow.config").write_text(LEGACY_ONLY)
    return PipelineSpec.locate(root, launch_dir=root)


def _answers(spec: PipelineSpec, settings: Settings, *, images_first: bool) -> list[str]:
    """Each finding as status, subject and message (the check that raised an error first
    holds it; which one that is may follow the order, the answers may not)."""
    environ = {"TOWER_ACCESS_TOKEN": "t"}
    checks: list[Check] = [ImagesCheck(), WaveCheck(environ)]
    if not images_first:
        checks.reverse()
    report = run_checks(checks, CheckContext(spec, settings))
    return sorted(
        f"{f.status.value} {f.subject}: {f.message.split(' (see the ')[0]}" for f in report.findings
    )


@pytest.mark.parametrize("syntax", ["v2", "auto"])
def test_the_order_of_the_checks_changes_no_answer(tmp_path: Path, syntax: str) -> None:
    spec = _pipeline(tmp_path)
    settings = Settings.from_environ({"NXF_SYNTAX_PARSER": syntax})
    assert settings.syntax == syntax
    first = _answers(spec, settings, images_first=True)
    second = _answers(spec, settings, images_first=False)
    statuses = [answer.split()[0] for answer in first]
    if syntax == "v2":
        # The strict parser refuses the file: one error where it is first read; the other
        # check says it could not check, instead of repeating the error.
        assert sorted(statuses) == ["error", "skip"]
        assert first[0].split(":")[0] == second[0].split(":")[0]
    else:
        assert first == second
        assert "error" not in statuses and "pass" in statuses


def test_fix_discovers_images_with_the_settings_syntax(tmp_path: Path) -> None:
    spec = _pipeline(tmp_path)
    assert [u.image for u in discover_images(spec, Settings())] == ["r.azurecr.io/a:1"]
    with pytest.raises(InputError):
        discover_images(spec, Settings(syntax="v2"))


def test_a_fact_is_computed_once_and_its_failure_is_the_same_exception() -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        raise InputError("unreadable", remedy="fix it")

    fact: Fact[int] = Fact(compute)
    with pytest.raises(InputError) as first:
        fact.get()
    with pytest.raises(InputError) as second:
        fact.get()
    assert first.value is second.value and len(calls) == 1
    assert fact.known() is None
    fact.provide(7)
    assert fact.get() == 7 and fact.known() == 7 and len(calls) == 1


def test_an_unset_setting_leaves_nextflow_s_default_syntax() -> None:
    assert Settings.from_environ({}).syntax == "auto"
    assert Settings.from_environ({"NXF_SYNTAX_PARSER": "v3"}).syntax == "auto"
