"""Helpers for the fault tests: the demo pipeline, ``check``/``fix`` as a user runs them, timed.

Every helper returns the wall time it took, so each test can prove that a misbehaving service
keeps preflight bounded, not only that the findings are right.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from preflight import cli

if TYPE_CHECKING:
    from preflight.sandbox.faults import Fault
    from preflight.sandbox.runtime import Sandbox

PERSISTENT = 10_000  # a times budget no test uses up: on for the test, and counting
ACR = "sandboxacr.azurecr.io"
# Generous: a run that ends well inside this bound did not hang on the fault.
BOUND_S = 20.0


@dataclass(frozen=True)
class Run:
    """One ``preflight`` invocation: its exit code, what it printed, and how long it took."""

    code: int
    out: str
    err: str
    seconds: float

    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.out)
        return data

    def findings(self, check: str | None = None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.report()["findings"]
        return [f for f in found if check is None or f["check"] == check]


@pytest.fixture
def demo_pipeline(tmp_path: Path) -> Path:
    source = resources.files("preflight.sandbox") / "data" / "demo-pipeline"
    target = tmp_path / "demo-pipeline"
    with resources.as_file(source) as path:
        shutil.copytree(path, target)
    return target


Invoke = Callable[..., Run]


@pytest.fixture
def preflight(capsys: pytest.CaptureFixture[str]) -> Invoke:
    """Run ``preflight ARGS`` through ``cli.main``; timed, output captured."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        started = time.monotonic()
        code = cli.main(list(args))
        seconds = time.monotonic() - started
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err, seconds)

    return run


def used(sandbox: Sandbox, fault: Fault) -> int:
    """How many requests ``fault`` (set with a ``times`` budget) has answered so far.

    The sandbox keeps no request log, but a fault's ``times`` counts down once per matching
    request: a fault with a large budget is "persistent" for a test and counts its requests.
    """
    assert fault.times is not None, "only a fault with a times budget counts its requests"
    for active in sandbox.faults.active():
        if replace(active, times=fault.times) == fault:
            return fault.times - (active.times or 0)
    return fault.times  # used up, and switched itself off


@dataclass(frozen=True)
class Fixed:
    """The demo pipeline after a successful ``fix --yes``: Wave on, a token and a credential."""

    pipeline: Path
    token: str  # the ACR token fix created
    password: str  # its password1, as the Platform credential stores it


@pytest.fixture
def fixed(sandbox_env: Sandbox, demo_pipeline: Path, preflight: Invoke) -> Fixed:
    """``fix --yes`` on the demo pipeline, with no fault: what a later ``check`` should pass."""
    run = preflight("fix", str(demo_pipeline), "--yes")
    assert run.code == 0, run.err
    token = f"wave-pull-{sandbox_env.env['TOWER_WORKSPACE_ID']}"
    assert token in sandbox_env.azure.registries[ACR].tokens
    [password] = sandbox_env.platform.registry_passwords(
        ACR, int(sandbox_env.env["TOWER_WORKSPACE_ID"])
    )
    return Fixed(demo_pipeline, token, password)


@pytest.fixture
def when() -> Iterator[Callable[[Callable[[], bool], Callable[[], object]], None]]:
    """``when(condition, action)``: run ``action`` once, as soon as ``condition()`` holds.

    How a test switches a fault on in the middle of a run: it watches the sandbox's state (a
    token appearing) from a thread and acts at that moment. The watcher stops with the test.
    """
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def watch(condition: Callable[[], bool], action: Callable[[], object]) -> None:
        def loop() -> None:
            while not stop.is_set():
                if condition():
                    action()
                    return
                time.sleep(0.002)

        thread = threading.Thread(target=loop, daemon=True)
        threads.append(thread)
        thread.start()

    yield watch
    stop.set()
    for thread in threads:
        thread.join(timeout=5)
