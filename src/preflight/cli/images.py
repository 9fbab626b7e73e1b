"""``preflight images``: the container images a pipeline uses, per process, and which are on ACR.

Reads only local files: it never talks to a service, so it imports neither httpx nor the Azure
SDKs (a test holds it to that).
"""

from __future__ import annotations

from pathlib import Path

import click

from preflight.cli.options import build_spec, format_option, pipeline_options
from preflight.errors import EXIT_FAIL, EXIT_PASS


@click.command(name="images")
@pipeline_options
@click.option("--acr-only", is_flag=True, help="List only images on an Azure Container Registry.")
@format_option("text", "json")
def command(
    pipeline: Path,
    profiles: tuple[str, ...],
    config_files: tuple[Path, ...],
    replace_config: tuple[Path, ...],
    params_file: Path | None,
    param_pairs: tuple[str, ...],
    engine: str | None,
    acr_only: bool,
    output_format: str,
) -> None:
    """List the images PIPELINE (default: the current directory) will pull, per process.

    \b
    Exit codes: 0 listed, 1 an image the run cannot pull (invalid or upper-case name),
    2 unusable input (options, malformed configuration).
    """
    from preflight.images import resolve_images
    from preflight.images_report import passed, render_json, render_text

    spec = build_spec(
        pipeline, profiles, config_files, replace_config, params_file, param_pairs, engine
    )
    resolution = resolve_images(spec)
    render = render_json if output_format == "json" else render_text
    click.echo(render(resolution, str(pipeline), acr_only=acr_only), nl=False)
    raise click.exceptions.Exit(EXIT_PASS if passed(resolution) else EXIT_FAIL)
