"""The sandbox's Git host: ``github.com`` over HTTPS, speaking Git's real smart-HTTP protocol.

Requests are handed to ``git http-backend`` (the CGI program Git ships for exactly this) with
the repository root the host built at start-up, so every client — the ``git`` program, jgit,
dulwich — meets the protocol (v0 and v2, shallow fetches, fetch by commit) of a real server.
Pushes are refused: the host is read-only.

What it holds (:data:`DEFAULT_REPOSITORIES`): ``acme/demo-pipeline`` with tags ``v1.0`` (Wave
not enabled) and ``v1.1`` (Wave enabled) and a default branch ``main``; and the private
``acme/private-pipeline``, served only with the seeded token. Commits carry fixed authors and
dates, so their ids are the same on every start.

Authentication is GitHub's: HTTP Basic where either the user name or the password is the
token (``TOKEN:x-oauth-basic`` is what Nextflow sends). A private or unknown repository asked
for without credentials answers ``401``, so the two cannot be told apart (as on GitHub); an
unknown one with valid credentials answers ``404``. Every request is recorded (method, path,
service, whether it carried valid credentials — never the credentials themselves).
"""

from __future__ import annotations

import base64
import hmac
import os
import re
import secrets
import shutil
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from preflight.sandbox.http import Request, Response

HOST = "github.com"
BACKEND_TIMEOUT = 60.0
_PATH = re.compile(
    r"^/(?P<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\.git)?"
    r"/(?P<rest>info/refs|git-upload-pack|git-receive-pack|HEAD|objects/.+)$"
)
# Fixed identity and clock for the seeded commits: the same commit ids on every start.
_COMMIT_ENV = {
    "GIT_AUTHOR_NAME": "Acme Pipelines",
    "GIT_AUTHOR_EMAIL": "pipelines@acme.example",
    "GIT_COMMITTER_NAME": "Acme Pipelines",
    "GIT_COMMITTER_EMAIL": "pipelines@acme.example",
}


@dataclass(frozen=True)
class RevisionSeed:
    """One commit: the files of ``overlay`` (a folder of ``sandbox/data/git``) over the last.

    ``tag`` names it with an annotated tag; the branch ``main`` ends at the last commit.
    """

    overlay: str
    message: str
    tag: str | None = None


@dataclass(frozen=True)
class RepositorySeed:
    name: str  # owner/repo
    base: str  # a folder of sandbox/data (the first commit's files)
    revisions: tuple[RevisionSeed, ...]
    private: bool = False
    default_branch: str = "main"

    @property
    def revision_names(self) -> list[str]:
        return [r.tag for r in self.revisions if r.tag] + [self.default_branch]


DEFAULT_REPOSITORIES: tuple[RepositorySeed, ...] = (
    RepositorySeed(
        name="acme/demo-pipeline",
        base="demo-pipeline",
        revisions=(
            RevisionSeed("demo-v1.0", "Demo pipeline, images on a private ACR", tag="v1.0"),
            RevisionSeed("demo-v1.1", "Enable Wave", tag="v1.1"),
            RevisionSeed("demo-main", "Describe the pipeline in its manifest"),
        ),
    ),
    RepositorySeed(
        name="acme/private-pipeline",
        base="demo-pipeline",
        revisions=(RevisionSeed("private-main", "Private pipeline, Wave enabled"),),
        private=True,
    ),
)


@dataclass(frozen=True)
class GitRequestRecord:
    """One request the Git host received (no credentials, ever)."""

    method: str
    repository: str
    path: str
    service: str
    authenticated: bool


