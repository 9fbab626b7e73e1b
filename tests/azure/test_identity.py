"""Which Azure credential preflight builds from the environment the CLI hands in."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.azure.identity import authority_options, build_credential, transport_options
from preflight.errors import InputError
from preflight.settings import Settings

SP = {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s3cr3t-value"}


def test_a_client_secret_in_the_environment_means_a_service_principal() -> None:
    from azure.identity import ClientSecretCredential

    credential = build_credential(Settings(), SP)
    assert isinstance(credential, ClientSecretCredential)
    credential.close()


def test_without_a_secret_the_default_chain_is_used() -> None:
    from azure.identity import DefaultAzureCredential

    settings = Settings(azure_authority="https://127.0.0.1:9443", ca_bundle=Path("/x/ca.pem"))
    credential = build_credential(settings, {})
    assert isinstance(credential, DefaultAzureCredential)
    credential.close()


def test_a_half_configured_service_principal_is_refused_without_echoing_the_secret() -> None:
    with pytest.raises(InputError) as caught:
        build_credential(Settings(), {"AZURE_CLIENT_SECRET": "s3cr3t-value"})
    assert "AZURE_TENANT_ID" in caught.value.message
    assert "s3cr3t-value" not in str(caught.value)


@pytest.mark.parametrize(
    ("authority", "discovery_off"),
    [
        ("https://login.microsoftonline.com", False),
        ("login.chinacloudapi.cn", False),
        ("https://127.0.0.1:9443", True),
        ("https://adfs.contoso.example", True),
    ],
)
def test_instance_discovery_is_off_for_authorities_microsoft_does_not_know(
    authority: str, discovery_off: bool
) -> None:
    options = authority_options(Settings(azure_authority=authority))
    assert options["authority"] == authority
    assert options.get("disable_instance_discovery", False) is discovery_off


def test_tls_trust_and_timeouts_come_from_settings() -> None:
    assert transport_options(Settings())["connection_verify"] is True
    options = transport_options(Settings(ca_bundle=Path("/x/ca.pem")))
    assert options["connection_verify"] == "/x/ca.pem"
    assert options["connection_timeout"] > 0 and options["read_timeout"] > 0
