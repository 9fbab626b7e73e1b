"""The issue's end-to-end promise: a token provisioned through ARM with the real Azure SDKs pulls
at once, with an independent client, and a scope-map change through ARM changes what it may pull.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from azure.identity import ClientSecretCredential

from preflight.sandbox.runtime import Sandbox

LOGIN = "sandboxacr.azurecr.io"
GROUP = "rg-preflight"
REGISTRY = "sandboxacr"

pytestmark = pytest.mark.sandbox


def skopeo_inspect(sandbox: Sandbox, cert_dir: Path, user: str, password: str, ref: str) -> str:
    result = subprocess.run(
        [
            "skopeo",
            "inspect",
            "--raw",
            "--creds",
            f"{user}:{password}",
            "--cert-dir",
            str(cert_dir),
            f"docker://{sandbox.address(LOGIN)}/{ref}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return "ok" if result.returncode == 0 else result.stderr


def test_a_token_provisioned_through_arm_pulls_at_once(
    sandbox_env: Sandbox, tmp_path: Path
) -> None:
    if "arm" not in sandbox_env.services:
        pytest.fail("the ARM emulator did not start with the sandbox")
    from azure.mgmt.containerregistry import ContainerRegistryManagementClient
    from azure.mgmt.containerregistry.models import (
        GenerateCredentialsParameters,
        ScopeMap,
        ScopeMapProperties,
        ScopeMapPropertiesUpdateParameters,
        ScopeMapUpdateParameters,
        Token,
        TokenProperties,
    )

    cert_dir = tmp_path / "certs"
    cert_dir.mkdir()
    shutil.copy(sandbox_env.ca_bundle, cert_dir / "ca.crt")
    azure = sandbox_env.info["azure"]
    with (
        ClientSecretCredential(
            azure["tenant_id"],
            azure["client_id"],
            azure["client_secret"],
            authority=azure["authority"],
            disable_instance_discovery=True,
            connection_verify=str(sandbox_env.ca_bundle),
        ) as credential,
        ContainerRegistryManagementClient(
            credential,
            azure["subscription_id"],
            base_url=azure["arm_endpoint"],
            credential_scopes=["https://management.azure.com/.default"],
            connection_verify=str(sandbox_env.ca_bundle),
            retry_total=0,
        ) as arm,
    ):
        scope_map = arm.scope_maps.begin_create(
            GROUP,
            REGISTRY,
            "shared-reader-scope",
            ScopeMap(
                properties=ScopeMapProperties(actions=["repositories/shared/base/content/read"])
            ),
        ).result()
        token = arm.tokens.begin_create(
            GROUP,
            REGISTRY,
            "shared-reader",
            Token(properties=TokenProperties(scope_map_id=scope_map.id, status="enabled")),
        ).result()
        generated = arm.registries.begin_generate_credentials(
            GROUP, REGISTRY, GenerateCredentialsParameters(token_id=token.id, name="password1")
        ).result()
        assert generated.passwords
        password = generated.passwords[0].value
        assert password is not None

        assert (
            skopeo_inspect(sandbox_env, cert_dir, "shared-reader", password, "shared/base:latest")
            == "ok"
        )
        assert "requested access to the resource is denied" in skopeo_inspect(
            sandbox_env, cert_dir, "shared-reader", password, "team/app:1.0"
        )

        arm.scope_maps.begin_update(
            GROUP,
            REGISTRY,
            "shared-reader-scope",
            ScopeMapUpdateParameters(
                properties=ScopeMapPropertiesUpdateParameters(
                    actions=["repositories/team/app/content/read"]
                )
            ),
        ).result()
        assert (
            skopeo_inspect(sandbox_env, cert_dir, "shared-reader", password, "team/app:1.0") == "ok"
        )
