"""Starting, describing, resetting and stopping the sandbox, in-process and as ``sandbox up``."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from preflight.net.tls import ssl_context
from preflight.sandbox.registry_process import RegistryMissingError
from preflight.sandbox.runtime import Sandbox, start_sandbox
from preflight.sandbox.seed import ImageSeed, RegistrySeed, TokenSeed

pytestmark = pytest.mark.sandbox

ENV_KEYS = {
    "TOWER_API_ENDPOINT",
    "TOWER_ACCESS_TOKEN",
    "TOWER_WORKSPACE_ID",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_AUTHORITY_HOST",
    "AZURE_SUBSCRIPTION_ID",
    "PREFLIGHT_ARM_ENDPOINT",
    "PREFLIGHT_CA_BUNDLE",
    "PREFLIGHT_CONNECT_TO",
    "PREFLIGHT_CACHE_DIR",
}


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for init to reap it counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def wait_gone(pids: list[int], seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


def test_info_has_the_documented_shape(sandbox: Sandbox) -> None:
    info = sandbox.info
    assert {"ca_bundle", "env", "azure", "registries"} <= set(info)
    assert set(info["env"]) == ENV_KEYS
    assert set(info["seqera"]) >= {"endpoint", "access_token", "user_id", "workspaces"}
    assert set(info["azure"]) == {
        "authority",
        "tenant_id",
        "client_id",
        "client_secret",
        "subscription_id",
        "arm_endpoint",
    }
    registries = {r["login_server"]: r for r in info["registries"]}
    assert set(registries) == {
        "sandboxacr.azurecr.io",
        "otheracr.azurecr.io",
        "docker.io",
        "ghcr.io",
        "quay.io",
        "cr.example.org",
    }
    kinds = {r["host"]: r["kind"] for r in info["registries"]}
    assert kinds == {
        "sandboxacr.azurecr.io": "acr",
        "otheracr.azurecr.io": "acr",
        "docker.io": "dockerhub",
        "ghcr.io": "ghcr",
        "quay.io": "quay",
        "cr.example.org": "generic",
    }
    for registry in info["registries"]:
        assert set(registry["public"]) == set(registry["images"])
        if registry["kind"] != "acr":  # each other family: one public, one private repository
            assert set(registry["public"].values()) == {False, True}
    assert registries["docker.io"]["public"]["docker.io/library/busybox:1.36"] is True
    main = registries["sandboxacr.azurecr.io"]
    assert main["address"] == sandbox.address("sandboxacr.azurecr.io")
    assert main["resource_group"] == "rg-preflight"
    assert "sandboxacr.azurecr.io/team/tool:2.1" in main["images"]
    assert main["tokens"][0]["name"] == "pipeline-reader"
    assert main["tokens"][0]["repositories"] == ["team/app", "team/tool"]
    assert Path(info["ca_bundle"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert info["env"]["PREFLIGHT_CONNECT_TO"] == sandbox.connect_to
    json.dumps(info)  # printable as is


def test_reset_clears_faults_and_token_records(sandbox_env: Sandbox) -> None:
    sandbox_env.faults.set("arm", status=500)
    with httpx.Client(verify=ssl_context(sandbox_env.ca_bundle), timeout=10) as client:
        client.get("https://sandboxacr.azurecr.io/oauth2/token")
    assert sandbox_env.acr_requests("sandboxacr.azurecr.io")
    sandbox_env.reset()
    assert sandbox_env.faults.active() == []
    assert sandbox_env.acr_requests("sandboxacr.azurecr.io") == []


def test_a_custom_seed_starts_and_closes_cleanly(tmp_path: Path) -> None:
    seed = RegistrySeed(
        login_server="tinyreg.azurecr.io",
        resource_group="rg-tiny",
        images=(ImageSeed("solo/img", "0.1"),),
        tokens=(TokenSeed("solo-reader", "solo-scope", ("solo/img",)),),
    )
    # a state dir whose name YAML would misread unquoted
    with start_sandbox(tmp_path / "state dir: #1", registries=[seed]) as sandbox:
        pids = sandbox.registry_pids()
        assert [r["login_server"] for r in sandbox.info["registries"]] == ["tinyreg.azurecr.io"]
        response = httpx.get(
            f"https://{sandbox.address('tinyreg.azurecr.io')}/oauth2/token",
            params={"service": "tinyreg.azurecr.io", "scope": "repository:solo/img:pull"},
            auth=("solo-reader", sandbox.password("tinyreg.azurecr.io", "solo-reader")),
            verify=ssl_context(sandbox.ca_bundle),
            timeout=10,
        )
        assert response.status_code == 200
    sandbox.close()  # idempotent
    assert wait_gone(pids) == []


def test_a_missing_registry_binary_names_the_debian_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RegistryMissingError) as caught:
        start_sandbox(tmp_path / "state")
    assert "docker-registry" in caught.value.message
    assert "apt-get install" in caught.value.remedy
    assert caught.value.exit_code == 2


def test_registry_processes_die_when_their_parent_is_killed(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys, time, pathlib
        from preflight.sandbox.runtime import start_sandbox
        sandbox = start_sandbox(pathlib.Path(sys.argv[1]))
        print(" ".join(map(str, sandbox.registry_pids())), flush=True)
        time.sleep(60)
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "state")],
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        try:
            assert child.stdout is not None
            pids = [int(p) for p in child.stdout.readline().split()]
            assert len(pids) == 6 and all(alive(p) for p in pids)
        finally:
            child.kill()
    assert wait_gone(pids) == []


def children_of(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
    return found


def read_json_object(process: subprocess.Popen[str], seconds: float = 30.0) -> dict[str, object]:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], seconds)
    line = process.stdout.readline() if ready else ""
    if not line:
        raise AssertionError("sandbox up printed nothing")
    parsed: dict[str, object] = json.loads(line)
    return parsed


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_sandbox_up_prints_json_and_stops_every_child(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    state_dir = tmp_path / "state"
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "preflight",
            "sandbox",
            "up",
            "--json",
            "--state-dir",
            str(state_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    ) as process:
        try:
            info = read_json_object(process)
            registries = info["registries"]
            assert isinstance(registries, list)
            address = registries[0]["address"]
            answer = httpx.get(
                f"https://{address}/v2/",
                verify=ssl_context(Path(str(info["ca_bundle"]))),
                timeout=10,
            )
            assert answer.status_code == 401
            children = children_of(process.pid)
            assert len(children) == len(registries) == 6
            process.send_signal(stop_signal)
            _, stderr = process.communicate(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0, stderr
    assert wait_gone(children) == []
    assert (state_dir / "tls" / "ca.pem").is_file()  # a given state dir is kept


def test_sandbox_up_refuses_a_malformed_fault_before_starting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from preflight.cli import main

    assert main(["sandbox", "up", "--fault", "service=nowhere,status=503"]) == 2
    assert "--fault" in capsys.readouterr().err


def test_the_text_summary_names_every_service_and_the_exports(sandbox: Sandbox) -> None:
    from preflight.cli.sandbox import summary

    text = summary(sandbox.info)
    for registry in sandbox.info["registries"]:
        assert registry["login_server"] in text and registry["address"] in text
    assert sandbox.info["azure"]["authority"] in text
    assert f"export PREFLIGHT_CONNECT_TO={sandbox.connect_to}" in text
