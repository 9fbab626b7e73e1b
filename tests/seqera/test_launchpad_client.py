"""The Launchpad and compute-environment calls: the real client against the real emulator.

Every exchange here is also held against the API description by the suite's plug-in; the last
test says so explicitly for the four operations.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from preflight.errors import PlatformError
from preflight.sandbox.platform import PlatformState
from preflight.sandbox.platform_state import VIEWER_USER
from preflight.seqera.client import PlatformClient

from .platform_contract import ExchangeLog

MakeClient = Callable[..., PlatformClient]


@pytest.fixture
def pipelines_ws(state: PlatformState) -> int:
    return state.workspace_by_name("acme", "pipelines").id


def test_search_is_free_text(make_client: MakeClient, pipelines_ws: int) -> None:
    found = make_client().find_pipelines("demo-pipeline", pipelines_ws)
    assert [p.name for p in found] == ["demo-pipeline", "demo-pipeline-nowave"]
    assert found[0].repository == "https://github.com/acme/demo-pipeline"
    assert found[0].workspace_id == pipelines_ws
    assert make_client().find_pipelines("NOWAVE", pipelines_ws)[0].name == "demo-pipeline-nowave"
    assert make_client().find_pipelines("rnaseq", pipelines_ws) == []


def test_saved_launch_carries_its_compute_environment(
    make_client: MakeClient, pipelines_ws: int
) -> None:
    client = make_client()
    on, off = client.find_pipelines("demo-pipeline", pipelines_ws)
    launch = client.pipeline_launch(on.id, pipelines_ws)
    assert (launch.pipeline, launch.revision) == ("https://github.com/acme/demo-pipeline", "v1.0")
    assert launch.compute_env is not None
    assert (launch.compute_env.name, launch.compute_env.platform) == (
        "azure-batch-wave",
        "azure-batch",
    )
    assert launch.compute_env.wave_enabled and not launch.compute_env.fusion_enabled
    assert launch.config_text is None and launch.config_profiles == ()
    other = client.pipeline_launch(off.id, pipelines_ws)
    assert other.compute_env is not None and not other.compute_env.wave_enabled
    assert other.compute_env.nextflow_config == "process.queue = 'default'\n"
    assert other.config_text is not None and "wave" not in other.config_text
    assert other.params_text == '{"outdir": "az://acmestore/results"}'


def test_compute_environments_and_the_primary(make_client: MakeClient, pipelines_ws: int) -> None:
    client = make_client()
    listed = client.compute_envs(pipelines_ws)
    assert [(c.name, c.primary, c.status) for c in listed] == [
        ("azure-batch-wave", True, "AVAILABLE"),
        ("azure-batch", False, "AVAILABLE"),
    ]
    described = client.compute_env(listed[0].id, pipelines_ws)
    assert described.wave_enabled and described.primary
    assert described.work_dir == "az://acmestore/work"
    assert described.managed_identity_client_id == "5c0a9d4e-2f1b-4c3d-8e7f-6a5b4c3d2e1f"
    assert client.compute_envs(None) == []  # the personal workspace has none


def test_members_read_others_are_refused(
    make_client: MakeClient, state: PlatformState, pipelines_ws: int
) -> None:
    viewer = make_client(token=state.token_of(VIEWER_USER))
    assert len(viewer.find_pipelines("demo", pipelines_ws)) == 2  # view may read the Launchpad
    with pytest.raises(PlatformError) as refused:
        make_client().find_pipelines("demo", 999)
    assert "403" in str(refused.value) or "permission" in str(refused.value).lower()


def test_unknown_ids_are_errors(make_client: MakeClient, pipelines_ws: int) -> None:
    client = make_client()
    with pytest.raises(PlatformError):
        client.pipeline_launch(1, pipelines_ws)
    with pytest.raises(PlatformError):
        client.compute_env("NoSuchComputeEnv", pipelines_ws)


def test_the_four_operations_conform_to_the_description(
    make_client: MakeClient, pipelines_ws: int, platform_exchanges: ExchangeLog
) -> None:
    client = make_client()
    (pipeline, _) = client.find_pipelines("demo-pipeline", pipelines_ws)
    client.pipeline_launch(pipeline.id, pipelines_ws)
    for summary in client.compute_envs(pipelines_ws):
        client.compute_env(summary.id, pipelines_ws)
    paths = {
        e.path.rsplit("/", 1)[0] if e.path.count("/") > 1 else e.path
        for e in platform_exchanges.exchanges
    }
    assert {"/pipelines", f"/pipelines/{pipeline.id}", "/compute-envs"} <= paths
    assert len(platform_exchanges.exchanges) == 5
    assert platform_exchanges.departures() == []


def test_the_sandbox_describes_its_launchpad(state: PlatformState) -> None:
    described = state.describe()["launchpad"]
    assert [(p["name"], p["workspace"], p["wave_enabled"]) for p in described] == [
        ("demo-pipeline", "acme/pipelines", True),
        ("demo-pipeline-nowave", "acme/pipelines", False),
    ]
    assert {p["compute_env"] for p in described} == {"azure-batch-wave", "azure-batch"}
    assert all(p["repository"] == "https://github.com/acme/demo-pipeline" for p in described)


def test_reset_restores_the_launchpad(state: PlatformState, pipelines_ws: int) -> None:
    with state.lock:
        state.pipelines[pipelines_ws].clear()
        state.compute_envs[pipelines_ws][0].config["waveEnabled"] = False
    state.reset()
    assert len(state.pipelines[pipelines_ws]) == 2
    assert state.compute_envs[pipelines_ws][0].config["waveEnabled"] is True
