"""What a Platform launch is made of, as frozen values, and reading them from the API's JSON.

A Launchpad pipeline (``GET /pipelines``), its saved launch (``GET /pipelines/{id}/launch``) and
a compute environment (``GET /compute-envs``, ``GET /compute-envs/{id}``). Only the fields a
launch's configuration depends on are kept. Optional fields are read the same whether the service
leaves them out or sends ``null``; a missing field preflight cannot do without is a
:class:`~preflight.errors.PlatformError` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from preflight.seqera.payloads import shape_error


@dataclass(frozen=True)
class LaunchpadPipeline:
    """A pipeline saved in a workspace's Launchpad."""

    id: int
    name: str
    repository: str | None
    workspace_id: int | None


@dataclass(frozen=True)
class ComputeEnvSummary:
    """A compute environment as listed (no ``config``): enough to pick one by id or name."""

    id: str
    name: str
    platform: str
    status: str | None
    primary: bool


@dataclass(frozen=True)
class ComputeEnv:
    """A compute environment with the settings that shape a run's configuration.

    ``wave_enabled``/``fusion_enabled`` are the "Wave containers" and "Fusion v2" switches
    (``config.waveEnabled``, ``config.fusion2Enabled``); ``nextflow_config`` is the "Global
    Nextflow config" field.
    """

    id: str
    name: str
    platform: str
    wave_enabled: bool
    fusion_enabled: bool
    nextflow_config: str | None
    work_dir: str | None
    managed_identity_client_id: str | None
    primary: bool = False


@dataclass(frozen=True)
class SavedLaunch:
    """A Launchpad pipeline's launch form as saved (``LaunchDbDto``)."""

    pipeline: str
    revision: str | None
    commit_id: str | None
    config_profiles: tuple[str, ...]
    config_text: str | None
    params_text: str | None
    work_dir: str | None
    main_script: str | None
    compute_env: ComputeEnv | None


def pipelines(body: dict[str, Any], where: str) -> list[LaunchpadPipeline]:
    rows = body.get("pipelines")
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise shape_error("pipeline list", "pipelines", where)
    found: list[LaunchpadPipeline] = []
    for row in rows:
        if not isinstance(row, dict):
            raise shape_error("pipeline list", "pipelines[]", where)
        pipeline_id, name = row.get("pipelineId"), row.get("name")
        if (
            not isinstance(pipeline_id, int)
            or not _is_int(pipeline_id)
            or not isinstance(name, str)
        ):
            raise shape_error("pipeline list", "pipelines[].pipelineId/name", where)
        found.append(
            LaunchpadPipeline(
                id=pipeline_id,
                name=name,
                repository=_opt_str(row.get("repository")),
                workspace_id=row.get("workspaceId") if _is_int(row.get("workspaceId")) else None,
            )
        )
    return found


def compute_env_list(body: dict[str, Any], where: str) -> list[ComputeEnvSummary]:
    rows = body.get("computeEnvs")
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise shape_error("compute environment list", "computeEnvs", where)
    found: list[ComputeEnvSummary] = []
    for row in rows:
        if not isinstance(row, dict):
            raise shape_error("compute environment list", "computeEnvs[]", where)
        ce_id, name = row.get("id"), row.get("name")
        if not isinstance(ce_id, str) or not isinstance(name, str):
            raise shape_error("compute environment list", "computeEnvs[].id/name", where)
        found.append(
            ComputeEnvSummary(
                id=ce_id,
                name=name,
                platform=str(row.get("platform") or ""),
                status=_opt_str(row.get("status")),
                primary=row.get("primary") is True,
            )
        )
    return found


def compute_env(raw: Any, what: str, where: str) -> ComputeEnv:
    """A ``ComputeEnvResponseDto`` or ``ComputeEnv_ComputeConfig_`` object."""
    if not isinstance(raw, dict):
        raise shape_error(what, "computeEnv", where)
    ce_id, name = raw.get("id"), raw.get("name")
    if not isinstance(ce_id, str) or not isinstance(name, str):
        raise shape_error(what, "computeEnv.id/name", where)
    config = raw.get("config")
    settings: dict[str, Any] = config if isinstance(config, dict) else {}
    platform = _opt_str(raw.get("platform")) or _opt_str(settings.get("discriminator")) or ""
    return ComputeEnv(
        id=ce_id,
        name=name,
        platform=platform,
        wave_enabled=settings.get("waveEnabled") is True,
        fusion_enabled=settings.get("fusion2Enabled") is True,
        nextflow_config=_opt_str(settings.get("nextflowConfig")) or None,
        work_dir=_opt_str(settings.get("workDir")),
        managed_identity_client_id=_opt_str(settings.get("managedIdentityClientId")),
        primary=raw.get("primary") is True,
    )


def saved_launch(body: dict[str, Any], where: str) -> SavedLaunch:
    raw = body.get("launch")
    if not isinstance(raw, dict):
        raise shape_error("pipeline launch", "launch", where)
    repository = raw.get("pipeline")
    if not isinstance(repository, str) or not repository:
        raise shape_error("pipeline launch", "launch.pipeline", where)
    profiles = raw.get("configProfiles")
    ce = raw.get("computeEnv")
    return SavedLaunch(
        pipeline=repository,
        revision=_opt_str(raw.get("revision")) or None,
        commit_id=_opt_str(raw.get("commitId")) or None,
        config_profiles=tuple(str(p) for p in profiles) if isinstance(profiles, list) else (),
        config_text=_opt_str(raw.get("configText")) or None,
        params_text=_opt_str(raw.get("paramsText")) or None,
        work_dir=_opt_str(raw.get("workDir")) or None,
        main_script=_opt_str(raw.get("mainScript")) or None,
        compute_env=None if ce is None else compute_env(ce, "pipeline launch", where),
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
