"""The Platform sandbox's Launchpad: compute environments and saved pipelines, as the API has them.

A workspace holds compute environments (one of them primary) and Launchpad pipelines, each
saved with its launch: the repository, revision, profiles, params, the launch form's Nextflow
config text and the compute environment it runs on. ``*_api`` functions give the spec's shapes
(``ComputeEnvResponseDto``, ``ListComputeEnvsResponse.Entry``, ``PipelineDbDto``,
``LaunchDbDto``), leaving out every field without a value: the spec marks few of them nullable.

The seeded world (:func:`seed_launchpad`), in ``acme/pipelines``:

- ``azure-batch-wave`` (primary): Azure Batch with "Wave containers" on;
- ``azure-batch``: Azure Batch with Wave and Fusion off, a Global Nextflow config that does not
  turn Wave on;
- ``demo-pipeline`` on ``azure-batch-wave`` and ``demo-pipeline-nowave`` on ``azure-batch``,
  both ``https://github.com/acme/demo-pipeline`` at ``v1.0`` (a revision whose own
  ``nextflow.config`` leaves Wave off), the second with a launch config text that does not turn
  it on either.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from preflight.sandbox.platform_state import DEMO_USER, now_iso

if TYPE_CHECKING:
    from preflight.sandbox.platform_state import PlatformState

DEMO_REPOSITORY = "https://github.com/acme/demo-pipeline"
_ID_ALPHABET = string.ascii_letters + string.digits


def new_compute_env_id() -> str:
    """A 22-character base62 id, the shape compute environment ids have."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(22))


@dataclass
class StoredComputeEnv:
    """A compute environment of one workspace; ``config`` is its ``ComputeConfig`` as given."""

    id: str
    name: str
    platform: str
    config: dict[str, Any]
    workspace_id: int
    org_id: int | None
    primary: bool = False
    status: str = "AVAILABLE"
    credentials_id: str | None = None
    description: str | None = None
    date_created: str = field(default_factory=now_iso)

    def config_api(self) -> dict[str, Any]:
        return {"discriminator": self.platform, **_present(self.config)}

    def describe_api(self) -> dict[str, Any]:
        """``ComputeEnvResponseDto``."""
        return _present(
            {
                "id": self.id,
                "name": self.name,
                "description": self.description,
                "platform": self.platform,
                "config": self.config_api(),
                "dateCreated": self.date_created,
                "lastUpdated": self.date_created,
                "deleted": False,
                "status": self.status,
                "primary": self.primary,
                "credentialsId": self.credentials_id,
                "orgId": self.org_id,
                "workspaceId": self.workspace_id,
            }
        )

    def in_launch_api(self) -> dict[str, Any]:
        """``ComputeEnv_ComputeConfig_``: the compute environment inside a launch."""
        return _present(
            {
                "id": self.id,
                "name": self.name,
                "description": self.description,
                "platform": self.platform,
                "config": self.config_api(),
                "credentialsId": self.credentials_id,
                "status": self.status,
                "primary": self.primary,
                "dateCreated": self.date_created,
                "lastUpdated": self.date_created,
                "orgId": self.org_id,
                "workspaceId": self.workspace_id,
            }
        )

    def entry_api(self, workspace_name: str) -> dict[str, Any]:
        """``ListComputeEnvsResponse.Entry``: no ``config``; the Wave and Fusion switches."""
        return _present(
            {
                "id": self.id,
                "name": self.name,
                "platform": self.platform,
                "status": self.status,
                "primary": self.primary,
                "region": self.config.get("region"),
                "workDir": self.config.get("workDir"),
                "credentialsId": self.credentials_id,
                "workspaceName": workspace_name,
                "visibility": "PRIVATE",
                "waveEnabled": self.config.get("waveEnabled"),
                "fusion2Enabled": self.config.get("fusion2Enabled"),
            }
        )


