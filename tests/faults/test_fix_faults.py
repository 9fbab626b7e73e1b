"""``preflight fix --yes`` when a service fails mid-way: it rolls back what it made, and says so.

A fault that strikes during the apply must leave Azure and Seqera Platform as they were before
the run (no token, no scope map, no credential of this run), end with exit 1 and a message
naming the step that failed and what was rolled back; one that strikes while planning must
change nothing at all. Retries are bounded: each fault counts the requests it answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from faults_support import ACR, BOUND_S, PERSISTENT, Invoke, used

from preflight.net.retry import RetryPolicy

if TYPE_CHECKING:
    from preflight.sandbox.faults import Fault
    from preflight.sandbox.runtime import Sandbox

pytestmark = pytest.mark.sandbox


@dataclass(frozen=True)
class Snapshot:
    """What ``fix`` may change: the registry's tokens and scope maps, the Platform credentials."""

    tokens: frozenset[str]
    scope_maps: frozenset[str]
    credentials: frozenset[str]


def snapshot(sandbox: Sandbox) -> Snapshot:
    registry = sandbox.azure.registries[ACR]
    with sandbox.azure.lock:
        tokens, scope_maps = frozenset(registry.tokens), frozenset(registry.scope_maps)
    state = sandbox.platform
    user_id = state.account_by_name("demo-user").id
    credentials = frozenset(
        c.name for c in state.credentials_in(user_id, int(sandbox.env["TOWER_WORKSPACE_ID"]))
    )
    return Snapshot(tokens, scope_maps, credentials)


def new_token(sandbox: Sandbox) -> str:
    return f"wave-pull-{sandbox.env['TOWER_WORKSPACE_ID']}"


def registry_path(sandbox: Sandbox, action: str) -> str:
    """The ARM path of an action on the main registry (what a fault's prefix matches)."""
    registry = sandbox.azure.registries[ACR]
    return (
        f"/subscriptions/{sandbox.azure.subscription_id}/resourceGroups/"
        f"{registry.resource_group}/providers/Microsoft.ContainerRegistry/registries/"
        f"{registry.name}/{action}"
    )


def test_platform_500_at_create_credential_rolls_back_token_and_scope_map(
    sandbox_env: Sandbox,
    demo_pipeline: Path,
    preflight: Invoke,
    when: Callable[[Callable[[], bool], Callable[[], object]], None],
) -> None:
    before = snapshot(sandbox_env)
    token = new_token(sandbox_env)
    # Name validation (GET /credentials/validate) goes through; the POST is what fails. The
    # failure is switched on once the token exists: planning lists /credentials too.
    sandbox_env.faults.set("platform", path_prefix="/credentials/validate", times=PERSISTENT)
    # generateCredentials is slowed so the watcher has time to act before the POST.
    sandbox_env.faults.set(
        "arm",
        path_prefix=registry_path(sandbox_env, "generateCredentials"),
        latency_ms=300,
        times=1,
    )
    failing: list[Fault] = []
    when(
        lambda: token in sandbox_env.azure.registries[ACR].tokens,
        lambda: failing.append(
            sandbox_env.faults.set(
                "platform", path_prefix="/credentials", status=500, times=PERSISTENT
            )
        ),
    )
    run = preflight("fix", str(demo_pipeline), "--yes")
    assert run.code == 1
    assert "could not create credential" in run.err
    assert f"rolled back: token {token}, scope map" in run.err
    # The Platform still fails, so whether the 500 hid a stored credential cannot be checked:
    # said as such, never claimed as removed.
    assert (
        "remains of this registry's steps: credential sandboxacr-wave-pull, if the Platform "
        "stored it (could not be removed"
    ) in run.err
    assert snapshot(sandbox_env) == before
    [fault] = failing
    # The POST, which may have taken effect, is sent once, never repeated; the others are the
    # rollback's look for the credential by name (a GET, tried as often as the policy allows).
    assert used(sandbox_env, fault) == 1 + RetryPolicy().attempts
    assert run.seconds < BOUND_S


def test_arm_500_at_generate_credentials_removes_the_token_and_scope_map_it_made(
    sandbox_env: Sandbox, demo_pipeline: Path, preflight: Invoke
) -> None:
    before = snapshot(sandbox_env)
    token = new_token(sandbox_env)
    failing = sandbox_env.faults.set(
        "arm",
        path_prefix=registry_path(sandbox_env, "generateCredentials"),
        status=500,
        times=PERSISTENT,
    )
    run = preflight("fix", str(demo_pipeline), "--yes")
    assert run.code == 1
    assert f"could not generate password1 of token {token}" in run.err
    assert "HTTP 500" in run.err
    assert f"rolled back: token {token}, scope map {token}-scope-map" in run.err
    assert "remains of this registry's steps: nothing" in run.err
    assert "→ " in run.err  # a remedy
    assert snapshot(sandbox_env) == before
    assert 1 <= used(sandbox_env, failing) <= 4  # the SDK's three retries at most
    assert run.seconds < BOUND_S


def test_dropped_connections_at_platform_while_planning_change_nothing(
    sandbox_env: Sandbox, demo_pipeline: Path, preflight: Invoke
) -> None:
    before = snapshot(sandbox_env)
    config = (demo_pipeline / "nextflow.config").read_bytes()
    drops = sandbox_env.faults.set("platform", drop=True, times=PERSISTENT)
    run = preflight("fix", str(demo_pipeline), "--yes")
    assert run.code == 4  # cannot reach: nothing is known to be wrong
    message = run.err.split("preflight: ", 1)[1]
    assert "Seqera Platform could not be reached" in message
    assert "read the current user" in message  # the step
    assert "→ check the network and TOWER_API_ENDPOINT" in message
    assert "Traceback" not in run.err and "create token" not in run.out + run.err
    assert snapshot(sandbox_env) == before
    assert (demo_pipeline / "nextflow.config").read_bytes() == config
    assert 1 <= used(sandbox_env, drops) <= 4  # one call and at most three retries
    assert run.seconds < BOUND_S


def test_dropped_connections_at_arm_while_planning_block_the_registry_and_create_nothing(
    sandbox_env: Sandbox, demo_pipeline: Path, preflight: Invoke
) -> None:
    """The registry's part is blocked, said with its cause and remedy; only the Wave edit,
    which needs no service, is applied (it is independent of the credentials)."""
    before = snapshot(sandbox_env)
    drops = sandbox_env.faults.set("arm", drop=True, times=PERSISTENT)
    run = preflight("fix", str(demo_pipeline), "--yes")
    assert run.code == 1
    [blocked] = [line for line in run.out.splitlines() if f"{ACR}: blocked" in line]
    assert "could not list registries" in blocked
    assert "the connection broke before Azure answered" in blocked
    assert "→ run the command again" in run.out
    assert "Traceback" not in run.err and "create token" not in run.out + run.err
    assert snapshot(sandbox_env) == before
    assert "enabled = true" in (demo_pipeline / "nextflow.config").read_text()
    assert 1 <= used(sandbox_env, drops) <= 4
    assert run.seconds < BOUND_S
