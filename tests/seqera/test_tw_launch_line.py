"""``tw launch`` command lines: the options that change what a Platform launch runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.cli.launch_line import parse_launch_command


@pytest.mark.parametrize(
    "words",
    [
        ["--revision", "v1.1", "--compute-env", "azure-batch", "-p", "a,b"],
        ["-r", "v1.1", "-c", "azure-batch", "--profile", "a", "--profile=b"],
        ["--revision=v1.1", "--compute-env=azure-batch", "--profile=a,b"],
    ],
)
def test_revision_compute_env_and_profiles(words: list[str]) -> None:
    launch = parse_launch_command(["tw", "launch", "demo-pipeline", *words])
    assert launch.pipeline == "demo-pipeline"
    assert (launch.revision, launch.compute_env, launch.profiles) == (
        "v1.1",
        "azure-batch",
        ("a", "b"),
    )
    assert launch.config_files == ()  # tw's -c is the compute environment, not a config file


def test_config_params_and_workspace() -> None:
    launch = parse_launch_command(
        [
            "tw",
            "launch",
            "https://github.com/acme/demo-pipeline",
            "--config",
            "extra.config",
            "--params-file=p.yaml",
            "-w",
            "acme/pipelines",
            "--wait",
            "SUCCEEDED",
        ]
    )
    assert launch.pipeline == "https://github.com/acme/demo-pipeline"
    assert launch.config_files == (Path("extra.config"),)
    assert launch.params_file == Path("p.yaml")
    assert launch.workspace == "acme/pipelines"
    assert launch.revision is None and launch.compute_env is None


def test_nextflow_run_has_no_platform_overrides() -> None:
    # -r of nextflow run is the remote pipeline's revision; a compute environment is tw's only.
    launch = parse_launch_command(["nextflow", "run", "acme/demo-pipeline", "-r", "v1.1"])
    assert (launch.revision, launch.compute_env) == ("v1.1", None)
    assert not launch.platform_launch


def test_options_before_the_pipeline_keep_their_values() -> None:
    launch = parse_launch_command(
        ["tw", "launch", "--wait", "SUCCEEDED", "--pull-latest", "--head-job-cpus", "2", "demo"]
    )
    assert launch.pipeline == "demo"  # --pull-latest is a flag; --wait and the cpus take values