@dataclass
class StoredPipeline:
    """A Launchpad pipeline: its listing fields and its saved launch."""

    id: int
    name: str
    repository: str
    compute_env_id: str
    workspace_id: int
    revision: str | None = None
    commit_id: str | None = None
    config_profiles: tuple[str, ...] = ()
    config_text: str | None = None
    params_text: str | None = None
    work_dir: str | None = None
    main_script: str | None = None
    description: str | None = None
    launch_id: str = field(default_factory=new_compute_env_id)
    date_created: str = field(default_factory=now_iso)

    def listing_api(
        self, state: PlatformState, compute_env: StoredComputeEnv | None, with_ce: bool
    ) -> dict[str, Any]:
        """``PipelineDbDto``; ``computeEnv`` only when ``attributes`` asks for it."""
        workspace = state.workspaces[self.workspace_id]
        org = state.orgs[workspace.org_id]
        user = state.account_by_name(DEMO_USER)
        summary = None
        if with_ce and compute_env is not None:
            summary = _present(
                {
                    "id": compute_env.id,
                    "name": compute_env.name,
                    "platform": compute_env.platform,
                    "region": compute_env.config.get("region"),
                }
            )
        return _present(
            {
                "pipelineId": self.id,
                "name": self.name,
                "description": self.description,
                "repository": self.repository,
                "userId": user.id,
                "userName": user.user_name,
                "orgId": org.id,
                "orgName": org.name,
                "workspaceId": workspace.id,
                "workspaceName": workspace.name,
                "visibility": "PRIVATE",
                "deleted": False,
                "lastUpdated": self.date_created,
                "computeEnv": summary,
            }
        )

    def launch_api(self, compute_env: StoredComputeEnv | None) -> dict[str, Any]:
        """``LaunchDbDto``: what the launch form is filled with."""
        work_dir = self.work_dir or (compute_env.config.get("workDir") if compute_env else None)
        return _present(
            {
                "id": self.launch_id,
                "computeEnv": compute_env.in_launch_api() if compute_env else None,
                "pipeline": self.repository,
                "workDir": work_dir,
                "revision": self.revision,
                "commitId": self.commit_id,
                "configProfiles": list(self.config_profiles) or None,
                "configText": self.config_text,
                "paramsText": self.params_text,
                "mainScript": self.main_script,
                "pullLatest": False,
                "stubRun": False,
                "resume": False,
                "workspaceId": self.workspace_id,
                "dateCreated": self.date_created,
                "lastUpdated": self.date_created,
            }
        )


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields that have a value (an unset optional field is absent, never ``null``)."""
    return {k: v for k, v in fields.items() if v is not None}


def azure_batch_config(
    *,
    wave: bool,
    fusion: bool = False,
    nextflow_config: str | None = None,
    work_dir: str = "az://work",
    managed_identity_client_id: str | None = None,
) -> dict[str, Any]:
    """An ``AzBatchConfig`` as a workspace would save it."""
    return {
        "region": "westeurope",
        "workDir": work_dir,
        "waveEnabled": wave,
        "fusion2Enabled": fusion,
        "nextflowConfig": nextflow_config,
        "managedIdentityClientId": managed_identity_client_id,
        "deletePoolsOnCompletion": False,
    }


def seed_launchpad(state: PlatformState, workspace_id: int) -> None:
    """The seeded compute environments and Launchpad pipelines (see the module docstring)."""
    org_id = state.workspaces[workspace_id].org_id
    wave_on = StoredComputeEnv(
        id=new_compute_env_id(),
        name="azure-batch-wave",
        platform="azure-batch",
        config=azure_batch_config(
            wave=True,
            work_dir="az://acmestore/work",
            managed_identity_client_id="5c0a9d4e-2f1b-4c3d-8e7f-6a5b4c3d2e1f",
        ),
        workspace_id=workspace_id,
        org_id=org_id,
        primary=True,
    )
    wave_off = StoredComputeEnv(
        id=new_compute_env_id(),
        name="azure-batch",
        platform="azure-batch",
        config=azure_batch_config(
            wave=False,
            work_dir="az://acmestore/work-nowave",
            nextflow_config="process.queue = 'default'\n",
        ),
        workspace_id=workspace_id,
        org_id=org_id,
    )
    state.compute_envs[workspace_id] = [wave_on, wave_off]
    state.pipelines[workspace_id] = [
        StoredPipeline(
            id=271001,
            name="demo-pipeline",
            repository=DEMO_REPOSITORY,
            compute_env_id=wave_on.id,
            workspace_id=workspace_id,
            revision="v1.0",
            description="The demo pipeline on a compute environment with Wave on",
        ),
        StoredPipeline(
            id=271002,
            name="demo-pipeline-nowave",
            repository=DEMO_REPOSITORY,
            compute_env_id=wave_off.id,
            workspace_id=workspace_id,
            revision="v1.0",
            config_text="process {\n    cpus = 2\n}\n",
            params_text='{"outdir": "az://acmestore/results"}',
            description="The demo pipeline on a compute environment with Wave off",
        ),
    ]
