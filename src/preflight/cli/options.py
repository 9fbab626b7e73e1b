"""Options shared by the verbs that read a pipeline, spelled as ``nextflow run`` spells them."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO, TypeVar, cast

import click

from preflight.checks.base import ANY_REGISTRY, CheckOptions
from preflight.errors import InputError
from preflight.pipeline import ENGINES, PipelineSpec, parse_param_assignments
from preflight.secret import Secret
from preflight.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def pipeline_options(func: F) -> F:
    """``[PIPELINE] -profile … -c … --params-file … --param k=v … --engine …``.

    The command receives them as one ``spec: PipelineSpec`` keyword argument.
    """

    @functools.wraps(func)
    def with_spec(
        *args: Any,
        pipeline: str,
        revision: str | None,
        hub: str | None,
        latest: bool,
        profiles: tuple[str, ...],
        config_files: tuple[Path, ...],
        replace_config: tuple[Path, ...],
        params_file: Path | None,
        param_pairs: tuple[str, ...],
        engine: str | None,
        with_wave: bool,
        **kwargs: Any,
    ) -> Any:
        if kwargs.get("launchpad") is not None:
            # A Seqera Platform launch: the spec is read from Platform by the verb.
            given = profiles or config_files or replace_config or params_file or param_pairs
            if str(pipeline) != "." or given:
                raise InputError(
                    "--launchpad takes the pipeline, profiles, config and params from the launch",
                    remedy="drop PIPELINE, -profile, -c, --params-file and --param, or drop "
                    "--launchpad",
                )
            return func(*args, spec=None, **kwargs)
        spec = build_spec(
            pipeline,
            profiles,
            config_files,
            replace_config,
            params_file,
            param_pairs,
            engine,
            with_wave=with_wave,
            revision=revision,
            hub=hub,
            latest=latest,
            ca_bundle=kwargs.get("ca_bundle") or getattr(kwargs.get("settings"), "ca_bundle", None),
        )
        return func(*args, spec=spec, **kwargs)

    decorators = [
        # A string, not a path: ``https://host/x`` must keep its ``//``.
        click.argument("pipeline", required=False, default="."),
        click.option(
            "-r",
            "-revision",
            "--revision",
            "revision",
            default=None,
            metavar="REV",
            help="Remote pipeline: the branch, tag or commit to check (as nextflow run -r).",
        ),
        click.option(
            "-hub",
            "--hub",
            "hub",
            default=None,
            metavar="NAME",
            help="Remote pipeline: the Git provider of owner/repo (default github, or $NXF_HUB).",
        ),
        click.option(
            "-latest",
            "--latest",
            "latest",
            is_flag=True,
            help="Remote pipeline: ask the Git host what the revision names now (as nextflow "
            "run -latest), instead of the commit read before.",
        ),
        click.option(
            "-profile",
            "--profile",
            "profiles",
            multiple=True,
            help="Configuration profile(s), comma-separated or repeated (as in nextflow run).",
        ),
        click.option(
            "-c",
            "--config",
            "config_files",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Extra configuration file, applied after the pipeline's own (repeatable).",
        ),
        click.option(
            "-C",
            "replace_config",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Use only this configuration file, ignoring the defaults (repeatable).",
        ),
        click.option(
            "--params-file",
            type=click.Path(path_type=Path),
            help="Parameters from a JSON or YAML file.",
        ),
        click.option(
            "--param",
            "param_pairs",
            multiple=True,
            metavar="KEY=VALUE",
            help="A pipeline parameter, as --KEY VALUE on the nextflow command line (repeatable).",
        ),
        click.option(
            "--engine",
            type=click.Choice(ENGINES),
            default=None,
            help="Container engine to resolve images for (default: from the config, else docker).",
        ),
        click.option(
            "-with-wave",
            "--with-wave",
            "with_wave",
            is_flag=True,
            help="The run is launched with -with-wave (Wave on, whatever the config says).",
        ),
    ]
    decorated: Any = with_spec
    for decorator in reversed(decorators):
        decorated = decorator(decorated)
    return cast(F, decorated)


def build_spec(
    pipeline: Path | str,
    profiles: tuple[str, ...],
    config_files: tuple[Path, ...],
    replace_config: tuple[Path, ...],
    params_file: Path | None,
    param_pairs: tuple[str, ...],
    engine: str | None,
    launch_dir: Path | None = None,
    *,
    with_wave: bool = False,
    revision: str | None = None,
    hub: str | None = None,
    latest: bool = False,
    ca_bundle: Path | None = None,
) -> PipelineSpec:
    """Turn the parsed pipeline options into a :class:`PipelineSpec`.

    ``$NXF_HOME`` (default ``~/.nextflow``) is read here, in the CLI layer, as Nextflow reads it.
    A PIPELINE that is no local path but ``owner/repo`` or a Git URL is read at ``revision``
    (see :mod:`preflight.cli.remote_pipeline`).
    """
    from preflight.cli.remote_pipeline import locate_pipeline

    names = tuple(p.strip() for group in profiles for p in group.split(",") if p.strip())
    nxf_home = Path(os.environ.get("NXF_HOME") or Path.home() / ".nextflow")
    path, source = locate_pipeline(
        str(pipeline), revision, hub, nxf_home, ca_bundle, os.environ, latest=latest
    )
    return PipelineSpec.locate(
        path,
        source=source,
        profiles=names,
        config_files=tuple(replace_config) if replace_config else tuple(config_files),
        replace_configs=bool(replace_config),
        params_file=params_file,
        params=parse_param_assignments(param_pairs),
        engine=engine,
        launch_dir=launch_dir or Path.cwd(),
        nxf_home=nxf_home,
        with_wave=with_wave,
    )


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    """``--format`` with the verb's own choices."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


