"""Reading a wrapped launch command: what preflight takes from it, and what it leaves alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.cli.launch_line import parse_launch_command
from preflight.errors import InputError


def test_nextflow_run_options_are_read() -> None:
    launch = parse_launch_command(
        [
            "nextflow",
            "run",
            "./pipe",
            "-profile",
            "azure,test",
            "-c",
            "extra.config",
            "-params-file",
            "p.yaml",
            "--genome",
            "GRCh38",
            "--skip_qc",
            "-resume",
            "--outdir=res",
            "-r",
            "dev",
            "-with-wave",
        ]
    )
    assert launch.tool == "nextflow" and not launch.platform_launch
    assert launch.pipeline == "./pipe"
    assert launch.profiles == ("azure", "test")
    assert launch.config_files == (Path("extra.config"),)
    assert launch.params_file == Path("p.yaml")
    assert launch.params == {"genome": "GRCh38", "skip_qc": "true", "outdir": "res"}
    assert launch.with_wave


def test_value_options_do_not_eat_the_pipeline() -> None:
    launch = parse_launch_command(["nextflow", "run", "-r", "1.2", "-w", "/work", "nf-core/x"])
    assert launch.pipeline == "nf-core/x"
    assert launch.local_pipeline is None  # a remote name is not a local path


def test_capital_c_replaces_configs() -> None:
    launch = parse_launch_command(["nextflow", "run", ".", "-C", "only.config"])
    assert launch.replace_configs and launch.config_files == (Path("only.config"),)


def test_tw_launch_is_a_platform_launch(tmp_path: Path) -> None:
    launch = parse_launch_command(
        [
            "tw",
            "launch",
            str(tmp_path),
            "--workspace=acme/pipelines",
            "--profile",
            "azure",
            "--params-file",
            "p.json",
            "--compute-env",
            "batch",
            "--config",
            "x.config",
        ]
    )
    assert launch.tool == "tw" and launch.platform_launch
    assert launch.workspace == "acme/pipelines"
    assert launch.profiles == ("azure",)
    assert launch.params_file == Path("p.json")
    assert launch.config_files == (Path("x.config"),)
    assert launch.local_pipeline == tmp_path


def test_other_commands_are_passed_through_unread() -> None:
    launch = parse_launch_command(["bash", "-c", "echo hi"])
    assert launch.tool == "bash" and launch.pipeline is None and launch.profiles == ()


def test_empty_command_is_unusable_input() -> None:
    with pytest.raises(InputError, match="no command"):
        parse_launch_command([])
