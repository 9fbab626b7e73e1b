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
    revision: str | None = None  # nextflow run -r/-revision (a remote pipeline's branch, tag …)
    hub: str | None = None  # nextflow run -hub
    latest: bool = False  # nextflow run -latest: the revision as the Git host names it now
    compute_env: str | None = None  # tw launch --compute-env

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


# nextflow's own options, before the command word (``nextflow -q -c x.config run …``).
_GLOBAL_VALUE_OPTIONS = frozenset({"-log", "-c", "-config", "-C", "-syslog", "-trace", "-debug"})
_GLOBAL_FLAGS = frozenset(
    {
        "-q",
        "-quiet",
        "-bg",
        "-d",
        "-dockerize",
        "-self-update",
        "-config-ignore-includes",
        "-h",
        "-v",
        "-version",
    }
)


@dataclass(frozen=True)
class _GlobalOptions:
    """nextflow's options before the command: only the configuration files matter here."""

    user_configs: tuple[Path, ...] = ()  # -c/-config: added after the default files
    replacing_configs: tuple[Path, ...] = ()  # -C: the only files read


def parse_launch_command(command: list[str]) -> LaunchOptions:
    """Read a ``nextflow run …`` or ``tw launch …`` command line; other commands read nothing.

    nextflow's own options may come before ``run`` (``nextflow -q -C only.config run .``) and
    are read as nextflow reads them.
    """
    if not command:
        raise InputError("no command given after --", remedy="e.g. preflight run -- nextflow run .")
    tool = Path(command[0]).name
    if tool == "nextflow":
        global_options, rest = _split_global_options(command[1:])
        if rest and rest[0] == "run":
            return _parse_nextflow(rest[1:], global_options)
        return LaunchOptions(tool=tool)
    if tool == "tw" and len(command) > 1 and command[1] == "launch":
        return _parse_tw(command[2:])
    return LaunchOptions(tool=tool)


def _split_global_options(args: list[str]) -> tuple[_GlobalOptions, list[str]]:
    """nextflow's options before the command word, and the words from the command on."""
    user: list[Path] = []
    replacing: list[Path] = []
    i = 0
    while i < len(args):
        word = args[i]
        value = args[i + 1] if i + 1 < len(args) else None
        if word in ("-c", "-config", "-C"):
            if value is None:
                raise InputError(
                    f"nextflow {word} needs a configuration file", remedy=f"write {word} FILE"
                )
            (replacing if word == "-C" else user).append(Path(value))
            i += 2
        elif word in _GLOBAL_VALUE_OPTIONS:
            i += 2
        elif word in _GLOBAL_FLAGS or word.startswith("-D"):
            i += 1  # -Dkey=value is one word
        else:
            break
    return _GlobalOptions(tuple(user), tuple(replacing)), args[i:]


def _parse_nextflow(args: list[str], global_options: _GlobalOptions) -> LaunchOptions:
    pipeline: str | None = None
    profiles: list[str] = []
    configs: list[Path] = []
    replacing: list[Path] = list(global_options.replacing_configs)
    params_file: Path | None = None
    params: dict[str, str] = {}
    with_wave = False
    revision: str | None = None
    hub: str | None = None
    latest = False
    i = 0
    while i < len(args):
        word = args[i]
        value = args[i + 1] if i + 1 < len(args) else None
        if word in ("-r", "-revision") and value is not None:
            revision = value
            i += 2
        elif word == "-hub" and value is not None:
            hub = value
            i += 2
        elif word == "-latest":
            latest = True
            i += 1
        elif word == "-profile" and value is not None:
            profiles.extend(p for p in value.split(",") if p)
            i += 2
        elif word in ("-c", "-config") and value is not None:
            configs.append(Path(value))
            i += 2
        elif word == "-C" and value is not None:
            replacing.append(Path(value))
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
    _refuse_config_as_pipeline(pipeline)
    # Nextflow reads the global -c files before run's own; -C replaces the defaults and, as in
    # Nextflow, every -c file with them.
    added = (*global_options.user_configs, *configs)
    return LaunchOptions(
        tool="nextflow",
        pipeline=pipeline,
        profiles=tuple(profiles),
        config_files=tuple(replacing) if replacing else added,
        replace_configs=bool(replacing),
        params_file=params_file,
        params=params,
        with_wave=with_wave,
        revision=revision,
        hub=hub,
        latest=latest,
    )


def _refuse_config_as_pipeline(pipeline: str | None) -> None:
    """``nextflow run dir/nextflow.config`` would run the file as a script: say what to pass."""
    if pipeline is None or not pipeline.endswith(".config"):
        return
    path = Path(pipeline)
    directory = str(path.parent) if str(path.parent) else "."
    raise InputError(
        f"nextflow run {pipeline}: nextflow runs a pipeline, not a configuration file",
        remedy=f"write `nextflow run {directory}` (its nextflow.config is read), "
        f"or add the file with `-c {pipeline}`",
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
