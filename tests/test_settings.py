"""Settings: a flag beats its environment variable, which beats the default."""

from __future__ import annotations

from pathlib import Path

from preflight.secret import Secret
from preflight.settings import DEFAULT_ARM_ENDPOINT, DEFAULT_PLATFORM_ENDPOINT, Settings


def test_defaults_without_environment() -> None:
    settings = Settings.from_environ({})
    assert settings.platform_endpoint == DEFAULT_PLATFORM_ENDPOINT
    assert settings.arm_endpoint == DEFAULT_ARM_ENDPOINT
    assert settings.platform_token is None and settings.workspace is None


def test_environment_is_read_and_trailing_slashes_dropped() -> None:
    settings = Settings.from_environ(
        {
            "TOWER_ACCESS_TOKEN": "tok-123456",
            "TOWER_API_ENDPOINT": "https://seqera.example.org/api/",
            "TOWER_WORKSPACE_ID": "42",
            "AZURE_SUBSCRIPTION_ID": "sub",
            "PREFLIGHT_CA_BUNDLE": "/etc/ca.pem",
        }
    )
    assert settings.platform_token == Secret("tok-123456")
    assert settings.platform_endpoint == "https://seqera.example.org/api"
    assert settings.workspace == "42"
    assert settings.azure_subscription_id == "sub"
    assert settings.ca_bundle == Path("/etc/ca.pem")
    assert "tok-123456" not in repr(settings)


def test_flags_win_over_environment() -> None:
    settings = Settings.from_environ(
        {"TOWER_WORKSPACE_ID": "42", "PREFLIGHT_CA_BUNDLE": "/a.pem"},
        workspace="acme/pipelines",
        ca_bundle=Path("/b.pem"),
    )
    assert settings.workspace == "acme/pipelines"
    assert settings.ca_bundle == Path("/b.pem")
