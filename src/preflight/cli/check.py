"""``preflight check``: every check on a pipeline, a report, and an exit code a gate can trust."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

import click

from preflight.checks.base import CheckOptions, gate_exit_code
from preflight.cli.options import check_options, format_option, pipeline_options, wants_color
from preflight.model import Report
from preflight.pipeline import PipelineSpec
from preflight.settings import Settings


@click.command(name="check")
@pipeline_options
@check_options
@format_option("text", "json", "junit", "github")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the report to FILE (atomically) instead of stdout.",
)
@click.option(
    "--launchpad",
    default=None,
    metavar="NAME|ID",
    help="Check this Seqera Platform Launchpad pipeline's launch (in the -w workspace).",
)
def command(
    spec: PipelineSpec | None,
    settings: Settings,
    options: CheckOptions,
    output_format: str,
    output: Path | None,
    launchpad: str | None,
) -> None:
    """Run every check on PIPELINE (default: the current directory); never changes anything.

    \b
    Exit codes: 0 every check passed (warnings allowed), 1 a check failed,
    2 unusable input (also a token or workspace Platform does not accept),
    3 internal error, 4 a service could not be reached, 130 interrupted.
    """
    if launchpad is not None:
        from preflight.cli.platform_launch import platform_run

        run = platform_run(
            pipeline=launchpad, workspace=settings.workspace, settings=settings, environ=os.environ
        )
        try:
            report = execute_checks(run.spec, run.settings, run.check_options(options), run.environ)
        finally:
            run.cleanup()
    else:
        assert spec is not None
        report = execute_checks(spec, settings, options)
    emit_report(report, output_format, output)
    raise click.exceptions.Exit(gate_exit_code(report))


def execute_checks(
    spec: PipelineSpec,
    settings: Settings,
    options: CheckOptions,
    environ: Mapping[str, str] | None = None,
) -> Report:
    """Run the checks with a progress display on stderr (shown only on a terminal)."""
    from preflight.report.progress import TerminalProgress
    from preflight.wiring import run_all_checks

    progress = TerminalProgress(sys.stderr)
    return run_all_checks(spec, settings, options, environ or os.environ, progress)


def emit_report(report: Report, output_format: str, output: Path | None) -> None:
    """The report to stdout, or atomically to ``output`` with a one-line verdict on stdout."""
    from preflight.report import render
    from preflight.report.output import write_atomically

    if output is None:
        click.echo(render(output_format, report, color=wants_color(sys.stdout)), nl=False)
        return
    write_atomically(output, render(output_format, report))
    verdict = "passed" if report.passed else "failed"
    click.echo(f"preflight: checks {verdict}; report written to {output}")
