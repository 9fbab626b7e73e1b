"""Image existence with the operator's Entra identity: the real azure-containerregistry client
and real azure-identity against the sandbox's Entra ID and the real registry process."""

from __future__ import annotations

import os

import pytest

from preflight.azure.dataplane import audience_for, build_dataplane
from preflight.errors import InputError
from preflight.sandbox.runtime import Sandbox
from preflight.settings import Settings

pytestmark = pytest.mark.sandbox

LOGIN = "sandboxacr.azurecr.io"


def test_audience_per_cloud() -> None:
    assert audience_for("x.azurecr.io") == "https://containerregistry.azure.net"
    assert audience_for("x.azurecr.cn") == "https://management.chinacloudapi.cn"
    assert audience_for("X.AZURECR.US") == "https://management.usgovcloudapi.net"


def test_without_an_azure_identity_the_data_plane_is_not_built() -> None:
    with pytest.raises(InputError) as caught:
        build_dataplane(Settings(), {})
    assert "az login" in caught.value.remedy


def test_tags_exist_with_their_digests_and_missing_ones_are_told(sandbox_env: Sandbox) -> None:
    environ = dict(os.environ)
    plane = build_dataplane(Settings.from_environ(environ), environ)
    try:
        found = plane.manifest(LOGIN, "team/app", "1.0")
        assert found.found and found.digest and found.digest.startswith("sha256:")
        assert found.media_type == "application/vnd.oci.image.manifest.v1+json"
        by_digest = plane.manifest(LOGIN, "team/app", found.digest)
        assert by_digest.found and by_digest.digest == found.digest
        assert plane.manifest(LOGIN, "team/app", "9.9").state == "missing"
        assert plane.manifest(LOGIN, "team/nothing", "1.0").state == "missing"
    finally:
        plane.close()
    paths = [r.path for r in sandbox_env.acr_requests(LOGIN)]
    assert "/oauth2/exchange" in paths
    assert not any(r.had_basic_auth for r in sandbox_env.acr_requests(LOGIN))


def test_a_refused_identity_is_denied_without_showing_its_secret(sandbox_env: Sandbox) -> None:
    secret = "wrong-client-secret-0123456789abcdef"
    environ = {**os.environ, "AZURE_CLIENT_SECRET": secret}
    plane = build_dataplane(Settings.from_environ(environ), environ)
    try:
        facts = plane.manifest(LOGIN, "team/app", "1.0")
    finally:
        plane.close()
    assert facts.state == "denied"
    assert secret not in repr(facts)
