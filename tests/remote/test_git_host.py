"""The sandbox's Git host is a real smart-HTTP server: an independent `git` clone proves it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from preflight.net.tls import ssl_context
from preflight.remote.tunnel import ConnectTunnel
from preflight.sandbox.runtime import Sandbox

DEMO_URL = "https://github.com/acme/demo-pipeline.git"


def plain_git(
    sandbox: Sandbox, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The git program, configured only on its command line, through the host map."""
    with ConnectTunnel(sandbox.host_map()) as tunnel:
        return subprocess.run(
            [
                "git",
                "-c",
                f"http.sslCAInfo={sandbox.ca_bundle}",
                "-c",
                f"http.proxy={tunnel.url}",
                *args,
            ],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=60,
            env={
                "PATH": "/usr/bin:/bin",
                "GIT_TERMINAL_PROMPT": "0",
                "HOME": "/dev/null",
                "GIT_CONFIG_NOSYSTEM": "1",
            },
            check=False,
        )


def test_sandbox_info_describes_the_git_host(sandbox: Sandbox) -> None:
    git = sandbox.info["git"]
    assert git["host"] == "github.com"
    repositories = {r["name"]: r for r in git["repositories"]}
    assert repositories["acme/demo-pipeline"] == {
        "name": "acme/demo-pipeline",
        "revisions": ["v1.0", "v1.1", "main"],
        "private": False,
    }
    assert repositories["acme/private-pipeline"]["private"] is True
    assert git["token"] and sandbox.git is not None and git["token"] == sandbox.git.token
    assert "github.com:443:127.0.0.1:" in sandbox.env["PREFLIGHT_CONNECT_TO"]


@pytest.mark.parametrize("protocol", ["0", "2"])
def test_a_shallow_clone_of_a_tag_over_either_protocol(
    sandbox_env: Sandbox, tmp_path: Path, protocol: str
) -> None:
    result = plain_git(
        sandbox_env,
        "-c",
        f"protocol.version={protocol}",
        "clone",
        "-q",
        "--depth=1",
        "--branch",
        "v1.1",
        DEMO_URL,
        str(tmp_path / "clone"),
    )
    assert result.returncode == 0, result.stderr
    assert "wave" in (tmp_path / "clone" / "nextflow.config").read_text()
    shallow = (tmp_path / "clone" / ".git" / "shallow").read_text().split()
    assert len(shallow) == 1


def test_the_host_is_read_only(sandbox_env: Sandbox, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    assert plain_git(sandbox_env, "clone", "-q", DEMO_URL, str(clone)).returncode == 0
    result = plain_git(sandbox_env, "push", "origin", "HEAD:refs/heads/new", cwd=clone)
    assert result.returncode != 0
    assert "403" in result.stderr or "read-only" in result.stderr


def test_private_and_unknown_repositories_answer_as_github_does(sandbox_env: Sandbox) -> None:
    assert sandbox_env.git is not None
    token = sandbox_env.git.token
    with httpx.Client(verify=ssl_context(sandbox_env.ca_bundle), timeout=10) as client:
        refs = "/info/refs?service=git-upload-pack"
        private = "https://github.com/acme/private-pipeline.git" + refs
        unknown = "https://github.com/acme/unknown.git" + refs
        assert client.get(private).status_code == 401
        assert client.get(unknown).status_code == 401  # the two look the same without a token
        assert client.get(private, auth=(token, "x-oauth-basic")).status_code == 200
        assert client.get(private, auth=("anyone", token)).status_code == 200
        assert client.get(unknown, auth=(token, "x-oauth-basic")).status_code == 404
        assert client.get(private, auth=("anyone", "wrong-token")).status_code == 401
    records = sandbox_env.git_requests()
    assert [r.authenticated for r in records] == [False, False, True, True, True, False]
    assert all(token not in repr(r) for r in records)