class GitHost:
    """The ``Handler`` serving the seeded repositories under ``root`` via ``git http-backend``.

    The repositories must already be there (:func:`build_repositories`; the sandbox builds them
    while its registries start).
    """

    def __init__(
        self,
        root: Path,
        repositories: Sequence[RepositorySeed] = DEFAULT_REPOSITORIES,
        token: str | None = None,
    ) -> None:
        self.root = root
        self.repositories = {r.name: r for r in repositories}
        self.token = token or "ghp_" + secrets.token_urlsafe(27)
        self._records: list[GitRequestRecord] = []
        self._lock = threading.Lock()
        self._backend = _backend_program()

    # ---- records -------------------------------------------------------------------------

    def requests(self) -> list[GitRequestRecord]:
        """Every request received since the last :meth:`clear_records`."""
        with self._lock:
            return list(self._records)

    def clear_records(self) -> None:
        with self._lock:
            self._records.clear()

    def describe(self) -> dict[str, object]:
        """The ``git`` entry of ``sandbox up --json``."""
        return {
            "host": HOST,
            "repositories": [
                {"name": r.name, "revisions": r.revision_names, "private": r.private}
                for r in self.repositories.values()
            ],
            "token": self.token,
        }

    # ---- serving -------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        match = _PATH.match(request.path)
        if match is None:
            return _plain(404, "Not Found")
        name, rest = match["repo"], match["rest"]
        service = request.arg("service") or (rest if rest.startswith("git-") else "")
        authenticated = self._authenticated(request)
        with self._lock:
            self._records.append(
                GitRequestRecord(request.method, name, request.path, service, authenticated)
            )
        seed = self.repositories.get(name)
        if (seed is None or seed.private) and not authenticated:
            return _plain(
                401,
                "Authentication required",
                [("WWW-Authenticate", 'Basic realm="GitHub"')],
            )
        if seed is None:
            return _plain(404, "Repository not found.")
        if service == "git-receive-pack":
            return _plain(403, "This sandbox host is read-only.")
        if rest not in ("info/refs", "git-upload-pack"):
            return _plain(404, "Not Found")  # the dumb protocol is not served
        return self._backend_call(request, f"/{name}.git/{rest}")

    def _authenticated(self, request: Request) -> bool:
        header = request.header("Authorization") or ""
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        token = self.token.encode()
        return hmac.compare_digest(user.encode(), token) or hmac.compare_digest(
            password.encode(), token
        )

    def _backend_call(self, request: Request, path_info: str) -> Response:
        query = "&".join(f"{k}={v}" for k, values in request.query.items() for v in values)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "HOME": str(self.root),
            "REQUEST_METHOD": request.method,
            "PATH_INFO": path_info,
            "QUERY_STRING": query,
            "CONTENT_TYPE": request.header("Content-Type") or "",
            "CONTENT_LENGTH": str(len(request.body)),
            "REMOTE_ADDR": "127.0.0.1",
        }
        encoding = request.header("Content-Encoding")
        if encoding:
            env["HTTP_CONTENT_ENCODING"] = encoding
        protocol = request.header("Git-Protocol")
        if protocol:
            env["GIT_PROTOCOL"] = protocol
        result = subprocess.run(
            [self._backend],
            input=request.body,
            env=env,
            capture_output=True,
            timeout=BACKEND_TIMEOUT,
            check=False,
        )
        return _cgi_response(result.stdout, result.stderr)


def _cgi_response(output: bytes, errors: bytes) -> Response:
    head, sep, body = output.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = output.partition(b"\n\n")
    if not sep:
        return _plain(500, "git http-backend: " + errors.decode("utf-8", "replace")[:500])
    status = 200
    headers: list[tuple[str, str]] = []
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.strip().split()[0])
        elif name:
            headers.append((name.strip(), value.strip()))
    return Response(status, headers, body)


def _plain(status: int, text: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(
        status, [("Content-Type", "text/plain; charset=utf-8"), *(headers or [])], text.encode()
    )


def _backend_program() -> str:
    exec_path = subprocess.run(
        ["git", "--exec-path"], capture_output=True, text=True, check=True, timeout=10
    ).stdout.strip()
    return str(Path(exec_path) / "git-http-backend")


# ---- building the repositories ---------------------------------------------------------------


def build_repositories(root: Path, repositories: Sequence[RepositorySeed]) -> None:
    """Create one bare repository per seed under ``root`` (``owner/repo.git``)."""
    data = resources.files("preflight.sandbox") / "data"
    with resources.as_file(data) as data_dir:
        for seed in repositories:
            _build_one(root, seed, Path(data_dir))


def _build_one(root: Path, seed: RepositorySeed, data: Path) -> None:
    work = root / ".build" / seed.name
    bare = root / f"{seed.name}.git"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(data / seed.base, work)
    env = {
        **_COMMIT_ENV,
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=work, env=env, check=True, capture_output=True)

    git("init", "-q", "-b", seed.default_branch)
    for number, revision in enumerate(seed.revisions, start=1):
        shutil.copytree(data / "git" / revision.overlay, work, dirs_exist_ok=True)
        stamp = f"2026-01-{number:02d}T12:00:00Z"
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = stamp
        git("add", "-A")
        git("commit", "-q", "-m", revision.message)
        if revision.tag:
            git("tag", "-a", revision.tag, "-m", f"Release {revision.tag}")
    shutil.rmtree(bare, ignore_errors=True)
    bare.parent.mkdir(parents=True, exist_ok=True)
    git("clone", "-q", "--bare", str(work), str(bare))
    subprocess.run(
        ["git", "config", "uploadpack.allowReachableSHA1InWant", "true"],
        cwd=bare,
        env=env,
        check=True,
        capture_output=True,
    )
    shutil.rmtree(work)
