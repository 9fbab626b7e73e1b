"""The ARM gateway with real azure-identity and azure-mgmt-containerregistry over HTTPS."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

import httpx
import jwt
import pytest

from preflight.azure.arm import ArmGateway, build_arm_gateway, credential_scope
from preflight.errors import AzureError, InputError
from preflight.net.tls import ssl_context
from preflight.secret import Secret
from preflight.settings import Settings

if TYPE_CHECKING:
    from preflight.sandbox.runtime import Sandbox

pytestmark = pytest.mark.sandbox
ACR = "sandboxacr.azurecr.io"


def pull_token(sandbox: Sandbox, user: str, password: str, repository: str) -> httpx.Response:
    """Ask the registry's token service for a pull token, as Wave does (Basic, GET)."""
    with httpx.Client(verify=ssl_context(sandbox.ca_bundle), timeout=10) as client:
        return client.get(
            f"https://{ACR}/oauth2/token",
            params={"service": ACR, "scope": f"repository:{repository}:pull"},
            auth=(user, password),
        )


def granted(response: httpx.Response) -> list[str]:
    body = response.json()
    claims = jwt.decode(
        body.get("access_token") or body["token"], options={"verify_signature": False}
    )
    return [a for e in claims["access"] for a in (e.get("Actions") or e.get("actions") or [])]


def test_finds_a_registry_by_login_server_whatever_its_case(gateway: ArmGateway) -> None:
    registry = gateway.find_registry("SandboxACR.azurecr.io")
    assert registry.login_server == ACR
    assert registry.name == "sandboxacr"
    assert registry.resource_group == "rg-preflight"
    assert registry.sku == "Standard"
    assert registry.id.endswith("/registries/sandboxacr")


def test_an_unknown_registry_is_an_azure_error_with_a_remedy(gateway: ArmGateway) -> None:
    with pytest.raises(AzureError) as caught:
        gateway.find_registry("nosuchacr.azurecr.io")
    assert "nosuchacr.azurecr.io" in caught.value.message
    assert "AZURE_SUBSCRIPTION_ID" in caught.value.remedy


def test_reads_the_seeded_token_and_its_scope_map(gateway: ArmGateway) -> None:
    registry = gateway.find_registry(ACR)
    token = gateway.get_token(registry, "pipeline-reader")
    assert token is not None and token.enabled
    assert token.scope_map_name == "pipeline-reader-scope"
    assert [p.name for p in token.passwords] == ["password1"]
    assert token.password("password1") is not None
    scope_map = gateway.get_scope_map(registry, token.scope_map_name)
    assert scope_map is not None
    assert "repositories/team/app/content/read" in scope_map.actions
    assert [t.name for t in gateway.list_tokens(registry)] == ["pipeline-reader"]
    assert gateway.get_token(registry, "nobody-here") is None
    assert gateway.get_scope_map(registry, "nothing-here") is None


def test_a_provisioned_token_pulls_at_the_registry_at_once(
    gateway: ArmGateway, sandbox_env: Sandbox
) -> None:
    registry = gateway.find_registry(ACR)
    scope_map = gateway.create_scope_map(
        registry, "fresh-scope-map", ["repositories/team/tool/content/read"]
    )
    token = gateway.create_token(registry, "fresh-token", scope_map.id)
    assert token.enabled and token.passwords == ()
    password = gateway.generate_password(registry, token)
    assert isinstance(password, Secret)

    allowed = pull_token(sandbox_env, "fresh-token", password.reveal(), "team/tool")
    assert allowed.status_code == 200 and granted(allowed) == ["pull"]
    # ACR answers 200 for a repository outside the scope map, but grants nothing there.
    outside = pull_token(sandbox_env, "fresh-token", password.reveal(), "team/app")
    assert outside.status_code == 200 and granted(outside) == []

    gateway.update_scope_map(
        registry, "fresh-scope-map", [*scope_map.actions, "repositories/team/app/content/read"]
    )
    widened = pull_token(sandbox_env, "fresh-token", password.reveal(), "team/app")
    assert granted(widened) == ["pull"]

    gateway.set_token_enabled(registry, "fresh-token", False)
    assert pull_token(sandbox_env, "fresh-token", password.reveal(), "team/app").status_code == 401
    gateway.delete_token(registry, "fresh-token")
    gateway.delete_scope_map(registry, "fresh-scope-map")
    assert gateway.get_token(registry, "fresh-token") is None
    assert gateway.get_scope_map(registry, "fresh-scope-map") is None


def test_password_expiry_is_recorded(gateway: ArmGateway) -> None:
    from datetime import datetime, timedelta, timezone

    registry = gateway.find_registry(ACR)
    token = gateway.get_token(registry, "pipeline-reader")
    assert token is not None
    expiry = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=90)
    gateway.generate_password(registry, token, slot="password2", expiry=expiry)
    again = gateway.get_token(registry, "pipeline-reader")
    assert again is not None
    second = again.password("password2")
    assert second is not None and second.expiry == expiry


def test_the_password_never_reaches_the_logs(
    gateway: ArmGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    registry = gateway.find_registry(ACR)
    token = gateway.get_token(registry, "pipeline-reader")
    assert token is not None
    password = gateway.generate_password(registry, token)
    assert password.reveal() not in caplog.text
    assert caplog.records, "the SDK logged nothing: this test would prove nothing"


def test_a_wrong_client_secret_is_a_sign_in_error(sandbox_env: Sandbox) -> None:
    environ = {**os.environ, "AZURE_CLIENT_SECRET": "not-the-secret"}
    gateway = build_arm_gateway(Settings.from_environ(environ), environ, retries=0)
    with pytest.raises(AzureError) as caught:
        gateway.find_registry(ACR)
    assert "sign" in caught.value.message
    assert "not-the-secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("status", "words"), [(403, "not authorised"), (500, "HTTP 500"), (429, "throttling")]
)
def test_arm_failures_become_azure_errors(
    gateway: ArmGateway, sandbox_env: Sandbox, status: int, words: str
) -> None:
    sandbox_env.faults.set("arm", status=status, retry_after=0)
    with pytest.raises(AzureError) as caught:
        gateway.find_registry(ACR)
    assert words in caught.value.message
    assert caught.value.remedy and caught.value.where.startswith("https://127.0.0.1:")


def test_a_missing_subscription_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        build_arm_gateway(Settings())
    assert "AZURE_SUBSCRIPTION_ID" in caught.value.remedy


@pytest.mark.parametrize(
    ("endpoint", "scope"),
    [
        ("https://management.azure.com", "https://management.azure.com/.default"),
        (
            "https://management.usgovcloudapi.net/",
            "https://management.core.usgovcloudapi.net/.default",
        ),
        ("https://127.0.0.1:8443", "https://127.0.0.1:8443/.default"),
    ],
)
def test_the_token_scope_follows_the_arm_endpoint(endpoint: str, scope: str) -> None:
    assert credential_scope(endpoint) == scope
