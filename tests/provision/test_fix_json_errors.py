"""``preflight fix --format json`` that cannot finish: still one JSON object on stdout.

Scripts read stdout; a failure must not leave it empty. Each case drives a real failure (an
unusable option, Platform unreachable while planning, a Platform error after a password was
generated) and checks the object's shape, that the exit code is the error's own, and that no
secret the sandbox knows of reaches stdout or stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import preflight
from preflight.cli import main

if TYPE_CHECKING:
    from preflight.sandbox.runtime import Sandbox

pytestmark = pytest.mark.sandbox
ACR = "sandboxacr.azurecr.io"
DEMO = Path(preflight.__file__).parent / "sandbox" / "data" / "demo-pipeline"
ERROR_KEYS = ["kind", "message", "remedy", "where", "exit_code"]


@pytest.fixture
def pipeline(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(DEMO, target)
    return target


@pytest.fixture
def invoke(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    def run(*args: str) -> tuple[int, str, str]:
        code = main(["fix", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def seen_passwords(sandbox_env: Sandbox) -> Iterator[set[str]]:
    """Every token password the sandbox holds at any moment of the test (polled)."""
    seen: set[str] = set()
    stop = threading.Event()

    def collect() -> None:
        with sandbox_env.azure.lock:
            for registry in sandbox_env.azure.registries.values():
                for token in registry.tokens.values():
                    seen.update(p.value for p in token.passwords if p.value)

    def loop() -> None:
        while not stop.is_set():
            collect()
            time.sleep(0.005)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield seen
    stop.set()
    thread.join(timeout=5)
    collect()


def failure(out: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(out)
    assert list(data) == ["plan", "applied", "result", "error"]
    assert list(data["error"]) == ERROR_KEYS
    return data


def test_unusable_input_is_a_json_error_with_exit_2(
    sandbox_env: Sandbox, pipeline: Path, invoke: Callable[..., tuple[int, str, str]]
) -> None:
    code, out, err = invoke(str(pipeline), "--format", "json")  # no --yes, no terminal
    assert code == 2
    data = failure(out)
    assert data["plan"] is None and data["applied"] is False and data["result"] is None
    assert data["error"]["kind"] == "InputError" and data["error"]["exit_code"] == 2
    assert "--yes" in data["error"]["remedy"]
    assert "--yes" in err  # the text on stderr stays


def test_platform_unreachable_while_planning_is_a_json_error_with_exit_4(
    sandbox_env: Sandbox, pipeline: Path, invoke: Callable[..., tuple[int, str, str]]
) -> None:
    sandbox_env.faults.set("platform", drop=True)
    code, out, _ = invoke(str(pipeline), "--yes", "--format", "json")
    assert code == 4  # cannot reach
    data = failure(out)
    assert data["plan"] is None and data["applied"] is False
    error = data["error"]
    assert error["kind"] == "PlatformError" and error["exit_code"] == 4
    assert "Seqera Platform could not be reached" in error["message"]
    assert error["remedy"]


def test_failed_apply_is_a_json_error_with_the_plan_and_no_secret(
    sandbox_env: Sandbox,
    pipeline: Path,
    invoke: Callable[..., tuple[int, str, str]],
    seen_passwords: set[str],
) -> None:
    # The planner's name validation goes through (the first fault, used up at once); the
    # apply's, after password1 was generated, fails. The latency keeps the new password in
    # the sandbox long enough to be seen.
    sandbox_env.faults.set("platform", path_prefix="/credentials/validate", times=1)
    sandbox_env.faults.set(
        "platform", path_prefix="/credentials/validate", status=500, latency_ms=300
    )
    code, out, err = invoke(str(pipeline), "--yes", "--format", "json")
    assert code == 1, err
    data = failure(out)
    assert data["plan"]["registries"][0]["registry"] == ACR
    assert data["applied"] is True and data["result"] is None
    error = data["error"]
    assert error["kind"] == "ApplyError" and error["exit_code"] == 1
    assert "rolled back: token wave-pull-" in error["message"]
    assert "remains of this registry's steps: nothing" in error["message"]
    # The Wave edit was written before the credential steps, and is kept: the message says so.
    assert "kept: nextflow.config now enables Wave" in error["message"]

    seeded = next(r for r in sandbox_env.info["registries"] if r["tokens"])["tokens"][0]
    secrets = {
        os.environ["TOWER_ACCESS_TOKEN"],
        os.environ["AZURE_CLIENT_SECRET"],
        seeded["password"],
        *seen_passwords,
    }
    assert len(seen_passwords) >= 2  # the seeded password and the one this run generated
    assert not [s[:6] for s in secrets if s and (s in out or s in err)]
