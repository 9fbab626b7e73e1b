"""The files a Platform launch runs: its repository at its revision, as a local directory.

A launch names a repository URL and a revision. A local repository (a directory, or a
``file:`` URL) is read with ``git`` at that revision into a fresh directory — the working tree
the user may have open is never what is checked, nor touched. Hosted repositories (``https://``)
are read by preflight's remote-pipeline reader; :func:`read_repository` is the one seam where it
plugs in (``remote`` argument).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

from preflight.errors import InputError

# (repository URL, revision or None) -> the directory holding that revision's files
RemoteReader = Callable[[str, str | None], Path]
GIT_TIMEOUT_S = 60


def read_repository(
    repository: str, revision: str | None, remote: RemoteReader | None = None
) -> Path:
    """The directory with ``repository``'s files at ``revision`` (default branch when ``None``)."""
    local = _local_path(repository)
    if local is None:
        if remote is None:
            raise InputError(
                f"the launch runs {repository}, a hosted repository this preflight cannot read",
                where="the launch's pipeline repository",
                remedy="check the repository out and run preflight check on that directory at "
                "the launch's revision",
            )
        return remote(repository, revision)
    if not local.is_dir():
        raise InputError(
            f"the launch's repository {repository} is no directory on this machine",
            where="the launch's pipeline repository",
            remedy="check the Launchpad pipeline's repository URL",
        )
    if not (local / ".git").exists() and not (local / "HEAD").is_file():
        if revision:
            raise InputError(
                f"the launch asks for revision {revision} of {repository}, which is not a Git "
                "repository",
                where="the launch's revision",
                remedy="drop the revision, or point the pipeline at a Git repository",
            )
        return local
    return _export(local, revision)


def _local_path(repository: str) -> Path | None:
    if repository.startswith("file:"):
        return Path(unquote(urlparse(repository).path))
    if "://" in repository:
        return None
    path = Path(repository).expanduser()
    return path if path.is_absolute() else None


def _export(repository: Path, revision: str | None) -> Path:
    """A shallow clone of ``revision`` into a new temporary directory (the caller's to drop)."""
    target = Path(tempfile.mkdtemp(prefix="preflight-launch-"))
    command = ["git", "clone", "-q", "--depth", "1", "--no-tags"]
    if revision:
        command += ["--branch", revision]
    command += [repository.as_uri(), str(target / "repo")]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=GIT_TIMEOUT_S)
    except FileNotFoundError:
        raise InputError(
            "git is not installed: it is needed to read the launch's repository",
            remedy="install git",
        ) from None
    except subprocess.CalledProcessError as exc:
        reason = (exc.stderr or "").strip().splitlines()[-1:] or ["git failed"]
        raise InputError(
            f"cannot read revision {revision or '(default branch)'} of {repository}: {reason[0]}",
            where="the launch's revision",
            remedy="check that the revision (a branch or tag) exists in the repository",
        ) from None
    except subprocess.TimeoutExpired:
        raise InputError(
            f"reading {repository} took longer than {GIT_TIMEOUT_S} s", remedy="try again"
        ) from None
    return target / "repo"
