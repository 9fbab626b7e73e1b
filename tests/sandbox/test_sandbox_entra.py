"""azure-identity's real credentials against the Entra ID emulator, and ACR's token exchange."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential, EnvironmentCredential

from preflight.net.tls import ssl_context
from preflight.sandbox.entra import EntraIssuer
from preflight.sandbox.push import MANIFEST_ACCEPT
from preflight.sandbox.runtime import Sandbox

LOGIN = "sandboxacr.azurecr.io"
ARM_SCOPE = "https://management.azure.com/.default"
ACR_SCOPE = "https://containerregistry.azure.net/.default"

pytestmark = pytest.mark.sandbox


def credential(sandbox: Sandbox, secret: str | None = None) -> ClientSecretCredential:
    return ClientSecretCredential(
        sandbox.azure.tenant_id,
        sandbox.azure.client_id,
        secret or sandbox.azure.client_secret,
        authority=sandbox.endpoint("entra"),
        disable_instance_discovery=True,
        connection_verify=str(sandbox.ca_bundle),
    )


def entra_token(sandbox: Sandbox, scope: str, secret: str | None = None) -> str:
    """A token from the real ClientSecretCredential (closed after use: no socket left open)."""
    with credential(sandbox, secret) as real:
        return real.get_token(scope).token


@pytest.fixture
def client(sandbox_env: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"https://{LOGIN}", verify=ssl_context(sandbox_env.ca_bundle), timeout=10
    ) as http:
        yield http


def test_client_secret_credential_gets_a_token_the_issuer_verifies(sandbox_env: Sandbox) -> None:
    with credential(sandbox_env) as real:
        token = real.get_token(ARM_SCOPE)
    claims = sandbox_env.entra.verify(token.token)
    assert claims["aud"] == "https://management.azure.com"
    assert claims["appid"] == sandbox_env.azure.client_id
    assert claims["tid"] == sandbox_env.azure.tenant_id
    assert token.expires_on > 0


def test_environment_credential_reads_the_sandbox_env(sandbox_env: Sandbox) -> None:
    with EnvironmentCredential(
        disable_instance_discovery=True, connection_verify=str(sandbox_env.ca_bundle)
    ) as environment:
        token = environment.get_token(ACR_SCOPE)
    assert sandbox_env.entra.verify(token.token)["aud"] == "https://containerregistry.azure.net"


def test_a_wrong_client_secret_is_refused_without_showing_it(sandbox_env: Sandbox) -> None:
    wrong = "wrong-secret-value-1234"
    with pytest.raises(ClientAuthenticationError) as caught:
        entra_token(sandbox_env, ARM_SCOPE, secret=wrong)
    assert "AADSTS7000215" in str(caught.value)
    assert wrong not in str(caught.value)
    assert sandbox_env.azure.client_secret not in str(caught.value)


def test_verify_rejects_foreign_expired_and_malformed_tokens(sandbox_env: Sandbox) -> None:
    tenant = sandbox_env.azure.tenant_id
    client_id = sandbox_env.azure.client_id
    foreign = EntraIssuer(tenant).issue(
        client_id=client_id, audience="https://management.azure.com"
    )
    expired = sandbox_env.entra.issue(
        client_id=client_id, audience="https://management.azure.com", lifetime=-60
    )
    for bad in (foreign, expired, "not-a-jwt"):
        with pytest.raises(ValueError):
            sandbox_env.entra.verify(bad)


def exchange(client: httpx.Client, access_token: str, **extra: str) -> httpx.Response:
    form = {"grant_type": "access_token", "service": LOGIN, "access_token": access_token, **extra}
    return client.post("/oauth2/exchange", data=form)


def test_exchange_then_refresh_grant_pulls_without_any_password(
    sandbox_env: Sandbox, client: httpx.Client
) -> None:
    token = entra_token(sandbox_env, ACR_SCOPE)
    exchanged = exchange(client, token, tenant=sandbox_env.azure.tenant_id)
    assert exchanged.status_code == 200
    refresh_token = exchanged.json()["refresh_token"]
    assert jwt.decode(refresh_token, options={"verify_signature": False})["aud"] == LOGIN

    granted = client.post(
        "/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "service": LOGIN,
            "scope": "repository:shared/base:pull",
            "refresh_token": refresh_token,
        },
    )
    assert granted.status_code == 200
    access_token = granted.json()["access_token"]
    pulled = client.get(
        "/v2/shared/base/manifests/latest",
        headers={"Authorization": f"Bearer {access_token}", "Accept": MANIFEST_ACCEPT},
    )
    assert pulled.status_code == 200
    records = sandbox_env.acr_requests(LOGIN)
    assert [r.path for r in records] == ["/oauth2/exchange", "/oauth2/token"]
    assert all(r.username is None and not r.had_basic_auth for r in records)


@pytest.mark.parametrize(
    "bad_token",
    ["graph-audience", "other-tenant", "garbage"],
)
def test_exchange_refuses_tokens_acr_would_refuse(
    sandbox_env: Sandbox, client: httpx.Client, bad_token: str
) -> None:
    tokens: dict[str, Any] = {
        "graph-audience": sandbox_env.entra.issue(
            client_id=sandbox_env.azure.client_id, audience="https://graph.microsoft.com"
        ),
        "other-tenant": EntraIssuer("00000000-1111-2222-3333-444444444444").issue(
            client_id=sandbox_env.azure.client_id, audience="https://management.azure.com"
        ),
        "garbage": "eyJ.not.a.token",
    }
    assert exchange(client, tokens[bad_token]).status_code == 401


def test_refresh_grant_refuses_a_forged_refresh_token(
    sandbox_env: Sandbox, client: httpx.Client
) -> None:
    forged = jwt.encode({"aud": LOGIN, "grant_type": "refresh_token"}, "k" * 32, "HS256")
    response = client.post(
        "/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "service": LOGIN,
            "scope": "repository:team/app:pull",
            "refresh_token": forged,
        },
    )
    assert response.status_code == 401


def test_azure_containerregistry_client_pulls_a_manifest(sandbox_env: Sandbox) -> None:
    from azure.containerregistry import ContainerRegistryClient

    with (
        credential(sandbox_env) as real,
        ContainerRegistryClient(
            f"https://{LOGIN}",
            real,
            audience="https://containerregistry.azure.net",
            connection_verify=str(sandbox_env.ca_bundle),
            retry_total=0,
        ) as registry,
    ):
        result = registry.get_manifest("team/app", "1.0")
    assert result.digest.startswith("sha256:")
    assert [r.path for r in sandbox_env.acr_requests(LOGIN)][:2] == [
        "/oauth2/exchange",
        "/oauth2/token",
    ]
