"""Pushing tiny, real images into a registry over the distribution HTTP API.

Each image is one gzipped tar layer (a single small file whose content names the image, so every
image has its own digest) plus an image config, under an OCI image manifest or a Docker v2
manifest. Blobs go up as ``POST /v2/R/blobs/uploads/`` then ``PUT <Location>&digest=…`` — the
upload URL's own query (``_state``) must be kept, hence ``copy_merge_params`` rather than
``params=``, which would replace it. The caller gives an ``httpx.Client`` already pointed at the
registry and carrying a token with ``pull,push`` on the repository.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from typing import Any

import httpx

from preflight.errors import RegistryError

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_ACCEPT = ", ".join([OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST])

_CONFIG_TYPE = {
    OCI_MANIFEST: "application/vnd.oci.image.config.v1+json",
    DOCKER_MANIFEST: "application/vnd.docker.container.image.v1+json",
}
_LAYER_TYPE = {
    OCI_MANIFEST: "application/vnd.oci.image.layer.v1.tar+gzip",
    DOCKER_MANIFEST: "application/vnd.docker.image.rootfs.diff.tar.gzip",
}


@dataclass(frozen=True)
class PushedImage:
    repository: str
    tag: str
    media_type: str
    digest: str  # of the manifest


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _layer(content: bytes) -> tuple[bytes, bytes]:
    """A deterministic one-file tar (uncompressed, gzipped)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        info = tarfile.TarInfo("image.txt")
        info.size = len(content)
        info.mtime = 0
        archive.addfile(info, io.BytesIO(content))
    tar = raw.getvalue()
    return tar, gzip.compress(tar, mtime=0)


def image_parts(repository: str, tag: str, media_type: str) -> tuple[bytes, bytes, bytes]:
    """The config blob, the layer blob and the manifest of one seeded image."""
    if media_type not in _CONFIG_TYPE:
        raise ValueError(f"cannot build an image with manifest type {media_type!r}")
    tar, layer = _layer(f"preflight sandbox image {repository}:{tag}\n".encode())
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Labels": {"org.opencontainers.image.title": f"{repository}:{tag}"}},
            "rootfs": {"type": "layers", "diff_ids": [_digest(tar)]},
        },
        sort_keys=True,
    ).encode()
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": {
            "mediaType": _CONFIG_TYPE[media_type],
            "size": len(config),
            "digest": _digest(config),
        },
        "layers": [
            {"mediaType": _LAYER_TYPE[media_type], "size": len(layer), "digest": _digest(layer)}
        ],
    }
    return config, layer, json.dumps(manifest, indent=2).encode()


def _check(response: httpx.Response, expected: int, step: str) -> None:
    if response.status_code != expected:
        raise RegistryError(
            f"{step} answered HTTP {response.status_code}: {response.text[:300]}",
            where=str(response.request.url),
            remedy="look at the sandbox registry's log; the seed push must succeed",
        )


def upload_blob(client: httpx.Client, repository: str, blob: bytes) -> str:
    """Upload ``blob`` (a blob the repository already holds is simply stored again)."""
    digest = _digest(blob)
    started = client.post(f"/v2/{repository}/blobs/uploads/")
    _check(started, 202, "starting a blob upload")
    location = httpx.URL(started.headers["Location"]).copy_merge_params({"digest": digest})
    finished = client.put(
        location, content=blob, headers={"Content-Type": "application/octet-stream"}
    )
    _check(finished, 201, "finishing a blob upload")
    return digest


def push_image(
    client: httpx.Client, repository: str, tag: str, media_type: str = OCI_MANIFEST
) -> PushedImage:
    """Push one tiny image as ``repository:tag``; returns the manifest digest."""
    config, layer, manifest = image_parts(repository, tag, media_type)
    upload_blob(client, repository, config)
    upload_blob(client, repository, layer)
    response = client.put(
        f"/v2/{repository}/manifests/{tag}",
        content=manifest,
        headers={"Content-Type": media_type},
    )
    _check(response, 201, f"pushing the manifest {repository}:{tag}")
    return PushedImage(repository, tag, media_type, _digest(manifest))
