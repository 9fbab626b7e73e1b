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


@pytest.mark.parametrize(
    "before_run",
    [["-q"], ["-quiet"], ["-bg"], ["-log", "x.log"], ["-Dfile.encoding=UTF-8"], ["-syslog", "h"]],
)
def test_nextflow_global_options_before_run_pass_through(before_run: list[str]) -> None:
    launch = parse_launch_command(["nextflow", *before_run, "run", "./pipe", "-profile", "az"])
    assert launch.pipeline == "./pipe" and launch.profiles == ("az",)
    assert launch.config_files == () and not launch.replace_configs


def test_global_c_adds_a_config_before_the_run_c_files() -> None:
    """Nextflow reads the global -c files first, then run's own (ConfigBuilder's order)."""
    launch = parse_launch_command(
        ["nextflow", "-c", "global.config", "run", "./pipe", "-c", "run.config"]
    )
    assert launch.config_files == (Path("global.config"), Path("run.config"))
    assert not launch.replace_configs


def test_global_capital_c_replaces_the_defaults_and_every_c_file() -> None:
    launch = parse_launch_command(
        ["nextflow", "-C", "only.config", "-c", "ignored.config", "run", "./pipe"]
    )
    assert launch.pipeline == "./pipe"
    assert launch.replace_configs and launch.config_files == (Path("only.config"),)


def test_other_nextflow_commands_read_nothing() -> None:
    launch = parse_launch_command(["nextflow", "-q", "config", "./pipe"])
    assert launch.tool == "nextflow" and launch.pipeline is None


def test_a_config_file_named_as_the_pipeline_says_what_to_pass() -> None:
    with pytest.raises(InputError) as caught:
        parse_launch_command(["nextflow", "run", "pipe/nextflow.config"])
    assert "nextflow run pipe" in (caught.value.remedy or "")
    assert "-c pipe/nextflow.config" in (caught.value.remedy or "")


def test_global_c_without_a_file_is_unusable_input() -> None:
    with pytest.raises(InputError, match="needs a configuration file"):
        parse_launch_command(["nextflow", "-c"])
