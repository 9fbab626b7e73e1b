"""Read the options preflight needs from a wrapped ``nextflow run …`` or ``tw launch …`` line.

``preflight run -- nextflow run ./pipe -profile azure -c extra.config --genome GRCh38`` should
check exactly the run that follows, without the user saying the profile twice. Only the options
that shape the configuration are read; everything else passes through untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from preflight.errors import InputError

# nextflow run options that take a value, and are not ours to read: skip their argument.
_NEXTFLOW_VALUE_OPTIONS = frozenset(
    {
        "-r",
        "-revision",
        "-w",
        "-work-dir",
        "-name",
        "-bucket-dir",
        "-entry",
        "-hub",
        "-user",
        "-main-script",
        "-with-report",
        "-with-trace",
        "-with-timeline",
        "-with-dag",
        "-qs",
        "-queue-size",
        "-N",
        "-with-notification",
        "-with-tower",
        "-with-wave",
        "-with-docker",
        "-with-podman",
        "-with-singularity",
        "-with-apptainer",
        "-with-conda",
        "-lib",
        "-plugins",
        "-dump-channels",
        "-e.",
        "-log",
        "-cache",
        "-latest-version",
        "-with-fusion",
        "-process.",
        "-ansi-log",
        "-params-file",
        "-c",
        "-config",
        "-C",
        "-profile",
        "-output-dir",
    }
)
# Options of nextflow run that take no value (so the next word is not theirs).
_NEXTFLOW_FLAGS = frozenset(
    {
        "-resume",
        "-latest",
        "-stub",
        "-stub-run",
        "-preview",
        "-dsl1",
        "-dsl2",
        "-with-conda",
        "-without-docker",
        "-without-podman",
        "-without-wave",
        "-disable-jobs-cancellation",
        "-offline",
        "-bg",
        "-q",
        "-quiet",
    }
)
_TW_VALUE_OPTIONS = frozenset(
    {
        "--workspace",
        "-w",
        "--compute-env",
        "-c",
        "--name",
        "-n",
        "--work-dir",
        "--revision",
        "-r",
        "--profile",
        "-p",
        "--params-file",
        "--config",
        "--pre-run",
        "--post-run",
        "--main-script",
        "--entry-name",
        "--schema-name",
        "--user-secrets",
        "--workspace-secrets",
        "--labels",
        "-l",
        "--launch-container",
        "--output",
        "-o",
        "--wait",
        "--commit-id",
        "--version-id",
        "--version-name",
        "--head-job-cpus",
        "--head-job-memory",
        "--access-token",
        "-t",
        "--url",
        "-u",
    }
)


@dataclass(frozen=True)
class LaunchOptions:
    """What a wrapped launch command says about the run."""

    tool: str  # "nextflow" | "tw"
    pipeline: str | None = None
    profiles: tuple[str, ...] = ()
    config_files: tuple[Path, ...] = ()
    replace_configs: bool = False
    params_file: Path | None = None
    params: dict[str, str] = field(default_factory=dict)
    workspace: str | None = None
    with_wave: bool = False
    # tw launch only: what it overrides of a Platform launch.
    revision: str | None = None
    compute_env: str | None = None

    @property
    def platform_launch(self) -> bool:
        """A ``tw launch`` runs on Platform: Wave uses the launch workspace and env, not config."""
        return self.tool == "tw"

    @property
    def local_pipeline(self) -> Path | None:
        """The pipeline as a local path, when it is one (``nf-core/rnaseq`` is not)."""
        if self.pipeline is None:
            return None
        path = Path(self.pipeline).expanduser()
        return path if path.exists() else None


def parse_launch_command(command: list[str]) -> LaunchOptions:
    """Read a ``nextflow run …`` or ``tw launch …`` command line; other commands read nothing."""
    if not command:
        raise InputError("no command given after --", remedy="e.g. preflight run -- nextflow run .")
    tool = Path(command[0]).name
    if tool == "nextflow" and len(command) > 1 and command[1] == "run":
        return _parse_nextflow(command[2:])
    if tool == "tw" and len(command) > 1 and command[1] == "launch":
        return _parse_tw(command[2:])
    return LaunchOptions(tool=tool)


def _parse_nextflow(args: list[str]) -> LaunchOptions:
    pipeline: str | None = None
    profiles: list[str] = []
    configs: list[Path] = []
    replace = False
    params_file: Path | None = None
    params: dict[str, str] = {}
    with_wave = False
    i = 0
    while i < len(args):
        word = args[i]
        value = args[i + 1] if i + 1 < len(args) else None
        if word == "-profile" and value is not None:
            profiles.extend(p for p in value.split(",") if p)
            i += 2
        elif word in ("-c", "-config") and value is not None:
            configs.append(Path(value))
            i += 2
        elif word == "-C" and value is not None:
            configs.append(Path(value))
            replace = True
            i += 2
        elif word == "-params-file" and value is not None:
            params_file = Path(value)
            i += 2
        elif word.startswith("--") and len(word) > 2:
            key, sep, inline = word[2:].partition("=")
            if sep:
                params[key] = inline
                i += 1
            elif value is not None and not value.startswith("-"):
                params[key] = value
                i += 2
            else:
                params[key] = "true"  # a bare --flag is the boolean true in Nextflow
                i += 1
        elif word == "-with-wave":
            with_wave = True
            i += 2 if value is not None and not value.startswith("-") else 1
        elif word in _NEXTFLOW_FLAGS:
            i += 1
        elif word in _NEXTFLOW_VALUE_OPTIONS:
            i += 2
        elif word.startswith("-"):
            i += 1
        else:
            if pipeline is None:
                pipeline = word
            i += 1
    return LaunchOptions(
        tool="nextflow",
        pipeline=pipeline,
        profiles=tuple(profiles),
        config_files=tuple(configs),
        replace_configs=replace,
        params_file=params_file,
        params=params,
        with_wave=with_wave,
    )


def _parse_tw(args: list[str]) -> LaunchOptions:
    pipeline: str | None = None
    profiles: list[str] = []
    configs: list[Path] = []
    params_file: Path | None = None
    workspace: str | None = None
    revision: str | None = None
    compute_env: str | None = None
    i = 0
    while i < len(args):
        word, sep, inline = args[i].partition("=")
        value: str | None = inline if sep else (args[i + 1] if i + 1 < len(args) else None)
        step = 1 if sep else 2
        if word in ("--profile", "-p") and value is not None:
            profiles.extend(p for p in value.split(",") if p)
        elif word in ("--revision", "-r") and value is not None:
            revision = value
        elif word in ("--compute-env", "-c") and value is not None:
            compute_env = value
        elif word == "--config" and value is not None:
            configs.append(Path(value))
        elif word == "--params-file" and value is not None:
            params_file = Path(value)
        elif word in ("--workspace", "-w") and value is not None:
            workspace = value
        elif word in _TW_VALUE_OPTIONS:
            pass
        elif word.startswith("-"):
            step = 1
        else:
            if pipeline is None:
                pipeline = args[i]
            step = 1
        i += step
    return LaunchOptions(
        tool="tw",
        pipeline=pipeline,
        profiles=tuple(profiles),
        config_files=tuple(configs),
        params_file=params_file,
        workspace=workspace,
        revision=revision,
        compute_env=compute_env,
    )
