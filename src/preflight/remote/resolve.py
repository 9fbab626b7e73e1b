"""One remote pipeline at one revision, as a local read-only directory: the order of the reads.

1. ``revisions.json`` in preflight's cache: this revision was resolved before and its checkout
   is complete — no network at all (as ``nextflow run`` keeps running the branch it pulled;
   ``-latest`` skips this step and the next, and asks the Git host again).
2. ``$NXF_ASSETS``: a ``nextflow pull`` checkout that holds the revision — exported, no network.
3. The Git host: list the refs, fetch only the commit (depth 1) into the cache, atomically.

With no ``-r`` the revision is the repository's default branch, unless the ``nextflow.config``
there sets ``manifest.defaultBranch`` — then that branch, as Nextflow picks it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from preflight.errors import InputError
from preflight.pipeline import PipelineSource
from preflight.remote import assets
from preflight.remote.cache import DEFAULT_KEY, CachedRevision, CheckoutCache
from preflight.remote.git import GitTransport, RemoteRefs
from preflight.remote.names import RemoteName, resolve_name
from preflight.remote.scm import load_providers, scm_file

_FULL_COMMIT = re.compile(r"^[0-9a-fA-F]{40}$")
_ANY_COMMIT = re.compile(r"^[0-9a-fA-F]{7,40}$")


@dataclass(frozen=True)
class RemoteRequest:
    """What the user asked for, and where preflight may look."""

    name: str
    revision: str | None
    hub: str | None
    nxf_home: Path
    assets_root: Path
    cache_root: Path
    ca_bundle: Path | None = None
    host_map: Mapping[tuple[str, int], tuple[str, int]] | None = None
    latest: bool = False  # ``-latest``: ask the Git host what the revision names now


@dataclass(frozen=True)
class RemoteCheckout:
    directory: Path
    source: PipelineSource
    main_script: str | None = None


def fetch_pipeline(request: RemoteRequest, environ: Mapping[str, str]) -> RemoteCheckout:
    """The checkout of ``request`` (see the module docstring); :class:`InputError` if none."""
    path, required = scm_file(environ, request.nxf_home)
    providers = load_providers(path, required, environ)
    name = resolve_name(request.name, providers, hub=request.hub, environ=environ)
    reader = _Reader(request, name, environ)
    return reader.read()


class _Reader:
    def __init__(
        self, request: RemoteRequest, name: RemoteName, environ: Mapping[str, str]
    ) -> None:
        self.request = request
        self.name = name
        self.cache = CheckoutCache(request.cache_root)
        self.host = name.host
        self.transport = GitTransport(
            url=name.clone_url,
            repository=name.project,
            credentials=name.provider.credentials(environ),
            ca_bundle=request.ca_bundle,
            host_map=request.host_map,
            ca_dir=request.cache_root / "tls",
            environ=environ,
        )
        self._refs: RemoteRefs | None = None

    def read(self) -> RemoteCheckout:
        key = self.request.revision or DEFAULT_KEY
        if not self.request.latest:
            cached = self.cache.revision(self.host, self.name.project, key)
            if cached is not None:
                return self._checkout(cached, "cache")
            from_assets = self._from_assets(key)
            if from_assets is not None:
                return from_assets
        revision = self._resolve_remote(self.request.revision)
        fetched = self._ensure(revision.commit)
        if self.request.revision is None:
            revision = self._manifest_default(revision)
        self.cache.remember(self.host, self.name.project, key, revision)
        return self._checkout(revision, "fetched" if fetched else "cache")

    def _from_assets(self, key: str) -> RemoteCheckout | None:
        """The revision from a ``nextflow pull`` checkout, copied into the cache; or ``None``."""
        hit = assets.find_revision(
            self.request.assets_root, self.name.project, self.request.revision
        )
        if hit is None:
            return None
        revision = CachedRevision(hit.commit, hit.kind, hit.name)
        if self.cache.checkout(self.host, self.name.project, hit.commit) is None:
            self.cache.install(
                self.host,
                self.name.project,
                hit.commit,
                lambda tmp: assets.export(hit.git_dir, hit.commit, tmp),
            )
        self.cache.remember(self.host, self.name.project, key, revision)
        return self._checkout(revision, "assets")

    def _resolve_remote(self, revision: str | None) -> CachedRevision:
        if revision is not None and _FULL_COMMIT.match(revision):
            return CachedRevision(revision.lower(), "commit", revision.lower())
        refs = self._remote_refs()
        if revision is None:
            branch = refs.default_branch or "master"
            found = refs.commit_of(branch)
            if found is None:
                raise InputError(
                    f"{self.name.project}: the repository has no default branch ({branch})",
                    remedy="name a revision with -r",
                )
            return CachedRevision(found[0], "branch", branch)
        found = refs.commit_of(revision)
        if found is not None:
            return CachedRevision(found[0], found[1], revision)
        if _ANY_COMMIT.match(revision):
            tips = {c for c in refs.refs.values() if c.startswith(revision.lower())}
            if len(tips) == 1:
                return CachedRevision(tips.pop(), "commit", revision)
            remedy = "give the full 40-character commit id"
        else:
            remedy = "name an existing branch, tag or full commit id"
        known = sorted(
            n.rpartition("/")[2] for n in refs.refs if n.startswith(("refs/heads/", "refs/tags/"))
        )
        raise InputError(
            f"{self.name.project}: no revision '{revision}' in {self.name.clone_url}",
            remedy=f"{remedy} (the repository has: {', '.join(known[:12]) or 'none'})",
        )

    def _manifest_default(self, revision: CachedRevision) -> CachedRevision:
        """``manifest.defaultBranch`` of the default branch's config wins over the remote HEAD."""
        directory = self.cache.checkout(self.host, self.name.project, revision.commit)
        wanted = _manifest_default_branch(directory) if directory else None
        if not wanted or wanted == revision.name:
            return revision
        found = self._remote_refs().commit_of(wanted)
        if found is None or found[1] != "branch":
            raise InputError(
                f"{self.name.project}: manifest.defaultBranch names '{wanted}', "
                "which is not a branch of the repository",
                remedy="name a revision with -r, or fix manifest.defaultBranch",
            )
        chosen = CachedRevision(found[0], "branch", wanted)
        self._ensure(chosen.commit)
        return chosen

    def _remote_refs(self) -> RemoteRefs:
        if self._refs is None:
            self._refs = self.transport.ls_remote()
        return self._refs

    def _ensure(self, commit: str) -> bool:
        """Fetch ``commit`` unless the cache has it; whether it was fetched."""
        if self.cache.checkout(self.host, self.name.project, commit) is not None:
            return False
        self.cache.install(
            self.host,
            self.name.project,
            commit,
            lambda tmp: self.transport.fetch_commit(commit, tmp),
        )
        return True

    def _checkout(self, revision: CachedRevision, read_from: str) -> RemoteCheckout:
        directory = self.cache.checkout(self.host, self.name.project, revision.commit)
        assert directory is not None
        source = PipelineSource(
            repository=self.name.project,
            url=self.name.clone_url,
            revision=revision.name,
            commit=revision.commit,
            read_from=read_from,
            provider=self.name.provider.name,
        )
        return RemoteCheckout(directory, source, self.name.main_script)


def _manifest_default_branch(directory: Path) -> str | None:
    config = directory / "nextflow.config"
    if not config.is_file():
        return None
    from preflight.nextflow.config.evaluator import resolve_config
    from preflight.pipeline import PipelineSpec

    try:
        resolved = resolve_config(PipelineSpec(root=directory, launch_dir=directory))
    except InputError:
        return None  # Nextflow reads the manifest leniently too; the checks report the file
    value = resolved.get("manifest.defaultBranch")
    return value if isinstance(value, str) and value else None
