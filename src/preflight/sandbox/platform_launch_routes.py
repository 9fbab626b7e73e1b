"""The Platform sandbox's Launchpad operations: what each of its four reads answers.

``GET /pipelines`` (``search`` is a free-text filter, ``max``/``offset`` page it, ``attributes``
may ask for ``computeEnv``), ``GET /pipelines/{id}/launch``, ``GET /compute-envs`` (``status``
filters) and ``GET /compute-envs/{id}``. Each takes the workspace the caller may read (the
emulator checks membership) and the request, and returns the response; an id the workspace does
not hold raises :class:`NotFound` (404), a malformed query :class:`BadQuery` (400).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from preflight.sandbox.http import Request, Response
from preflight.sandbox.platform_launches import StoredComputeEnv

if TYPE_CHECKING:
    from preflight.sandbox.platform_state import PlatformState


class BadQuery(ValueError):
    """A query parameter that is not what the operation takes (the emulator answers 400)."""


class NotFound(LookupError):
    """An id the workspace does not hold (the emulator answers 404)."""


def compute_env_in(state: PlatformState, workspace_id: int | None, ce_id: str) -> StoredComputeEnv:
    for compute_env in state.compute_envs.get(workspace_id or 0, []):
        if compute_env.id == ce_id:
            return compute_env
    raise NotFound(f"Compute environment '{ce_id}' not found")


def list_compute_envs(
    state: PlatformState, workspace_id: int | None, status: str | None
) -> dict[str, Any]:
    """``ListComputeEnvsResponse``; ``status`` filters (``AVAILABLE`` …) as the service does."""
    name = state.workspaces[workspace_id].name if workspace_id in state.workspaces else "user"
    found = [
        c.entry_api(name)
        for c in state.compute_envs.get(workspace_id or 0, [])
        if not status or c.status == status
    ]
    return {"computeEnvs": found}


def list_pipelines(
    state: PlatformState,
    workspace_id: int | None,
    search: str | None,
    attributes: list[str],
    max_results: int,
    offset: int,
) -> dict[str, Any]:
    """``ListPipelinesResponse``: ``search`` is a free-text filter (a name holding it)."""
    wanted = (search or "").strip().lower()
    matches = [p for p in state.pipelines.get(workspace_id or 0, []) if wanted in p.name.lower()]
    matches.sort(key=lambda p: p.name.lower())
    page = matches[offset : offset + max_results]
    with_ce = "computeEnv" in attributes
    rows = []
    for pipeline in page:
        try:
            compute_env: StoredComputeEnv | None = compute_env_in(
                state, workspace_id, pipeline.compute_env_id
            )
        except NotFound:
            compute_env = None
        rows.append(pipeline.listing_api(state, compute_env, with_ce))
    return {"pipelines": rows, "totalSize": len(matches)}


def describe_launch(
    state: PlatformState, workspace_id: int | None, pipeline_id: int
) -> dict[str, Any]:
    """``DescribeLaunchResponse`` of a Launchpad pipeline of the workspace."""
    for pipeline in state.pipelines.get(workspace_id or 0, []):
        if pipeline.id == pipeline_id:
            try:
                compute_env: StoredComputeEnv | None = compute_env_in(
                    state, workspace_id, pipeline.compute_env_id
                )
            except NotFound:
                compute_env = None
            return {"launch": pipeline.launch_api(compute_env)}
    raise NotFound(f"Pipeline '{pipeline_id}' not found")


def describe_launchpad(state: PlatformState) -> list[dict[str, Any]]:
    """For ``sandbox up --json``: every Launchpad pipeline, its workspace and Wave switch."""
    rows: list[dict[str, Any]] = []
    for workspace_id, pipelines in state.pipelines.items():
        workspace = state.workspaces[workspace_id]
        full = f"{state.orgs[workspace.org_id].name}/{workspace.name}"
        for pipeline in pipelines:
            try:
                compute_env = compute_env_in(state, workspace_id, pipeline.compute_env_id)
                wave = bool(compute_env.config.get("waveEnabled"))
                ce_name: str | None = compute_env.name
            except NotFound:
                wave, ce_name = False, None
            rows.append(
                {
                    "name": pipeline.name,
                    "workspace": full,
                    "compute_env": ce_name,
                    "repository": pipeline.repository,
                    "revision": pipeline.revision,
                    "wave_enabled": wave,
                }
            )
    return rows


def answer(
    state: PlatformState, workspace_id: int | None, request: Request, match: re.Match[str]
) -> Response:
    """The response to one Launchpad read (``match`` is the route's path match)."""
    path = match.re.pattern
    if path.startswith("/pipelines/"):
        payload = describe_launch(state, workspace_id, int(match.group(1)))
    elif path == "/pipelines":
        attributes = [a for v in request.query.get("attributes", []) for a in v.split(",")]
        payload = list_pipelines(
            state,
            workspace_id,
            request.arg("search"),
            attributes,
            max_results=_int_arg(request, "max", 50),
            offset=_int_arg(request, "offset", 0),
        )
    elif path == "/compute-envs":
        payload = list_compute_envs(state, workspace_id, request.arg("status"))
    else:
        found = compute_env_in(state, workspace_id, match.group(1))
        payload = {"computeEnv": found.describe_api()}
    return Response.of_json(200, payload)


def _int_arg(request: Request, name: str, default: int) -> int:
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise BadQuery(f"Invalid '{name}' parameter: '{raw}'")
    return int(raw)
