"""Speak Git through the ``git`` program: list a repository's refs, fetch one commit shallowly.

Why the ``git`` program: it is the reference client of the smart-HTTP protocol (v2, shallow,
fetch by commit), it is on most head-job images and CI runners, and it needs no dependency.
Every call is isolated from the user's Git configuration (``GIT_CONFIG_GLOBAL``/``NOSYSTEM``,
like Nextflow's jgit, which reads none of it) and never prompts (``GIT_TERMINAL_PROMPT=0``).

Per call, never globally: the CA bundle (``http.sslCAInfo``, the system roots plus the user's
extra CAs), the host map (through :class:`~preflight.remote.tunnel.ConnectTunnel`), and the
credentials. Those reach ``git`` through a credential helper written on the command line that
only echoes two environment variables of the child process: the secret is in no argument
``ps`` shows, in no remote URL and in no ``.git/config`` (fetches name the URL, never a
remote). What ``git`` prints is redacted before it is shown.
"""

from __future__ import annotations

import os
import ssl
import subprocess
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from preflight.errors import InputError
from preflight.remote.scm import GitCredentials
from preflight.remote.tunnel import ConnectTunnel
from preflight.secret import redact

GIT_TIMEOUT = 120.0
_USER_VAR = "PREFLIGHT_GIT_USERNAME"
_PASSWORD_VAR = "PREFLIGHT_GIT_PASSWORD"
_HELPER = (
    f'!f() {{ test "$1" = get && printf "username=%s\\npassword=%s\\n" '
    f'"${_USER_VAR}" "${_PASSWORD_VAR}"; }}; f'
)


class GitError(InputError):
    """A Git operation failed; the message names the repository and what to do."""


@dataclass(frozen=True)
class RemoteRefs:
    """A repository's refs: ``name → commit`` (tags peeled), and the default branch."""

    refs: Mapping[str, str]
    default_branch: str | None

    def commit_of(self, revision: str) -> tuple[str, str] | None:
        """``(commit, kind)`` for a branch or tag name, else ``None``."""
        for kind, prefix in (("branch", "refs/heads/"), ("tag", "refs/tags/")):
            commit = self.refs.get(prefix + revision)
            if commit:
                return commit, kind
        return None


