"""Which launch a ``tw launch`` (or a Launchpad pipeline) really makes, read from Platform.

The rules ``tw launch`` follows:

- ``PIPELINE`` starting with ``https://``, ``http://`` or ``file:/`` is an ad hoc launch of that
  repository; anything else names a Launchpad pipeline of the workspace: ``GET /pipelines
  ?search=NAME`` (a free-text filter), then the one whose name is exactly ``NAME``;
- its saved launch (``GET /pipelines/{id}/launch``) gives the repository, revision, profiles,
  params and config text; a pipeline shared from another workspace is read with
  ``sourceWorkspaceId``;
- the compute environment is ``--compute-env`` (an AVAILABLE one, by id first, then by name),
  else the launch's, else the workspace's primary one;
- every ``tw launch`` option given (``--revision``, ``--profile``, ``--config``,
  ``--params-file``) replaces the launch's value.

One decision ``tw`` makes differently: with ``--compute-env`` and no launch config text, ``tw``
copies the compute environment's Global Nextflow config into the config text; Platform applies
that config as its own layer anyway, so it is read here once, in its own place.
"""

from __future__ import annotations

from dataclasses import dataclass

from preflight.errors import InputError
from preflight.seqera.client import PlatformClient
from preflight.seqera.launch_config import LaunchLayers, launch_layers
from preflight.seqera.launches import ComputeEnv, ComputeEnvSummary, LaunchpadPipeline

URL_PREFIXES = ("https://", "http://", "file:/")


@dataclass(frozen=True)
class LaunchRequest:
    """A launch as asked for: ``tw launch`` options, or ``preflight check --launchpad``.

    ``None`` means "not given" (the launch's own value stands); ``workspace_label`` is how the
    workspace is named in messages.
    """

    pipeline: str
    workspace_id: int | None
    workspace_label: str
    compute_env: str | None = None
    revision: str | None = None
    profiles: tuple[str, ...] | None = None
    config_text: str | None = None
    params_text: str | None = None


@dataclass(frozen=True)
class PlatformLaunch:
    """What the launch will run: the repository at a revision, on a compute environment, with
    these profiles, params and configuration layers."""

    repository: str
    revision: str | None
    commit_id: str | None
    profiles: tuple[str, ...]
    params_text: str | None
    config_text: str | None
    compute_env: ComputeEnv | None
    workspace_id: int | None
    launchpad_name: str | None = None
    main_script: str | None = None

    def layers(self) -> LaunchLayers:
        return launch_layers(self.compute_env, self.config_text)

    def describe(self) -> str:
        what = f"Launchpad pipeline {self.launchpad_name}" if self.launchpad_name else "launch"
        at = f" at {self.revision}" if self.revision else ""
        on = f" on compute environment {self.compute_env.name}" if self.compute_env else ""
        return f"{what}: {self.repository}{at}{on}"


def resolve_launch(client: PlatformClient, request: LaunchRequest) -> PlatformLaunch:
    """The launch ``request`` makes (see the module docstring); :class:`InputError` when a
    name does not resolve."""
    if request.pipeline.startswith(URL_PREFIXES):
        compute_env = _chosen_compute_env(client, request, None)
        return PlatformLaunch(
            repository=request.pipeline,
            revision=request.revision,
            commit_id=None,
            profiles=request.profiles or (),
            params_text=request.params_text,
            config_text=request.config_text,
            compute_env=compute_env,
            workspace_id=request.workspace_id,
        )
    pipeline = _launchpad_pipeline(client, request)
    source = (
        pipeline.workspace_id
        if pipeline.workspace_id is not None and pipeline.workspace_id != request.workspace_id
        else None
    )
    saved = client.pipeline_launch(pipeline.id, request.workspace_id, source)
    compute_env = _chosen_compute_env(client, request, saved.compute_env)
    revised = request.revision is not None and request.revision != saved.revision
    return PlatformLaunch(
        repository=saved.pipeline,
        revision=request.revision or saved.revision,
        commit_id=None if revised else saved.commit_id,
        profiles=saved.config_profiles if request.profiles is None else request.profiles,
        params_text=request.params_text or saved.params_text,
        config_text=request.config_text or saved.config_text,
        compute_env=compute_env,
        workspace_id=request.workspace_id,
        launchpad_name=pipeline.name,
        main_script=saved.main_script,
    )


def _launchpad_pipeline(client: PlatformClient, request: LaunchRequest) -> LaunchpadPipeline:
    found = client.find_pipelines(request.pipeline, request.workspace_id)
    exact = [p for p in found if p.name == request.pipeline]
    if exact:
        return exact[0]
    if request.pipeline.isdigit():  # a pipeline id: its launch is read directly
        return LaunchpadPipeline(int(request.pipeline), request.pipeline, None, None)
    near = ", ".join(p.name for p in found[:10])
    raise InputError(
        f"no Launchpad pipeline named {request.pipeline!r} in {request.workspace_label}",
        where=f"workspace {request.workspace_label}",
        remedy=(
            f"use one of the pipelines whose names come close: {near}"
            if near
            else "check the name in the workspace's Launchpad (tw pipelines list), or pass "
            "the workspace it is in with -w ORG/WORKSPACE"
        ),
    )


def _chosen_compute_env(
    client: PlatformClient, request: LaunchRequest, saved: ComputeEnv | None
) -> ComputeEnv | None:
    if request.compute_env is None and saved is not None:
        return saved
    available = client.compute_envs(request.workspace_id, status="AVAILABLE")
    if request.compute_env is not None:
        chosen = _by_reference(available, request.compute_env)
        if chosen is None:
            names = ", ".join(c.name for c in available) or "none"
            raise InputError(
                f"no available compute environment {request.compute_env!r} in "
                f"{request.workspace_label}",
                where="--compute-env",
                remedy=f"name one of the workspace's available compute environments: {names}",
            )
    else:
        chosen = next((c for c in available if c.primary), None)
        if chosen is None:
            raise InputError(
                f"{request.workspace_label} has no primary compute environment, and the launch "
                "names none",
                remedy="pass --compute-env NAME, or make one compute environment primary",
            )
    return client.compute_env(chosen.id, request.workspace_id)


def _by_reference(available: list[ComputeEnvSummary], reference: str) -> ComputeEnvSummary | None:
    by_id = next((c for c in available if c.id == reference), None)
    return by_id or next((c for c in available if c.name == reference), None)
