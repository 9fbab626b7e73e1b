"""PIPELINE on the command line: a local directory or script, else a remote pipeline to read.

The CLI's side of :mod:`preflight.remote`: where Nextflow's checkouts are (``$NXF_ASSETS``, else
``$NXF_HOME/assets``), where preflight's cache is (``$PREFLIGHT_CACHE_DIR``, else
``$XDG_CACHE_HOME/preflight``, else ``~/.cache/preflight``), and the trust and host map
(``PREFLIGHT_CA_BUNDLE`` or ``--ca-bundle``, ``PREFLIGHT_CONNECT_TO``) Git calls use.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from preflight.errors import InputError
from preflight.pipeline import PipelineSource


def cache_root(environ: Mapping[str, str]) -> Path:
    """preflight's cache of remote pipelines."""
    if environ.get("PREFLIGHT_CACHE_DIR"):
        return Path(environ["PREFLIGHT_CACHE_DIR"]).expanduser() / "pipelines"
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "preflight" / "pipelines"


def locate_pipeline(
    pipeline: str,
    revision: str | None,
    hub: str | None,
    nxf_home: Path,
    ca_bundle: Path | None,
    environ: Mapping[str, str],
    *,
    latest: bool = False,
) -> tuple[Path, PipelineSource | None]:
    """``(local path, None)`` for a local pipeline; ``(checkout, source)`` for a remote one."""
    from preflight.remote.names import looks_remote

    local = Path(pipeline).expanduser()
    if local.exists() or not looks_remote(pipeline):
        if revision is not None:
            raise InputError(
                f"-r {revision}: a revision cannot be used with the local pipeline {pipeline}",
                remedy="drop -r, or name the remote pipeline (owner/repo or a Git URL)",
            )
        return local, None
    from preflight.net import connect_to
    from preflight.remote.resolve import RemoteRequest, fetch_pipeline

    bundle = ca_bundle or (
        Path(environ["PREFLIGHT_CA_BUNDLE"]) if environ.get("PREFLIGHT_CA_BUNDLE") else None
    )
    assets = Path(environ["NXF_ASSETS"]) if environ.get("NXF_ASSETS") else nxf_home / "assets"
    request = RemoteRequest(
        name=pipeline,
        revision=revision,
        hub=hub,
        nxf_home=nxf_home,
        assets_root=assets,
        cache_root=cache_root(environ),
        ca_bundle=bundle,
        host_map=connect_to.parse(environ.get(connect_to.ENV_VAR, "")),
        latest=latest,
    )
    checkout = fetch_pipeline(request, environ)
    path = checkout.directory
    if checkout.main_script:
        path = path / checkout.main_script
    return path, checkout.source
