"""An independent client, skopeo, pulls through the ACR front door with a token's credentials.

skopeo speaks the registry protocol on its own terms (GET /oauth2/token with Basic and
``account=``), so its success and its error messages prove the emulator is faithful, not just
consistent with our own client.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from preflight.net.tls import ssl_context
from preflight.sandbox.runtime import Sandbox

LOGIN = "sandboxacr.azurecr.io"
TOKEN = "pipeline-reader"

pytestmark = pytest.mark.sandbox


@pytest.fixture
def cert_dir(sandbox: Sandbox, tmp_path: Path) -> Path:
    """A directory holding only ``ca.crt`` (skopeo treats any ``*.key`` as a client key)."""
    directory = tmp_path / "certs"
    directory.mkdir()
    shutil.copy(sandbox.ca_bundle, directory / "ca.crt")
    return directory


def skopeo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["skopeo", *args], capture_output=True, text=True, timeout=60, check=False
    )


def creds(sandbox: Sandbox, password: str | None = None) -> str:
    return f"{TOKEN}:{password or sandbox.password(LOGIN, TOKEN)}"


@pytest.mark.parametrize(
    ("reference", "media_type"),
    [
        ("team/app:1.0", "application/vnd.oci.image.manifest.v1+json"),
        ("team/tool:2.1", "application/vnd.docker.distribution.manifest.v2+json"),
    ],
)
def test_inspect_succeeds_with_the_tokens_credentials(
    sandbox_env: Sandbox, cert_dir: Path, reference: str, media_type: str
) -> None:
    address = sandbox_env.address(LOGIN)
    result = skopeo(
        "inspect",
        "--raw",
        "--creds",
        creds(sandbox_env),
        "--cert-dir",
        str(cert_dir),
        f"docker://{address}/{reference}",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["mediaType"] == media_type
    records = sandbox_env.acr_requests(LOGIN)
    assert records and all(r.had_basic_auth and r.username == TOKEN for r in records)


def test_copy_to_a_directory_fetches_manifest_config_and_layer(
    sandbox_env: Sandbox, cert_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "image"
    result = skopeo(
        "copy",
        "--src-creds",
        creds(sandbox_env),
        "--src-cert-dir",
        str(cert_dir),
        f"docker://{sandbox_env.address(LOGIN)}/team/app:1.1",
        f"dir:{target}",
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((target / "manifest.json").read_text())
    blobs = [manifest["config"]["digest"], *(layer["digest"] for layer in manifest["layers"])]
    for digest in blobs:
        assert (target / digest.split(":", 1)[1]).is_file()


@pytest.mark.parametrize(
    ("reference", "password", "message"),
    [
        ("team/app:1.0", "not-the-password", "invalid username/password"),
        ("shared/base:latest", None, "requested access to the resource is denied"),
        ("team/app:9.9", None, "manifest unknown"),
    ],
    ids=["wrong-password", "repository-outside-scope-map", "missing-tag"],
)
def test_inspect_fails_with_skopeos_own_message(
    sandbox_env: Sandbox, cert_dir: Path, reference: str, password: str | None, message: str
) -> None:
    result = skopeo(
        "inspect",
        "--raw",
        "--creds",
        creds(sandbox_env, password),
        "--cert-dir",
        str(cert_dir),
        f"docker://{sandbox_env.address(LOGIN)}/{reference}",
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_skopeo_pushes_through_the_front_door_with_a_refresh_token(
    sandbox_env: Sandbox, cert_dir: Path
) -> None:
    """``docker login -u 00000000-… -p <refresh token>`` as ACR documents; uploads are proxied."""
    entra_token = sandbox_env.entra.issue(
        client_id=sandbox_env.azure.client_id, audience="https://containerregistry.azure.net"
    )
    address = sandbox_env.address(LOGIN)
    exchanged = httpx.post(
        f"https://{address}/oauth2/exchange",
        data={"grant_type": "access_token", "service": LOGIN, "access_token": entra_token},
        verify=ssl_context(sandbox_env.ca_bundle),
        timeout=10,
    )
    login = f"00000000-0000-0000-0000-000000000000:{exchanged.json()['refresh_token']}"
    copied = skopeo(
        "copy",
        "--src-creds",
        login,
        "--dest-creds",
        login,
        "--src-cert-dir",
        str(cert_dir),
        "--dest-cert-dir",
        str(cert_dir),
        f"docker://{address}/team/tool:2.1",
        f"docker://{address}/scratch/tool:copied",
    )
    assert copied.returncode == 0, copied.stderr
    inspected = skopeo(
        "inspect",
        "--raw",
        "--creds",
        login,
        "--cert-dir",
        str(cert_dir),
        f"docker://{address}/scratch/tool:copied",
    )
    assert inspected.returncode == 0, inspected.stderr
    assert json.loads(inspected.stdout)["mediaType"].startswith("application/vnd.docker")
