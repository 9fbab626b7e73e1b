"""Lazy ``task.ext`` closures: called per process after selectors, with the run's settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.images.resolve import resolve_images
from preflight.images.task_scope import TaskExt, task_context, workflow_profile
from preflight.model import Location
from preflight.nextflow.groovy.expressions import evaluate, parse_expression
from preflight.nextflow.groovy.values import Dynamic
from preflight.pipeline import PipelineSpec

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "images" / "task_ext"
HERE = Location("test", 1, 1)


def images(tmp_path: Path, **options: object) -> dict[str, str]:
    spec = PipelineSpec.locate(FIXTURE, launch_dir=tmp_path, **options)
    return {p.process: str(p.image) for p in resolve_images(spec).processes}


def test_without_profile_workflow_profile_is_standard_and_the_closure_is_false(
    tmp_path: Path,
) -> None:
    found = images(tmp_path)
    # Before: the closure object itself counted as true, giving every gpu image.
    assert found["BY_PROFILE"] == "acmegenomics.azurecr.io/cpu/caller:1.0"
    assert found["BY_PARAM"] == "acmegenomics.azurecr.io/cpu/aligner:2.0"
    # A withLabel selector's closure replaces the process default for that process only.
    assert found["BY_LABEL"] == "acmegenomics.azurecr.io/gpu/polisher:3.0"


def test_the_run_profile_reaches_the_closure(tmp_path: Path) -> None:
    found = images(tmp_path, profiles=("gpu",))
    assert found["BY_PROFILE"] == "acmegenomics.azurecr.io/gpu/caller:1.0"
    # withName's closure reads params, not the profile: still cpu.
    assert found["BY_PARAM"] == "acmegenomics.azurecr.io/cpu/aligner:2.0"


def test_the_params_in_force_reach_the_closure(tmp_path: Path) -> None:
    found = images(tmp_path, params={"use_gpu": "true"})
    assert found["BY_PARAM"] == "acmegenomics.azurecr.io/gpu/aligner:2.0"
    assert found["BY_PROFILE"] == "acmegenomics.azurecr.io/cpu/caller:1.0"


@pytest.mark.parametrize(
    ("profiles", "expected"),
    [((), "standard"), (("gpu",), "gpu"), (("test", "gpu"), "test,gpu")],
)
def test_workflow_profile_is_the_profile_option_as_given(
    profiles: tuple[str, ...], expected: str
) -> None:
    assert workflow_profile(profiles) == expected


def _closure(text: str) -> object:
    return evaluate(parse_expression(text, HERE), {})


def test_a_closure_is_called_on_every_read_with_the_task_context() -> None:
    ext = {"args": _closure('{ "--cpus ${task.attempt} ${params.mode}" }'), "plain": "x"}
    scope = task_context(
        ext=ext,
        params={"mode": "fast"},
        workflow={"profile": "standard"},
        root="/p",
        module_dir="/p/m",
        fqn="WF:P",
    )
    value = evaluate(parse_expression("task.ext.args + ' ' + task.ext.plain", HERE), scope)
    assert value == "--cpus 1 fast x"


def test_a_closure_that_reads_itself_is_dynamic_not_endless() -> None:
    scope = task_context(
        ext={"loop": _closure("{ task.ext.loop }")},
        params={},
        workflow={},
        root="/p",
        module_dir="/p",
        fqn="P",
    )
    task_ext = scope["task"]["ext"]
    assert isinstance(task_ext, TaskExt)
    value = task_ext["loop"]
    assert isinstance(value, Dynamic) and "reads itself" in value.reason
