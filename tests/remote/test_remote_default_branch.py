"""The default revision: `manifest.defaultBranch` wins over the repository's HEAD, as in Nextflow.

A local repository served through Git's ``file://`` transport (the same fetch code as HTTPS)
whose HEAD is ``master`` while its manifest names ``dev``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from preflight.errors import InputError
from preflight.remote.names import RemoteName
from preflight.remote.resolve import RemoteRequest, _Reader
from preflight.remote.scm import ProviderConfig


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def served(tmp_path: Path, manifest_branch: str) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "master")
    (work / "main.nf").write_text("workflow {}\n")
    (work / "nextflow.config").write_text(
        f"manifest {{\n    defaultBranch = '{manifest_branch}'\n}}\n"
    )
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "master")
    git(work, "checkout", "-q", "-b", "dev")
    (work / "nextflow.config").write_text(
        f"manifest {{ defaultBranch = '{manifest_branch}' }}\nwave.enabled = true\n"
    )
    git(work, "commit", "-q", "-am", "dev")
    git(work, "checkout", "-q", "master")
    root = tmp_path / "server"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(root / "acme" / "pipe.git"))
    git(root / "acme" / "pipe.git", "config", "uploadpack.allowReachableSHA1InWant", "true")
    return root


def reader(tmp_path: Path, root: Path, revision: str | None = None) -> _Reader:
    provider = ProviderConfig(name="local", platform="github", server=f"file://{root}")
    request = RemoteRequest(
        name="acme/pipe",
        revision=revision,
        hub=None,
        nxf_home=tmp_path / "nxf",
        assets_root=tmp_path / "nxf" / "assets",
        cache_root=tmp_path / "cache",
    )
    return _Reader(request, RemoteName("acme/pipe", provider), {})


def test_manifest_default_branch_wins_over_head(tmp_path: Path) -> None:
    root = served(tmp_path, "dev")
    checkout = reader(tmp_path, root).read()
    dev = git(root / "acme" / "pipe.git", "rev-parse", "refs/heads/dev")
    assert (checkout.source.revision, checkout.source.commit) == ("dev", dev)
    assert "wave.enabled = true" in (checkout.directory / "nextflow.config").read_text()
    # remembered: the next read of the default revision needs no Git host at all
    (root / "acme" / "pipe.git").rename(tmp_path / "moved-away")
    again = reader(tmp_path, root).read()
    assert (again.source.commit, again.source.read_from) == (dev, "cache")


def test_a_manifest_branch_that_does_not_exist_is_exit_2(tmp_path: Path) -> None:
    root = served(tmp_path, "nope")
    with pytest.raises(InputError, match=r"manifest\.defaultBranch names 'nope'"):
        reader(tmp_path, root).read()
    assert not list((tmp_path / "cache").rglob("revisions.json"))