COLOR_CHOICES = ("auto", "always", "never")
_COLOR_META = "preflight.color"


def _remember_color(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    ctx.meta[_COLOR_META] = value
    # click.echo strips ANSI codes off a non-terminal unless the context says otherwise.
    ctx.color = {"always": True, "never": False}.get(value)
    return value


def wants_color(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the text report on ``stream`` is coloured: ``--color``, then ``NO_COLOR``.

    ``auto`` colours a terminal unless ``NO_COLOR`` is set to anything but the empty string
    (no-color.org); ``always`` and ``never`` are the user's explicit word and beat it.
    """
    ctx = click.get_current_context(silent=True)
    choice = ctx.meta.get(_COLOR_META, "auto") if ctx is not None else "auto"
    if choice != "auto":
        return bool(choice == "always")
    if environ.get("NO_COLOR"):
        return False
    return stream.isatty()


_REALM_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$")


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Keep an option for :func:`build_check_options` without changing the verbs' signatures."""
    if param.name == "trusted_realms":
        for host in value:
            if not _REALM_HOST.match(host):
                raise click.BadParameter(
                    f"{host!r} is not HOST or HOST:PORT (no scheme, no path), "
                    "e.g. --trust-realm login.example.com",
                    ctx=ctx,
                    param=param,
                )
    ctx.meta[f"preflight.{param.name}"] = value
    return value


def settings_options(func: F) -> F:
    """``-w/--workspace`` and ``--ca-bundle``; the command receives ``settings: Settings``
    (flag > environment > default, from this process's environment)."""

    @functools.wraps(func)
    def with_settings(
        *args: Any, workspace: str | None, ca_bundle: Path | None, **kwargs: Any
    ) -> Any:
        settings = Settings.from_environ(os.environ, workspace=workspace, ca_bundle=ca_bundle)
        return func(*args, settings=settings, **kwargs)

    decorators = [
        click.option(
            "-w",
            "--workspace",
            default=None,
            metavar="ID|ORG/WORKSPACE",
            help="Platform workspace Wave looks in (default: $TOWER_WORKSPACE_ID, else personal).",
        ),
        click.option(
            "--ca-bundle",
            type=click.Path(path_type=Path, dir_okay=False),
            default=None,
            help="Extra trusted CA certificates, PEM (default: $PREFLIGHT_CA_BUNDLE).",
        ),
    ]
    return cast(F, _apply(decorators, with_settings))


def check_options(func: F) -> F:
    """The options of every verb that runs the checks (``check``, ``run``): the settings
    options plus how far the checks go. The command receives ``settings: Settings`` and
    ``options: CheckOptions``, as :func:`pipeline_options` hands it a spec."""

    @functools.wraps(func)
    def with_inputs(
        *args: Any,
        settings: Settings,
        offline: bool,
        password_stdin: bool,
        password_env: tuple[str, ...],
        insecure_registries: tuple[str, ...],
        platform_launch: bool,
        **kwargs: Any,
    ) -> Any:
        options = build_check_options(
            offline=offline,
            password_stdin=password_stdin,
            password_env=password_env,
            insecure_registries=insecure_registries,
            platform_launch=platform_launch,
            environ=os.environ,
            stdin=sys.stdin,
        )
        return func(*args, settings=settings, options=options, **kwargs)

    decorators = [
        click.option(
            "--color",
            type=click.Choice(COLOR_CHOICES),
            default="auto",
            show_default=True,
            expose_value=False,
            callback=_remember_color,
            help="Colour the text report: auto (on a terminal, unless NO_COLOR is set), "
            "always or never.",
        ),
        click.option(
            "--offline",
            is_flag=True,
            help="Only the checks that need no network: configuration and images.",
        ),
        click.option(
            "--password-stdin",
            is_flag=True,
            help="Read the ACR token password from stdin, for the real pull handshake.",
        ),
        click.option(
            "--password-env",
            "password_env",
            multiple=True,
            metavar="[REGISTRY=]VAR",
            help="Take the ACR token password from environment variable VAR (repeatable).",
        ),
        click.option(
            "--insecure-registry",
            "insecure_registries",
            multiple=True,
            metavar="HOST",
            help="Allow plain HTTP for this registry host (never for ACR in production).",
        ),
        click.option(
            "--trust-realm",
            "trusted_realms",
            multiple=True,
            metavar="HOST[:PORT]",
            expose_value=False,
            callback=_remember,
            help="Also send registry credentials to this token-service host (repeatable).",
        ),
        click.option(
            "--acr-only",
            is_flag=True,
            expose_value=False,
            callback=_remember,
            help="Check only ACR images (skip every other registry's images).",
        ),
        click.option(
            "--platform-launch",
            is_flag=True,
            help="The run is launched from Seqera Platform (tw launch, the Launchpad).",
        ),
    ]
    return settings_options(cast(F, _apply(decorators, with_inputs)))


def _apply(decorators: list[Callable[[Any], Any]], func: Any) -> Any:
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def build_check_options(
    *,
    offline: bool,
    password_stdin: bool,
    password_env: tuple[str, ...],
    insecure_registries: tuple[str, ...],
    platform_launch: bool,
    environ: Mapping[str, str],
    stdin: TextIO,
) -> CheckOptions:
    """The options of the checks, with the token passwords the user gave."""
    passwords: dict[str, Secret] = {}
    for entry in password_env:
        registry, sep, variable = entry.rpartition("=")
        if not variable or variable not in environ:
            raise InputError(
                f"--password-env {entry}: environment variable {variable or '(none)'} is not set",
                remedy="export the variable holding the token password, or drop the option",
            )
        passwords[registry if sep else ANY_REGISTRY] = Secret(environ[variable])
    if password_stdin:
        line = stdin.readline().rstrip("\r\n")
        if not line:
            raise InputError(
                "--password-stdin: nothing was read from stdin",
                remedy="pipe the token password in, e.g. printenv ACR_TOKEN_PASSWORD | preflight …",
            )
        passwords.setdefault(ANY_REGISTRY, Secret(line))
    click_context = click.get_current_context(silent=True)
    meta = click_context.meta if click_context is not None else {}
    return CheckOptions(
        offline=offline,
        registry_passwords=passwords,
        insecure_registries=frozenset(insecure_registries),
        platform_launch=platform_launch,
        trusted_realms=frozenset(h.lower() for h in meta.get("preflight.trusted_realms", ())),
        acr_only=bool(meta.get("preflight.acr_only", False)),
    )
