"""Read a pipeline already pulled by Nextflow (``$NXF_ASSETS``) at a revision, without network.

Nextflow keeps two layouts: the multi-revision one (a bare repository at
``$NXF_ASSETS/.repos/<owner>/<repo>/bare``, the default since 26.04) and the legacy full clone at
``$NXF_ASSETS/<owner>/<repo>/.git``. A revision is looked for as a tag, a branch, a
remote-tracking branch, or a commit id; with no revision, the bare repository's ``HEAD``
branch (what ``nextflow run`` takes then), or the legacy clone's checked-out commit. The files
are checked out into preflight's cache with an index of its own: the user's checkout, its work
tree and its index are never touched.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

LOCAL_TIMEOUT = 60.0
# The checkout is Nextflow's, maybe made by another user: read it whoever owns it, with no hook,
# filter or setting of the user's own Git configuration (Nextflow's jgit reads none of them).
_ISOLATED = ("-c", "safe.directory=*", "-c", "core.hooksPath=/dev/null")


def _env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "HOME": os.devnull,
        "LC_ALL": "C",
    }


@dataclass(frozen=True)
class AssetHit:
    git_dir: Path
    commit: str
    kind: str  # "branch" | "tag" | "commit"
    name: str


def assets_git_dirs(assets_root: Path, project: str) -> list[Path]:
    """The Git directories Nextflow may hold for ``project``, multi-revision first."""
    found = []
    for candidate in (assets_root / ".repos" / project / "bare", assets_root / project / ".git"):
        if (candidate / "HEAD").is_file():
            found.append(candidate)
    return found


def find_revision(assets_root: Path, project: str, revision: str | None) -> AssetHit | None:
    """The commit ``revision`` names in a local Nextflow checkout, or ``None``."""
    for git_dir in assets_git_dirs(assets_root, project):
        hit = _find(git_dir, revision)
        if hit is not None:
            return hit
    return None


def _find(git_dir: Path, revision: str | None) -> AssetHit | None:
    if revision is None:
        branch = _git(git_dir, "symbolic-ref", "-q", "--short", "HEAD")
        commit = _commit(git_dir, "HEAD")
        if commit is None:
            return None
        return AssetHit(git_dir, commit, "branch" if branch else "commit", branch or commit)
    for kind, ref in (
        ("tag", f"refs/tags/{revision}"),
        ("branch", f"refs/heads/{revision}"),
        ("branch", f"refs/remotes/origin/{revision}"),
    ):
        commit = _commit(git_dir, ref)
        if commit is not None:
            return AssetHit(git_dir, commit, kind, revision)
    commit = _commit(git_dir, revision)
    if commit is not None and commit.startswith(revision.lower()):
        return AssetHit(git_dir, commit, "commit", revision)
    return None


def export(git_dir: Path, commit: str, target: Path) -> None:
    """Write the files of ``commit`` into the new directory ``target``.

    A checkout with its own index file (in ``target``'s parent, removed after): the user's
    repository, its index and its ``HEAD`` are left as they were.
    """
    target.mkdir(parents=True)
    index = target.parent / f"{target.name}.index"
    try:
        subprocess.run(
            [
                "git",
                *_ISOLATED,
                f"--git-dir={git_dir}",
                f"--work-tree={target}",
                "checkout",
                "-q",
                "-f",
                commit,
                "--",
                ".",
            ],
            env={**_env(), "GIT_INDEX_FILE": str(index)},
            capture_output=True,
            timeout=LOCAL_TIMEOUT,
            check=True,
        )
    finally:
        index.unlink(missing_ok=True)


def _commit(git_dir: Path, name: str) -> str | None:
    return _git(git_dir, "rev-parse", "-q", "--verify", f"{name}^{{commit}}")


def _git(git_dir: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *_ISOLATED, f"--git-dir={git_dir}", *args],
            env=_env(),
            capture_output=True,
            text=True,
            timeout=LOCAL_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = result.stdout.strip()
    return out if result.returncode == 0 and out else None
