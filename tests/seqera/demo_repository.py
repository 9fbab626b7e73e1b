"""A real Git repository of the demo pipeline, with the revisions the Launchpad seed names.

``v1.0`` (Wave not enabled in its ``nextflow.config``), ``v1.1`` (Wave enabled) and a default
branch ``main`` at ``v1.1``; built with ``git`` from ``fixtures/seqera/demo-pipeline``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "seqera" / "demo-pipeline"


def _git(*args: str, cwd: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(cwd),
        "GIT_AUTHOR_NAME": "demo",
        "GIT_AUTHOR_EMAIL": "demo@example.org",
        "GIT_COMMITTER_NAME": "demo",
        "GIT_COMMITTER_EMAIL": "demo@example.org",
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def make_demo_repository(where: Path) -> Path:
    """A repository at ``where`` (created) with tags ``v1.0``, ``v1.1`` and branch ``main``."""
    where.mkdir(parents=True)
    _git("init", "-q", "-b", "main", cwd=where)
    shutil.copy(FIXTURE / "main.nf", where / "main.nf")
    for tag in ("v1.0", "v1.1"):
        shutil.copy(FIXTURE / f"nextflow.{tag}.config", where / "nextflow.config")
        _git("add", "-A", cwd=where)
        _git("commit", "-q", "-m", f"release {tag}", cwd=where)
        _git("tag", tag, cwd=where)
    return where
