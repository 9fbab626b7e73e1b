"""``preflight images``: the container images a pipeline uses, per process, and which are on ACR.

Reads only local files: it never talks to a service, so it imports neither httpx nor the Azure
SDKs (a test holds it to that).
"""

from __future__ import annotations

import click

from preflight.cli.options import format_option, pipeline_options
from preflight.errors import EXIT_FAIL, EXIT_PASS
from preflight.pipeline import PipelineSpec


@click.command(name="images")
@pipeline_options
@click.option("--acr-only", is_flag=True, help="List only images on an Azure Container Registry.")
@format_option("text", "json")
def command(
    spec: PipelineSpec,
    acr_only: bool,
    output_format: str,
) -> None:
    """List the images PIPELINE (default: the current directory) will pull, per process.

    \b
    Exit codes: 0 listed, 1 an image the run cannot pull (invalid or upper-case name),
    2 unusable input (options, malformed configuration).
    """
    from preflight.images.resolve import resolve_images
    from preflight.report.images_table import passed, render_json, render_text

    resolution = resolve_images(spec)
    render = render_json if output_format == "json" else render_text
    click.echo(render(resolution, str(spec.root), acr_only=acr_only, source=spec.source), nl=False)
    raise click.exceptions.Exit(EXIT_PASS if passed(resolution) else EXIT_FAIL)