@dataclass(frozen=True)
class GitTransport:
    """How to reach one repository: its URL, credentials, trust and host map."""

    url: str
    repository: str  # owner/repo, for messages
    credentials: GitCredentials | None = None
    ca_bundle: Path | None = None
    host_map: Mapping[tuple[str, int], tuple[str, int]] | None = None
    ca_dir: Path | None = None  # where the merged CA file is written (public data only)
    environ: Mapping[str, str] = field(default_factory=dict)  # PATH and proxies for git

    def ls_remote(self) -> RemoteRefs:
        """Every branch and tag, and the default branch (``HEAD``'s target)."""
        out = self._git(["ls-remote", "--symref", self.url], cwd=None)
        refs: dict[str, str] = {}
        default: str | None = None
        for line in out.splitlines():
            if line.startswith("ref: "):
                target, _, name = line[5:].partition("\t")
                if name == "HEAD" and target.startswith("refs/heads/"):
                    default = target[len("refs/heads/") :]
                continue
            commit, _, name = line.partition("\t")
            if name.endswith("^{}"):
                refs[name[:-3]] = commit  # an annotated tag: the commit it points at wins
            else:
                refs.setdefault(name, commit)
        return RemoteRefs(refs, default)

    def fetch_commit(self, commit: str, directory: Path) -> None:
        """Fetch ``commit`` alone (depth 1) into a new repository at ``directory``, checked out."""
        directory.mkdir(parents=True)
        self._git(["init", "-q"], cwd=directory)
        self._git(["fetch", "-q", "--depth=1", "--no-tags", self.url, commit], cwd=directory)
        self._git(["-c", "advice.detachedHead=false", "checkout", "-q", commit], cwd=directory)

    # ---- running git ---------------------------------------------------------------------

    def _git(self, args: Sequence[str], cwd: Path | None) -> str:
        with ExitStack() as stack:
            options = [
                "-c",
                "credential.helper=",
                "-c",
                "core.askPass=",
                "-c",
                "protocol.version=2",
            ]
            env = _base_env(self.environ)
            host = urlsplit(self.url)
            key = ((host.hostname or "").lower(), host.port or 443)
            if self.host_map and key in self.host_map:
                tunnel = stack.enter_context(ConnectTunnel({key: self.host_map[key]}))
                base = f"{host.scheme}://{host.netloc}/"
                options += ["-c", f"http.{base}.proxy={tunnel.url}"]
                for name in ("no_proxy", "NO_PROXY"):
                    env.pop(name, None)
            if self.ca_bundle is not None:
                options += ["-c", f"http.sslCAInfo={self._merged_ca()}"]
            if self.credentials is not None:
                options += ["-c", f"credential.helper={_HELPER}"]
                env[_USER_VAR] = self.credentials.username.reveal()
                env[_PASSWORD_VAR] = self.credentials.password.reveal()
            try:
                result = subprocess.run(
                    ["git", *options, *args],
                    cwd=cwd,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=GIT_TIMEOUT,
                    check=False,
                )
            except FileNotFoundError as exc:
                raise GitError(
                    "the git program is needed to read a remote pipeline and is not installed",
                    remedy="install git (e.g. apt-get install git), or check the pipeline out "
                    "and name its directory",
                ) from exc
            except subprocess.TimeoutExpired as exc:
                raise GitError(
                    f"{self.repository}: {self.url} did not answer within {GIT_TIMEOUT:.0f} s",
                    remedy="check the network, or retry later",
                ) from exc
            if result.returncode != 0:
                raise self._failure(args[0], result.stderr)
            return result.stdout

    def _merged_ca(self) -> Path:
        """The system roots plus the user's CA bundle, in one file (``sslCAInfo`` replaces)."""
        assert self.ca_bundle is not None
        try:
            extra = self.ca_bundle.read_bytes()
        except OSError as exc:
            raise InputError(
                f"cannot read the CA bundle {self.ca_bundle}: {exc}",
                remedy="point PREFLIGHT_CA_BUNDLE (or --ca-bundle) at a readable PEM file",
            ) from exc
        system = ssl.get_default_verify_paths().cafile
        roots = Path(system).read_bytes() if system and Path(system).is_file() else b""
        directory = self.ca_dir or self.ca_bundle.parent
        directory.mkdir(parents=True, exist_ok=True)
        import hashlib

        merged = directory / f"ca-{hashlib.sha256(roots + extra).hexdigest()[:16]}.pem"
        if not merged.is_file():
            tmp = merged.with_suffix(f".tmp{os.getpid()}")
            tmp.write_bytes(roots + b"\n" + extra)
            os.replace(tmp, merged)
        return merged

    def _failure(self, step: str, stderr: str) -> GitError:
        secrets = [self.credentials.username, self.credentials.password] if self.credentials else []
        text = redact(stderr, secrets).strip()
        lowered = text.lower()
        detail = next((ln for ln in text.splitlines() if ln.startswith("fatal:")), text)[:300]
        where = f"{self.repository} ({self.url})"
        if "terminal prompts disabled" in lowered or "authentication failed" in lowered:
            if self.credentials is None:
                return GitError(
                    f"{where}: the repository does not exist, or it is private and no "
                    "credentials were given",
                    remedy="check the name; for a private repository set GITHUB_TOKEN (GitHub) "
                    "or the provider's user/password/token in $NXF_HOME/scm",
                )
            return GitError(
                f"{where}: the credentials from {self.credentials.origin} were refused",
                remedy="check that the token is valid and may read this repository",
            )
        if "not found" in lowered and "repository" in lowered:
            return GitError(
                f"{where}: no such repository", remedy="check the owner/repository name"
            )
        if "ssl certificate" in lowered or "certificate verify" in lowered:
            return GitError(
                f"{where}: the server's TLS certificate is not trusted ({detail})",
                remedy="add its CA to PREFLIGHT_CA_BUNDLE (or --ca-bundle)",
            )
        if any(
            s in lowered
            for s in (
                "could not resolve",
                "failed to connect",
                "connection refused",
                "timed out",
                "connect tunnel failed",  # the host map's address does not answer
            )
        ):
            return GitError(
                f"{where}: the Git host cannot be reached ({detail})",
                remedy="check the network and the host name, or the provider's server in the "
                "scm file",
            )
        if step == "fetch" and ("not our ref" in lowered or "couldn't find remote ref" in lowered):
            return GitError(
                f"{where}: no commit {detail} in the repository",
                remedy="check the revision (-r): a branch, a tag or a full commit id",
            )
        return GitError(f"{where}: git {step} failed: {detail}", remedy="check the repository")


_KEPT = ("PATH", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY")


def _base_env(environ: Mapping[str, str]) -> dict[str, str]:
    """Only what git needs from the caller's environment: the program path and proxies."""
    env = {k: environ[k] for k in _KEPT if k in environ}
    env.setdefault("PATH", os.defpath)
    env.update(
        {
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_ASKPASS": "",
            "SSH_ASKPASS": "",
            "LC_ALL": "C",
            "HOME": os.devnull,
        }
    )
    return env
