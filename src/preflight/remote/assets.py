"""Read a pipeline already pulled by Nextflow (``$NXF_ASSETS``) at a revision, without network.

Nextflow keeps two layouts: the multi-revision one (a bare repository at
``$NXF_ASSETS/.repos/<owner>/<repo>/bare``, the default since 26.04) and the legacy full clone at
``$NXF_ASSETS/<owner>/<repo>/.git``. A revision is looked for as a tag, a branch, a
remote-tracking branch, or a commit id; with no revision, the bare repository's ``HEAD``
branch (what ``nextflow run`` takes then), or the legacy clone's checked-out commit. The files
are exported with ``git archive`` — the user's checkout is never touched.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

LOCAL_TIMEOUT = 60.0


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
    """Write the files of ``commit`` into the new directory ``target``."""
    archive = subprocess.run(
        ["git", f"--git-dir={git_dir}", "archive", "--format=tar", commit],
        capture_output=True,
        timeout=LOCAL_TIMEOUT,
        check=True,
    ).stdout
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):  # refuses links and paths out of ``target``
            tar.extractall(target, filter="data")
        else:  # pragma: no cover - Python before 3.10.12
            tar.extractall(target)  # our own archive of a local commit


def _commit(git_dir: Path, name: str) -> str | None:
    return _git(git_dir, "rev-parse", "-q", "--verify", f"{name}^{{commit}}")


def _git(git_dir: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", f"--git-dir={git_dir}", *args],
            capture_output=True,
            text=True,
            timeout=LOCAL_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = result.stdout.strip()
    return out if result.returncode == 0 and out else None
