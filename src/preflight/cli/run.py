"""``preflight run [options] -- COMMAND…``: check (and with ``--fix``, fix), then become COMMAND.

The command replaces preflight (``exec``) only when the gate passes, so a wrapper script or a CI
step keeps COMMAND's own exit code and signals. The profile, ``-c`` files, params file and
params of a wrapped ``nextflow run`` (or ``tw launch``) are read from its command line, so users
never say them twice; options given to preflight itself come first.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import click
from click.core import ParameterSource

from preflight.checks.base import CheckOptions, gate_exit_code
from preflight.cli.check import emit_report, execute_checks
from preflight.cli.launch_line import LaunchOptions, parse_launch_command
from preflight.cli.options import build_spec, check_options, format_option
from preflight.errors import EXIT_PASS, InputError
from preflight.pipeline import ENGINES
from preflight.settings import Settings


@click.command(name="run")
@click.option(
    "--pipeline",
    "pipeline_path",
    type=click.Path(path_type=Path),
    default=None,
    help="The pipeline to check (default: the one named in a wrapped nextflow run / tw launch).",
)
@click.option(
    "-profile",
    "--profile",
    "profiles",
    multiple=True,
    help="Profile(s) to add to the wrapped command's (comma-separated or repeated).",
)
@click.option(
    "-c",
    "--config",
    "config_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra configuration file (repeatable).",
)
@click.option(
    "--params-file",
    type=click.Path(path_type=Path),
    default=None,
    help="Parameters file, as nextflow run -params-file (default: the wrapped command's).",
)
@click.option(
    "--param",
    "param_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="A pipeline parameter, as --KEY VALUE on nextflow run (repeatable).",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default=None,
    help="Container engine to resolve images for.",
)
@check_options
@click.option(
    "--fix",
    "apply_fix",
    is_flag=True,
    help="Fix what can be fixed first (as preflight fix --yes), then check.",
)
@format_option("text", "json", "junit", "github")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the report to FILE (atomically) instead of stdout.",
)
@click.argument("wrapped", nargs=-1, required=True, type=click.UNPROCESSED)
def command(
    pipeline_path: Path | None,
    profiles: tuple[str, ...],
    config_files: tuple[Path, ...],
    params_file: Path | None,
    param_pairs: tuple[str, ...],
    engine: str | None,
    settings: Settings,
    options: CheckOptions,
    apply_fix: bool,
    output_format: str,
    output: Path | None,
    wrapped: tuple[str, ...],
) -> None:
    """Check, then run WRAPPED (e.g. -- nextflow run . -profile azure) only if the checks pass."""
    launch = parse_launch_command(list(wrapped))
    # A tw launch of a Launchpad name or a repository URL is read from Platform; one that names
    # a local directory (or with --pipeline) is checked from that directory, as before.
    if launch.tool == "tw" and pipeline_path is None and launch.local_pipeline is None:
        _run_platform_launch(
            launch, settings, options, apply_fix, output_format, output, wrapped, engine
        )
        return
    pipeline: Path | str | None = pipeline_path or launch.local_pipeline
    revision = None if pipeline_path else launch.revision
    if pipeline is None and launch.tool == "nextflow" and launch.pipeline:
        from preflight.remote.names import looks_remote

        if looks_remote(launch.pipeline):  # nextflow run owner/repo -r REV: that commit
            pipeline = launch.pipeline
    if pipeline is None:
        raise InputError(
            f"cannot tell which pipeline {' '.join(wrapped[:3])} runs",
            remedy="name it with --pipeline DIR, or as owner/repo or a Git URL in the command",
        )
    # Before any check (or --fix) runs: a typo in the command must not cost a check or a change.
    program = find_program(wrapped[0])
    # `-C` in the wrapped command replaces the default files; preflight's own -c come after.
    replaced = launch.config_files if launch.replace_configs else ()
    added = () if launch.replace_configs else launch.config_files
    spec = build_spec(
        pipeline,
        (*launch.profiles, *profiles),
        (*added, *config_files),
        (*replaced, *config_files) if replaced else (),
        params_file or launch.params_file,
        (*(f"{k}={v}" for k, v in launch.params.items()), *param_pairs),
        engine,
        with_wave=launch.with_wave,
        revision=revision,
        hub=launch.hub,
        latest=launch.latest,
        ca_bundle=settings.ca_bundle,
    )
    settings, options = with_launch_defaults(settings, options, launch)
    if apply_fix:
        from preflight.cli.fix import fix_for_run

        options = fix_for_run(spec, settings, options)
    report = execute_checks(spec, settings, options)
    emit_report(report, output_format, output)
    exit_code = gate_exit_code(report)
    if exit_code != EXIT_PASS:
        click.echo(f"preflight: not running {wrapped[0]}: the checks failed.", err=True)
        raise click.exceptions.Exit(exit_code)
    replace_process(program, list(wrapped))


def _run_platform_launch(
    launch: LaunchOptions,
    settings: Settings,
    options: CheckOptions,
    apply_fix: bool,
    output_format: str,
    output: Path | None,
    wrapped: tuple[str, ...],
    engine: str | None,
) -> None:
    """``run -- tw launch …``: the launch as Platform will run it is checked, then ``tw`` runs."""
    from preflight.cli.platform_launch import FIX_ON_PLATFORM, tw_launch_run

    if apply_fix:
        raise InputError("--fix cannot change a Seqera Platform launch", remedy=FIX_ON_PLATFORM)
    program = find_program(wrapped[0])
    settings, options = with_launch_defaults(settings, options, launch)
    run = tw_launch_run(
        launch, workspace=settings.workspace, settings=settings, environ=os.environ, engine=engine
    )
    try:
        report = execute_checks(run.spec, run.settings, run.check_options(options), run.environ)
    finally:
        run.cleanup()
    emit_report(report, output_format, output)
    exit_code = gate_exit_code(report)
    if exit_code != EXIT_PASS:
        click.echo(f"preflight: not running {wrapped[0]}: the checks failed.", err=True)
        raise click.exceptions.Exit(exit_code)
    replace_process(program, list(wrapped))


def with_launch_defaults(
    settings: Settings, options: CheckOptions, launch: LaunchOptions
) -> tuple[Settings, CheckOptions]:
    """What the wrapped command says, where preflight's own options do not: its workspace
    (``tw launch --workspace``) beats ``TOWER_WORKSPACE_ID`` but not ``-w``; a ``tw launch``
    is a Platform launch."""
    own_workspace = click.get_current_context().get_parameter_source("workspace")
    if launch.workspace and own_workspace is not ParameterSource.COMMANDLINE:
        settings = replace(settings, workspace=launch.workspace)
    if launch.platform_launch and not options.platform_launch:
        options = replace(options, platform_launch=True)
    return settings, options


def find_program(name: str) -> str:
    """The wrapped command's executable on PATH; a missing one is unusable input."""
    program = shutil.which(name)
    if program is None:
        raise InputError(f"{name}: command not found", remedy="check PATH, or the command")
    return program


def replace_process(program: str, argv: list[str]) -> None:
    """Become ``program`` with ``argv`` (never returns)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(program, argv)
