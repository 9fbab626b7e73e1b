"""More Ctrl-C: a second one during ``fix``'s rollback, ``fix --format json`` interrupted, and
``check`` interrupted while it looks in the user's other workspaces.

As in ``test_interrupt``: ``preflight`` is a real subprocess, a long latency fault holds it at
a known request, and the test sends ``SIGINT`` once the sandbox shows that request arrived.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from faults_support import ACR, PERSISTENT, used
from test_fix_faults import new_token, registry_path, snapshot
from test_interrupt import EXIT_INTERRUPTED, arm_path, interrupt, start, wait_for

if TYPE_CHECKING:
    from preflight.sandbox.runtime import Sandbox

pytestmark = pytest.mark.sandbox


def test_a_second_ctrl_c_during_rollback_says_what_remains_and_exits_130(
    sandbox_env: Sandbox, demo_pipeline: Path, tmp_path: Path
) -> None:
    registry = sandbox_env.azure.registries[ACR]
    token = f"wave-pull-{sandbox_env.env['TOWER_WORKSPACE_ID']}"
    sandbox_env.faults.set(
        "arm",
        path_prefix=arm_path(sandbox_env, "generateCredentials"),
        latency_ms=60_000,
        times=PERSISTENT,
    )
    process = start(["fix", str(demo_pipeline), "--yes", "--format", "json"], tmp_path)
    wait_for(lambda: token in registry.tokens, process, "the token was created")
    # The token is made: from now on its deletion (the first undo) hangs too.
    deleting = sandbox_env.faults.set(
        "arm",
        path_prefix=arm_path(sandbox_env, f"tokens/{token}"),
        latency_ms=60_000,
        times=PERSISTENT,
    )
    time.sleep(0.3)  # the generateCredentials request is on its way
    process.send_signal(signal.SIGINT)
    wait_for(lambda: used(sandbox_env, deleting) > 0, process, "the rollback deleted the token")
    time.sleep(0.2)
    code, out, err, _ = interrupt(process)
    assert code == EXIT_INTERRUPTED, err
    assert "Traceback" not in err
    assert "rolled back: nothing" in err, err
    assert (
        f"remains of this registry's steps: token {token} (not rolled back: interrupted); "
        f"scope map {token}-scope-map (not rolled back: interrupted)"
    ) in err
    assert "run `preflight fix` again: it finds" in err  # the remedy
    # What it says remains does remain.
    assert token in registry.tokens and f"{token}-scope-map" in registry.scope_maps
    error = json.loads(out)["error"]
    assert error["kind"] == "ApplyInterrupted" and error["exit_code"] == EXIT_INTERRUPTED
    assert f"token {token} (not rolled back: interrupted)" in error["message"]


def test_fix_json_interrupted_while_planning_is_one_json_object_and_exit_130(
    sandbox_env: Sandbox, demo_pipeline: Path, tmp_path: Path
) -> None:
    stalled = sandbox_env.faults.set("platform", latency_ms=60_000, times=PERSISTENT)
    process = start(["fix", str(demo_pipeline), "--yes", "--format", "json"], tmp_path)
    wait_for(lambda: used(sandbox_env, stalled) > 0, process, "a request reached Platform")
    time.sleep(0.2)
    code, out, err, seconds = interrupt(process)
    assert code == EXIT_INTERRUPTED, err
    data = json.loads(out)
    assert data["plan"] is None and data["applied"] is False and data["result"] is None
    assert data["error"]["kind"] == "interrupted"
    assert data["error"]["exit_code"] == EXIT_INTERRUPTED
    assert "Interrupted." in err and seconds < 5.0


def test_check_interrupted_while_listing_other_workspaces_exits_at_once(
    sandbox_env: Sandbox, demo_pipeline: Path, tmp_path: Path
) -> None:
    """No credential for the registry in the checked workspace: the check lists the others,
    side by side. Ctrl-C then must not wait for those listings."""
    # The checked workspace's listing goes through; every later one (the others') stalls.
    sandbox_env.faults.set("platform", path_prefix="/credentials", times=1)
    stalled = sandbox_env.faults.set(
        "platform", path_prefix="/credentials", latency_ms=60_000, times=PERSISTENT
    )
    process = start(["check", str(demo_pipeline)], tmp_path)
    wait_for(lambda: used(sandbox_env, stalled) > 0, process, "another workspace was listed")
    time.sleep(0.2)
    code, out, err, seconds = interrupt(process)
    assert code == EXIT_INTERRUPTED, err
    assert "Traceback" not in err and "Interrupted." in err
    assert out == ""
    assert seconds < 5.0  # the stalled listings' timeout was not waited for


def test_a_token_made_while_its_answer_was_still_coming_is_rolled_back(
    sandbox_env: Sandbox, demo_pipeline: Path, tmp_path: Path
) -> None:
    """Ctrl-C after Azure made the token but before its answer arrived: the rollback still
    deletes it (and its scope map), because the undo is registered before the request."""
    registry = sandbox_env.azure.registries[ACR]
    token = f"wave-pull-{sandbox_env.env['TOWER_WORKSPACE_ID']}"
    # The token exists once its PUT is handled; the client then polls the operation, held here.
    sandbox_env.faults.set(
        "arm",
        path_prefix=arm_path(sandbox_env, f"tokens/{token}/operationStatuses"),
        latency_ms=60_000,
        times=1,
    )
    process = start(["fix", str(demo_pipeline), "--yes"], tmp_path)
    wait_for(lambda: token in registry.tokens, process, "Azure made the token")
    time.sleep(0.2)
    code, _, err, _ = interrupt(process)
    assert code == EXIT_INTERRUPTED, err
    assert "Traceback" not in err
    assert token not in registry.tokens, err
    assert f"{token}-scope-map" not in registry.scope_maps, err


def test_a_credential_stored_while_its_answer_was_still_coming_is_rolled_back(
    sandbox_env: Sandbox,
    demo_pipeline: Path,
    tmp_path: Path,
    when: Callable[[Callable[[], bool], Callable[[], object]], None],
) -> None:
    """Ctrl-C after the Platform stored the credential but before its answer arrived: the
    rollback finds it by name and deletes it, with the token and scope map."""
    before = snapshot(sandbox_env)
    token = new_token(sandbox_env)
    # Name validation goes through untouched (the first matching fault wins, and it does
    # nothing); generateCredentials is slowed so the watcher acts before the POST.
    sandbox_env.faults.set("platform", path_prefix="/credentials/validate", times=PERSISTENT)
    sandbox_env.faults.set(
        "arm",
        path_prefix=registry_path(sandbox_env, "generateCredentials"),
        latency_ms=300,
        times=1,
    )
    when(
        lambda: token in sandbox_env.azure.registries[ACR].tokens,
        lambda: sandbox_env.faults.set(
            "platform", path_prefix="/credentials", slow_body_ms=60_000, times=1
        ),
    )
    process = start(["fix", str(demo_pipeline), "--yes"], tmp_path)
    wait_for(
        lambda: len(snapshot(sandbox_env).credentials) > len(before.credentials),
        process,
        "the Platform stored the credential",
    )
    time.sleep(0.2)
    code, _, err, _ = interrupt(process)
    assert code == EXIT_INTERRUPTED, err
    assert "Traceback" not in err
    assert snapshot(sandbox_env) == before, err
