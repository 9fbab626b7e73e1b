"""Ctrl-C: ``fix`` interrupted mid-apply rolls back and exits 130; ``check`` exits 130 cleanly.

``preflight`` runs as a real subprocess with the sandbox's environment, so the ``SIGINT``
arrives as it does from a terminal: in the main thread, while it waits on the network. A long
latency fault holds the run at a known step; the test sends the signal once the sandbox's state
shows the earlier steps done, then checks the exit code, the output and the state left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from faults_support import ACR, BOUND_S, PERSISTENT, Fixed, used

import preflight

if TYPE_CHECKING:
    from preflight.sandbox.runtime import Sandbox

pytestmark = pytest.mark.sandbox
EXIT_INTERRUPTED = 130
SOURCE_ROOT = str(Path(preflight.__file__).resolve().parents[1])


def start(args: list[str], tmp_path: Path) -> subprocess.Popen[str]:
    """``python -m preflight ARGS`` with the sandbox's environment (set by ``sandbox_env``)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name.startswith(("TOWER_", "AZURE_", "PREFLIGHT_"))
        or name in ("PATH", "HOME", "ACR_PASSWORD")
    }
    env["PYTHONPATH"] = SOURCE_ROOT  # the preflight under test, not an installed copy
    return subprocess.Popen(
        [sys.executable, "-m", "preflight", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + BOUND_S
    while not condition():
        if process.poll() is not None:
            _, err = process.communicate()
            pytest.fail(f"preflight ended (exit {process.returncode}) before {what}:\n{err}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def interrupt(process: subprocess.Popen[str]) -> tuple[int, str, str, float]:
    """SIGINT, then the exit code, output and seconds until it ended (killed past the bound)."""
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=BOUND_S)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"preflight did not end within {BOUND_S} s of SIGINT:\n{err}")
    return process.returncode, out, err, time.monotonic() - sent


def arm_path(sandbox: Sandbox, action: str) -> str:
    registry = sandbox.azure.registries[ACR]
    return (
        f"/subscriptions/{sandbox.azure.subscription_id}/resourceGroups/"
        f"{registry.resource_group}/providers/Microsoft.ContainerRegistry/registries/"
        f"{registry.name}/{action}"
    )


def test_fix_interrupted_during_apply_rolls_back_and_exits_130(
    sandbox_env: Sandbox, demo_pipeline: Path, tmp_path: Path
) -> None:
    registry = sandbox_env.azure.registries[ACR]
    tokens, scope_maps = set(registry.tokens), set(registry.scope_maps)
    token = f"wave-pull-{sandbox_env.env['TOWER_WORKSPACE_ID']}"
    # Password generation hangs far longer than the test: the run is held right there.
    sandbox_env.faults.set(
        "arm",
        path_prefix=arm_path(sandbox_env, "generateCredentials"),
        latency_ms=60_000,
        times=PERSISTENT,
    )
    process = start(["fix", str(demo_pipeline), "--yes"], tmp_path)
    wait_for(lambda: token in registry.tokens, process, "the token was created")
    time.sleep(0.3)  # the generateCredentials request is on its way
    code, out, err, seconds = interrupt(process)
    assert code == EXIT_INTERRUPTED, err
    assert "Traceback" not in err and "Done:" not in out
    assert "interrupted" in err
    assert f"rolled back: token {token}, scope map {token}-scope-map" in err
    assert "remains of this registry's steps: nothing" in err
    assert set(registry.tokens) == tokens and set(registry.scope_maps) == scope_maps
    state = sandbox_env.platform
    user_id = state.account_by_name("demo-user").id
    workspace = int(sandbox_env.env["TOWER_WORKSPACE_ID"])
    assert not [
        c for c in state.credentials_in(user_id, workspace) if c.keys.get("registry") == ACR
    ]
    assert seconds < BOUND_S


@pytest.mark.parametrize(
    ("service", "password"),
    [("platform", False), ("acr", False), ("acr", True)],
    ids=["reading-platform", "data-plane-in-threads", "handshakes-in-threads"],
)
def test_check_interrupted_exits_130_at_once_without_a_traceback(
    sandbox_env: Sandbox,
    fixed: Fixed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    service: str,
    password: bool,
) -> None:
    """Interrupted while requests wait in worker threads, too: no waiting for their timeout."""
    monkeypatch.setenv("ACR_PASSWORD", fixed.password)
    extra = ["--password-env", "ACR_PASSWORD"] if password else []
    stalled = sandbox_env.faults.set(service, latency_ms=60_000, times=PERSISTENT)
    process = start(["check", str(fixed.pipeline), *extra], tmp_path)
    wait_for(lambda: used(sandbox_env, stalled) > 0, process, f"a request reached {service}")
    time.sleep(0.2)
    code, out, err, seconds = interrupt(process)
    assert code == EXIT_INTERRUPTED, err
    assert "Traceback" not in err and "Interrupted." in err
    assert out == ""  # no half report
    assert fixed.password not in err
    assert seconds < 5.0  # the stalled requests' 15 s timeout was not waited for
