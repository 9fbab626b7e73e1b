"""Options shared by the verbs that read a pipeline, spelled as ``nextflow run`` spells them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from preflight.pipeline import ENGINES, PipelineSpec, parse_param_assignments

F = TypeVar("F", bound=Callable[..., Any])


def pipeline_options(func: F) -> F:
    """``[PIPELINE] -profile … -c … --params-file … --param k=v … --engine …``."""
    decorators = [
        click.argument(
            "pipeline",
            required=False,
            default=".",
            type=click.Path(path_type=Path),
        ),
        click.option(
            "-profile", "--profile", "profiles", multiple=True,
            help="Configuration profile(s), comma-separated or repeated (as in nextflow run).",
        ),
        click.option(
            "-c", "--config", "config_files", multiple=True, type=click.Path(path_type=Path),
            help="Extra configuration file, applied after the pipeline's own (repeatable).",
        ),
        click.option(
            "-C", "replace_config", multiple=True, type=click.Path(path_type=Path),
            help="Use only this configuration file, ignoring the defaults (repeatable).",
        ),
        click.option(
            "--params-file", type=click.Path(path_type=Path),
            help="Parameters from a JSON or YAML file.",
        ),
        click.option(
            "--param", "param_pairs", multiple=True, metavar="KEY=VALUE",
            help="A pipeline parameter, as --KEY VALUE on the nextflow command line (repeatable).",
        ),
        click.option(
            "--engine", type=click.Choice(ENGINES), default=None,
            help="Container engine to resolve images for (default: from the config, else docker).",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def build_spec(
    pipeline: Path,
    profiles: tuple[str, ...],
    config_files: tuple[Path, ...],
    replace_config: tuple[Path, ...],
    params_file: Path | None,
    param_pairs: tuple[str, ...],
    engine: str | None,
    launch_dir: Path | None = None,
) -> PipelineSpec:
    """Turn the parsed pipeline options into a :class:`PipelineSpec`.

    ``$NXF_HOME`` (default ``~/.nextflow``) is read here, in the CLI layer, as Nextflow reads it.
    """
    names = tuple(p.strip() for group in profiles for p in group.split(",") if p.strip())
    return PipelineSpec.locate(
        pipeline,
        profiles=names,
        config_files=tuple(replace_config) if replace_config else tuple(config_files),
        replace_configs=bool(replace_config),
        params_file=params_file,
        params=parse_param_assignments(param_pairs),
        engine=engine,
        launch_dir=launch_dir or Path.cwd(),
        nxf_home=Path(os.environ.get("NXF_HOME") or Path.home() / ".nextflow"),
    )


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    """``--format`` with the verb's own choices."""
    return click.option(
        "--format", "output_format", type=click.Choice(choices), default=default,
        show_default=True, help="Output format.",
    )
