"""A Platform launch read from the sandbox's Platform over HTTPS, and checked as Platform runs it.

The seeded Launchpad pipelines run the demo pipeline at ``v1.0``, whose own ``nextflow.config``
leaves Wave off: ``demo-pipeline`` passes the wave check because its compute environment turns
Wave on; ``demo-pipeline-nowave`` fails it, and the finding names the compute environment. The
repository is a real Git repository (read with ``git`` at the launch's revision).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from preflight.checks.base import CheckContext, CheckOptions, run_checks
from preflight.checks.wave import WaveCheck
from preflight.cli.platform_launch import PlatformRun, platform_run
from preflight.errors import InputError
from preflight.model import Finding, Status
from preflight.nextflow.config.evaluator import resolve_config
from preflight.sandbox.runtime import Sandbox
from preflight.settings import Settings
from preflight.wiring import build_services

from .demo_repository import make_demo_repository

pytestmark = pytest.mark.sandbox


@pytest.fixture
def demo_repo(sandbox_env: Sandbox, tmp_path: Path) -> Path:
    """The Launchpad's pipelines pointed at a local Git repository of the demo pipeline."""
    repository = make_demo_repository(tmp_path / "demo-pipeline")
    state = sandbox_env.platform
    with state.lock:
        for pipelines in state.pipelines.values():
            for pipeline in pipelines:
                pipeline.repository = repository.as_uri()
    return repository


@pytest.fixture
def runs() -> Iterator[list[PlatformRun]]:
    made: list[PlatformRun] = []
    yield made
    for run in made:
        run.cleanup()


def launch(runs: list[PlatformRun], pipeline: str, **options: object) -> PlatformRun:
    run = platform_run(
        pipeline=pipeline,
        workspace=options.pop("workspace", "acme/pipelines"),  # type: ignore[arg-type]
        settings=Settings.from_environ(os.environ),
        environ=os.environ,
        **options,  # type: ignore[arg-type]
    )
    runs.append(run)
    return run


def wave_findings(run: PlatformRun) -> list[Finding]:
    context = CheckContext(
        spec=run.spec,
        settings=run.settings,
        services=build_services(run.settings, run.environ),
        options=CheckOptions(platform_launch=True),
    )
    report = run_checks([WaveCheck(run.environ)], context)
    return [f for f in report.findings if f.subject == "wave.enabled"]


def test_wave_comes_from_the_compute_environment(demo_repo: Path, runs: list[PlatformRun]) -> None:
    run = launch(runs, "demo-pipeline")
    assert run.launch.compute_env is not None
    assert run.launch.compute_env.name == "azure-batch-wave"
    assert run.launch.revision == "v1.0"
    (finding,) = wave_findings(run)
    assert finding.status is Status.PASS
    assert "compute environment azure-batch-wave, Platform-managed settings" in finding.message
    # The launch workspace is the one Wave reads: Platform sets it for the run.
    workspace = str(run.launch.workspace_id)
    assert run.environ["TOWER_WORKSPACE_ID"] == workspace
    assert run.settings.workspace == workspace


def test_no_layer_turns_wave_on(demo_repo: Path, runs: list[PlatformRun]) -> None:
    run = launch(runs, "demo-pipeline-nowave")
    config = resolve_config(run.spec)
    assert [f.path for f in config.files] == [
        "nextflow.config",
        "compute environment azure-batch, Global Nextflow config",
        "launch config text",
    ]
    assert config.get("process.queue") == "default"  # the Global Nextflow config is read
    assert config.get("process.cpus") == 2  # and the launch config text
    assert config.get("params.outdir") == "az://acmestore/results"  # the launch's paramsText
    (finding,) = wave_findings(run)
    assert finding.status is Status.FAIL


def test_tw_launch_options_override_the_launch(demo_repo: Path, runs: list[PlatformRun]) -> None:
    # v1.1 enables Wave in its own nextflow.config: the revision option wins over the launch's.
    run = launch(runs, "demo-pipeline-nowave", revision="v1.1")
    (finding,) = wave_findings(run)
    assert finding.status is Status.PASS and "nextflow.config" in finding.message
    # --compute-env by name; --config text on top of everything.
    run = launch(
        runs,
        "demo-pipeline-nowave",
        compute_env="azure-batch-wave",
        config_text="wave.enabled = false\n",
    )
    (finding,) = wave_findings(run)
    assert finding.status is Status.FAIL
    assert "launch config text" in finding.message


def test_an_ad_hoc_launch_runs_on_the_primary_compute_environment(
    demo_repo: Path, runs: list[PlatformRun]
) -> None:
    run = launch(runs, demo_repo.as_uri(), revision="v1.0")
    assert run.launch.compute_env is not None and run.launch.compute_env.primary
    assert run.launch.launchpad_name is None
    (finding,) = wave_findings(run)
    assert finding.status is Status.PASS


def test_unknown_names_are_clear_input_errors(demo_repo: Path, runs: list[PlatformRun]) -> None:
    with pytest.raises(InputError) as unknown:
        launch(runs, "demo")
    assert "no Launchpad pipeline named 'demo'" in str(unknown.value)
    assert "demo-pipeline, demo-pipeline-nowave" in (unknown.value.remedy or "")
    with pytest.raises(InputError) as no_ce:
        launch(runs, "demo-pipeline", compute_env="aws-batch")
    assert "azure-batch-wave, azure-batch" in (no_ce.value.remedy or "")
    with pytest.raises(InputError) as no_rev:
        launch(runs, "demo-pipeline", revision="v9.9")
    assert "v9.9" in str(no_rev.value)
    with pytest.raises(InputError):
        launch(runs, "demo-pipeline", workspace="acme/nowhere")


def test_the_private_token_is_in_no_error(
    demo_repo: Path, runs: list[PlatformRun], sandbox_env: Sandbox
) -> None:
    token = sandbox_env.platform.describe()["access_token"]
    with pytest.raises(InputError) as unknown:
        launch(runs, "missing-pipeline")
    text = f"{unknown.value} {unknown.value.remedy} {unknown.value.where}"
    assert token not in text
