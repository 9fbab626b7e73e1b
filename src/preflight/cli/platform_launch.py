"""A Seqera Platform launch as a run to check: read it from Platform, then build its spec.

``preflight check --launchpad NAME`` and ``preflight run -- tw launch NAME|URL …`` both come
here. The launch is read as Platform resolves it (:mod:`preflight.seqera.launch_resolve`), its
repository at its revision (:mod:`preflight.seqera.launch_repository`), and its configuration
layered in Platform's order (:mod:`preflight.seqera.launch_config`). What the checks then see:

- the repository's files, with the compute environment's and the launch's configuration texts
  over its ``nextflow.config``; no ``$NXF_HOME/config`` and no launch-directory config (the run
  starts on Platform's head job, not here);
- the launch's profiles and params (``paramsText``, or ``tw launch --params-file``);
- the launch workspace as the one Wave reads credentials from (``TOWER_WORKSPACE_ID`` as
  Platform sets it for the run), and the run marked as Platform-launched.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from preflight.checks.base import CheckOptions
from preflight.cli.launch_line import LaunchOptions
from preflight.errors import InputError
from preflight.pipeline import PipelineSpec
from preflight.seqera.launch_repository import RemoteReader, read_repository
from preflight.seqera.launch_resolve import LaunchRequest, PlatformLaunch, resolve_launch
from preflight.settings import Settings


@dataclass(frozen=True)
class PlatformRun:
    """A launch made ready for the checks: its spec, settings and environment."""

    launch: PlatformLaunch
    spec: PipelineSpec
    settings: Settings
    environ: dict[str, str]
    cleanup: Callable[[], None]

    def check_options(self, options: CheckOptions) -> CheckOptions:
        """``options`` for this run: Platform-launched, on the launch's compute environment."""
        compute_env = self.launch.compute_env
        return replace(
            options,
            platform_launch=True,
            platform_compute_env=compute_env.name if compute_env else None,
        )


def read_text_option(path: Path | None, option: str) -> str | None:
    """The text of a ``tw launch --config/--params-file FILE`` (``-`` is not supported here)."""
    if path is None:
        return None
    try:
        return path.expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{option} {path}: cannot read it ({getattr(exc, 'strerror', None) or exc})",
            where=str(path),
            remedy=f"check the file given to {option}",
        ) from None


def platform_run(
    *,
    pipeline: str,
    workspace: str | None,
    settings: Settings,
    environ: Mapping[str, str],
    compute_env: str | None = None,
    revision: str | None = None,
    profiles: tuple[str, ...] | None = None,
    config_text: str | None = None,
    params_text: str | None = None,
    engine: str | None = None,
    remote: RemoteReader | None = None,
) -> PlatformRun:
    """Read the launch from Platform and build what the checks need (see the module docstring)."""
    from preflight.net import connect_to
    from preflight.seqera.client import build_platform_client
    from preflight.seqera.workspaces import resolve_workspace
    from preflight.wiring import build_http_client

    if settings.connect_to:
        connect_to.install(connect_to.parse(settings.connect_to))
    with build_http_client(settings) as http:
        client = build_platform_client(settings, http)
        user = client.user_info()
        chosen = resolve_workspace(workspace, user, client.workspaces(user.id))
        request = LaunchRequest(
            pipeline=pipeline,
            workspace_id=chosen.id,
            workspace_label=chosen.describe(),
            compute_env=compute_env,
            revision=revision,
            profiles=profiles,
            config_text=config_text,
            params_text=params_text,
        )
        launch = resolve_launch(client, request)
    scratch = Path(tempfile.mkdtemp(prefix="preflight-platform-"))
    try:
        root = read_repository(launch.repository, launch.revision, remote)
        params_file = _params_file(launch.params_text, scratch)
        target = root / launch.main_script if launch.main_script else root
        spec = PipelineSpec.locate(
            target,
            profiles=launch.profiles,
            params_file=params_file,
            engine=engine,
            launch_dir=root,
            nxf_home=None,
            config_texts=launch.layers().texts,
        )
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    run_environ = dict(environ)
    workspace_id = "" if chosen.id is None else str(chosen.id)
    run_environ["TOWER_WORKSPACE_ID"] = workspace_id
    if not workspace_id:
        run_environ.pop("TOWER_WORKSPACE_ID")
    checked = replace(settings, workspace=workspace_id or None)

    def cleanup() -> None:
        shutil.rmtree(scratch, ignore_errors=True)
        if root.name == "repo" and root.parent.name.startswith("preflight-launch-"):
            shutil.rmtree(root.parent, ignore_errors=True)

    return PlatformRun(launch, spec, checked, run_environ, cleanup)


def _params_file(params_text: str | None, scratch: Path) -> Path | None:
    """The launch's params as a file Nextflow's params reader takes (JSON, else YAML)."""
    if not params_text or not params_text.strip():
        return None
    try:
        json.loads(params_text)
        name = "launch-params.json"
    except ValueError:
        name = "launch-params.yaml"
    path = scratch / name
    path.write_text(params_text, encoding="utf-8")
    return path


def tw_launch_run(
    launch: LaunchOptions,
    *,
    workspace: str | None,
    settings: Settings,
    environ: Mapping[str, str],
    engine: str | None = None,
    remote: RemoteReader | None = None,
) -> PlatformRun:
    """The run a wrapped ``tw launch …`` makes: its ``--config`` and ``--params-file`` are read
    as the launch's config text and params, its other options override the launch's own."""
    if launch.pipeline is None:
        raise InputError(
            "tw launch names no pipeline",
            remedy="e.g. preflight run -- tw launch demo-pipeline -w acme/pipelines",
        )
    texts = [read_text_option(path, "--config") for path in launch.config_files]
    return platform_run(
        pipeline=launch.pipeline,
        workspace=workspace or launch.workspace,
        settings=settings,
        environ=environ,
        compute_env=launch.compute_env,
        revision=launch.revision,
        profiles=launch.profiles or None,
        config_text="\n".join(t for t in texts if t) or None,
        params_text=read_text_option(launch.params_file, "--params-file"),
        engine=engine,
        remote=remote,
    )


FIX_ON_PLATFORM = (
    'a Seqera Platform launch is changed in Platform, not here: turn on "Wave containers" in '
    "the compute environment, or add wave.enabled = true to the launch's Nextflow config"
)
