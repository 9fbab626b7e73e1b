"""What names a Nextflow run: the pipeline and the launch options that shape its configuration.

Every verb that reads a pipeline (``config``, ``images``, ``check``, ``fix``, ``run``) takes the
same options as ``nextflow run`` where they overlap; they all end up in a :class:`PipelineSpec`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from preflight.errors import InputError
from preflight.model import PipelineSource

__all__ = ["ENGINES", "PipelineSource", "PipelineSpec", "parse_param_assignments"]

ENGINES = ("docker", "podman", "singularity", "apptainer", "charliecloud", "sarus", "shifter")


@dataclass(frozen=True)
class ConfigText:
    """Configuration that is no file of the pipeline: a text, and the name of where it comes from.

    A Seqera Platform launch adds such texts (the compute environment's Global Nextflow config,
    the launch form's config text); ``name`` stands where a file name would in every location
    (``launch config text:3``), ``reason`` says why it was read.
    """

    name: str
    text: str
    reason: str = "Seqera Platform launch"


@dataclass(frozen=True)
class PipelineSpec:
    """A pipeline directory and the launch options Nextflow would be given.

    ``config_files`` are the ``-c`` files in command-line order; ``replace_configs`` is ``-C``
    (use only those files). ``params`` are ``--param k=v`` (strings, as Nextflow's command line
    gives them). ``nxf_home`` is where ``$NXF_HOME/config`` would be read from, if anywhere;
    ``launch_dir`` is where ``nextflow run`` is started (its ``nextflow.config`` is read too).
    """

    root: Path
    main_script: Path | None = None
    profiles: tuple[str, ...] = ()
    config_files: tuple[Path, ...] = ()
    replace_configs: bool = False
    params_file: Path | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    engine: str | None = None
    nxf_home: Path | None = None
    launch_dir: Path | None = None
    with_wave: bool = False  # `nextflow run -with-wave`: Wave on, whatever the files say
    source: PipelineSource | None = None  # a remote pipeline: root is its read-only checkout
    # Read after the project's (and launch dir's) nextflow.config, before -c files, in order.
    config_texts: tuple[ConfigText, ...] = ()

    @classmethod
    def locate(cls, pipeline: Path, **options: object) -> PipelineSpec:
        """Accept a directory (with ``main.nf`` and/or ``nextflow.config``) or a ``.nf`` script.

        A pipeline's ``nextflow.config`` named instead of its directory names that directory.
        """
        path = pipeline.expanduser()
        if path.is_file() and path.name == "nextflow.config":
            path = path.parent
        if path.is_file() and path.suffix == ".nf":
            return cls(root=path.parent.resolve(), main_script=path.resolve(), **options)  # type: ignore[arg-type]
        if path.is_dir():
            main = path / "main.nf"
            if not main.is_file() and not (path / "nextflow.config").is_file():
                raise InputError(
                    f"{path} holds neither main.nf nor nextflow.config",
                    remedy="name a pipeline directory or its main .nf script",
                )
            return cls(
                root=path.resolve(),
                main_script=main.resolve() if main.is_file() else None,
                **options,  # type: ignore[arg-type]
            )
        if not path.exists():
            raise InputError(f"{path}: no such file or directory", remedy="check the path")
        raise InputError(
            f"{path} is not a pipeline directory or a .nf script",
            remedy="name a pipeline directory or its main .nf script",
        )


def parse_param_assignments(pairs: tuple[str, ...]) -> dict[str, str]:
    """Turn ``k=v`` strings into a mapping; dotted keys stay dotted (``a.b=1``)."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(
                f"--param {pair!r} is not KEY=VALUE", remedy="write e.g. --param genome=GRCh38"
            )
        params[key.strip()] = value
    return params
