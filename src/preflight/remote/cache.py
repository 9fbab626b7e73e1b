"""preflight's own cache of remote pipelines: one read-only checkout per commit.

Layout under the cache root: ``<host>/<owner>/<repo>/<commit>/`` holds the files at that commit;
``<host>/<owner>/<repo>/revisions.json`` remembers which commit each revision named (a tag, a
branch, the default) so a second check of the same revision needs no network — as
``nextflow run`` keeps running the branch it pulled until told to pull again.

Writes are atomic: a checkout is filled in a temporary directory beside its place and renamed
into place only when complete, and ``revisions.json`` is replaced only after that. An
interrupted fetch leaves a temporary directory no lookup trusts; the next install removes those
whose process is gone.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from preflight.errors import InputError

REVISIONS_FILE = "revisions.json"
DEFAULT_KEY = ""  # the revision key of "no -r": the default branch
_TMP_PREFIX = ".tmp-"


@dataclass(frozen=True)
class CachedRevision:
    commit: str
    kind: str  # "branch" | "tag" | "commit"
    name: str  # the branch, tag or commit it was resolved from (the default branch for "")


class CheckoutCache:
    """Checkouts keyed by commit, and the revisions that named them, under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def repository_dir(self, host: str, project: str) -> Path:
        return self.root / host.lower() / project

    def checkout(self, host: str, project: str, commit: str) -> Path | None:
        """The complete checkout of ``commit``, or ``None``."""
        path = self.repository_dir(host, project) / commit
        return path if path.is_dir() else None

    def install(self, host: str, project: str, commit: str, fill: Callable[[Path], None]) -> Path:
        """Create the checkout of ``commit`` with ``fill(tmp_dir)``, then rename it into place."""
        parent = self.repository_dir(host, project)
        final = parent / commit
        parent.mkdir(parents=True, exist_ok=True)
        self._remove_abandoned(parent)
        tmp = parent / f"{_TMP_PREFIX}{commit}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            fill(tmp)
            try:
                os.rename(tmp, final)
            except OSError:
                if not final.is_dir():  # not another process winning the race: a real failure
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return final

    def revision(self, host: str, project: str, key: str) -> CachedRevision | None:
        """What ``key`` (a revision as the user gave it, ``""`` for none) resolved to before."""
        entry = self._revisions(host, project).get(key)
        if not isinstance(entry, dict):
            return None
        try:
            found = CachedRevision(str(entry["commit"]), str(entry["kind"]), str(entry["name"]))
        except KeyError:
            return None
        return found if self.checkout(host, project, found.commit) else None

    def remember(self, host: str, project: str, key: str, revision: CachedRevision) -> None:
        """Record that ``key`` names ``revision`` (after its checkout is in place)."""
        revisions = self._revisions(host, project)
        revisions[key] = {"commit": revision.commit, "kind": revision.kind, "name": revision.name}
        path = self.repository_dir(host, project) / REVISIONS_FILE
        tmp = path.with_name(f"{_TMP_PREFIX}{REVISIONS_FILE}-{os.getpid()}")
        tmp.write_text(json.dumps(revisions, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    def _revisions(self, host: str, project: str) -> dict[str, object]:
        path = self.repository_dir(host, project) / REVISIONS_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise InputError(
                f"{path}: unreadable cache file ({exc})",
                remedy=f"remove {path.parent} and check again",
            ) from exc
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _remove_abandoned(parent: Path) -> None:
        for entry in parent.glob(f"{_TMP_PREFIX}*"):
            pid = entry.name[len(_TMP_PREFIX) :].split("-")
            if len(pid) >= 2 and pid[1].isdigit() and not _alive(int(pid[1])):
                shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
