"""``preflight config``: print the pipeline's resolved Nextflow configuration."""

from __future__ import annotations

import json
import os

import click

from preflight.cli.options import format_option, pipeline_options
from preflight.pipeline import PipelineSpec


@click.command(name="config")
@pipeline_options
@format_option("flat", "json", default="flat")
@click.option(
    "--syntax",
    type=click.Choice(["auto", "v1", "v2"]),
    default=None,
    help="Nextflow config parser to follow (default: $NXF_SYNTAX_PARSER, else auto: strict "
    "unless a file needs the legacy one).",
)
@click.option(
    "-a",
    "-show-profiles",
    "--show-profiles",
    "show_profiles",
    is_flag=True,
    help="Apply no profile; show each under profiles.<name> (nextflow config -show-profiles).",
)
def command(
    spec: PipelineSpec,
    output_format: str,
    syntax: str | None,
    show_profiles: bool,
) -> None:
    """Print the configuration PIPELINE's run would see, like `nextflow config -flat`.

    Values only the run can know (environment variables, secrets, functions) are marked
    dynamic, with where they are set. Credentials are shown as <hidden>.
    """
    from preflight.nextflow.config.evaluator import resolve_config
    from preflight.nextflow.config.render import render_flat, render_json

    chosen = syntax or os.environ.get("NXF_SYNTAX_PARSER") or "auto"
    if chosen not in ("auto", "v1", "v2"):
        chosen = "auto"
    resolved = resolve_config(spec, syntax=chosen, show_all_profiles=show_profiles)
    if output_format == "json":
        document = render_json(resolved)
        if spec.source is not None:  # a remote pipeline: the repository and commit read
            from preflight.report.facts import source_fields

            document["source"] = source_fields(spec.source)
        click.echo(json.dumps(document, indent=2))
        return
    if spec.source is not None:  # on stderr: stdout stays `nextflow config -flat` text
        source = spec.source
        click.echo(
            f"preflight: {source.repository}@{source.revision}, commit {source.commit}", err=True
        )
    click.echo(render_flat(resolved), nl=False)
    for entry in resolved.unread:
        click.echo(
            f"preflight: {entry.location}: includeConfig {entry.target} not read: {entry.reason}",
            err=True,
        )
