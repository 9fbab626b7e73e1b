"""What ``nextflow run`` accepts as a pipeline name, turned into a provider and a repository.

Nextflow's rules (``AssetManager.resolveName``): a name starting ``http://``, ``https://`` or
``file:/`` is a Git URL, whose host picks the provider by domain; ``owner/repo`` is a project on
the hub (``-hub``, else ``$NXF_HUB``, else ``github``); ``owner/repo/sub/main.nf`` also names the
main script; a bare ``repo`` belongs to ``$NXF_ORG`` (default ``nextflow-io``). A URL wins over
``-hub``. Local paths (``./x``, ``/x``) are not remote names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from preflight.errors import InputError
from preflight.remote.scm import ProviderConfig

DEFAULT_ORGANIZATION = "nextflow-io"
DEFAULT_HUB = "github"
_SEGMENT = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class RemoteName:
    """A pipeline as Nextflow names it: ``project`` (``owner/repo``) on ``provider``."""

    project: str
    provider: ProviderConfig
    main_script: str | None = None

    @property
    def clone_url(self) -> str:
        """The HTTPS URL Git fetches from (without credentials, ever)."""
        server = self.provider.server
        if self.provider.platform == "azurerepos":
            parts = self.project.split("/")
            org, project = parts[0], parts[1]
            repo = parts[-1] if len(parts) > 2 else project
            return f"{server}/{org}/{project}/_git/{repo}"
        return f"{server}/{self.project}.git"

    @property
    def host(self) -> str:
        return urlsplit(self.provider.server).hostname or ""


def looks_remote(name: str) -> bool:
    """Whether ``name`` can only be a remote pipeline (``owner/repo`` or a URL)."""
    if name.startswith(("http://", "https://", "file:/")):
        return True
    if name.startswith(("./", "../", "/", "~")) or name in (".", ".."):
        return False
    parts = name.split("/")
    return len(parts) >= 2 and all(_SEGMENT.match(p) for p in parts)


def resolve_name(
    name: str,
    providers: Mapping[str, ProviderConfig],
    *,
    hub: str | None,
    environ: Mapping[str, str],
) -> RemoteName:
    """Apply Nextflow's naming rules; raise :class:`InputError` (exit 2) on a name it refuses."""
    if name.startswith(("http://", "https://", "file:/")):
        return _from_url(name, providers)
    if name.startswith(("./", "../", "/")):
        raise InputError(f"{name}: not a valid project name", remedy="name owner/repo or a URL")
    main_script: str | None = None
    parts = name.split("/")
    if parts[-1].endswith(".nf") and len(parts) > 2:
        main_script = "/".join(parts[2:])
        parts = parts[:2]
    if len(parts) == 1:
        parts = [environ.get("NXF_ORG") or DEFAULT_ORGANIZATION, parts[0]]
    if len(parts) != 2 or not all(_SEGMENT.match(p) for p in parts):
        raise InputError(
            f"{name}: not a valid project name",
            remedy="name the pipeline as owner/repo (e.g. nf-core/rnaseq) or a Git URL",
        )
    hub_name = hub or environ.get("NXF_HUB") or DEFAULT_HUB
    provider = providers.get(hub_name)
    if provider is None:
        known = ", ".join(sorted(providers))
        raise InputError(
            f"unknown repository provider '{hub_name}' for {name}",
            remedy=f"choose -hub among {known}, or add providers.{hub_name} to the scm file",
        )
    return RemoteName("/".join(parts), provider, main_script)


def _from_url(url: str, providers: Mapping[str, ProviderConfig]) -> RemoteName:
    if url.endswith(".nf"):
        raise InputError(
            f"{url}: a repository URL must not end with a script file (.nf)",
            remedy="give the repository URL, and the script with -main-script",
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"{url}: only http(s) Git URLs are supported",
            remedy="give the repository's https URL, or check it out and name the directory",
        )
    domain = parts.hostname.lower()
    provider = next((p for p in providers.values() if p.domain == domain), None)
    if provider is None:
        raise InputError(
            f"unable to find a Git provider config for {url}",
            remedy=f"add a provider with server = 'https://{domain}' to the scm file "
            "($NXF_HOME/scm)",
        )
    path = parts.path
    prefix = urlsplit(provider.server).path.rstrip("/")
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix) :]
    path = path.strip("/")
    if path.endswith(".git"):
        path = path[: -len(".git")]
    if provider.platform == "azurerepos":
        path = path.replace("/_git/", "/")
    segments = [s for s in path.split("/") if s]
    if len(segments) < 2:
        raise InputError(f"{url}: no owner/repository in the URL", remedy="check the URL")
    return RemoteName("/".join(segments), provider)
