"""The access claim, read without verification, in ACR's and the Docker spec's spellings."""

from __future__ import annotations

import pytest
from tests.registry.fake_registry import signing_key

from preflight.registry.jwt_claims import (
    MalformedToken,
    access_grants,
    decode_payload,
    granted_actions,
)
from preflight.sandbox.registry_tokens import Access, RegistryTokenMinter


def test_acr_capitalised_keys_are_read() -> None:
    token = RegistryTokenMinter(signing_key()).access_token(
        service="myreg.azurecr.io",
        subject="pull-token",
        access=[Access("repository", "microsoft", ("pull",))],
        grant_type="password",
    )
    grants = access_grants(decode_payload(token))
    assert granted_actions(grants, "microsoft") == {"pull"}
    assert granted_actions(grants, "other") == frozenset()


def test_docker_spec_lower_case_keys_are_read() -> None:
    claims = {"access": [{"type": "repository", "name": "a/b", "actions": ["pull", "push"]}]}
    assert granted_actions(access_grants(claims), "a/b") == {"pull", "push"}


def test_empty_access_grants_nothing() -> None:
    """ACR's answer to a scope it will not grant: 200 with ``access: []``."""
    assert granted_actions(access_grants({"access": []}), "team/app") == frozenset()
    assert access_grants({}) == ()


def test_anonymous_star_and_trailing_wildcards_cover_repositories() -> None:
    claims = {
        "access": [
            {"Type": "repository", "Name": "*", "Actions": ["pull"]},
            {"Type": "repository", "Name": "team/*", "Actions": ["push"]},
            {"Type": "registry", "Name": "catalog", "Actions": ["*"]},
        ]
    }
    grants = access_grants(claims)
    assert granted_actions(grants, "team/app") == {"pull", "push"}
    assert granted_actions(grants, "teamx/app") == {"pull"}


def test_grants_are_additive_and_malformed_entries_are_ignored() -> None:
    claims = {
        "access": [
            {"Type": "repository", "Name": "a", "Actions": ["pull"]},
            {"Type": "repository", "Name": "a", "Actions": ["metadata_read"]},
            "junk",
            {"Type": "repository", "Name": "a", "Actions": "pull"},
        ]
    }
    assert granted_actions(access_grants(claims), "a") == {"pull", "metadata_read"}


@pytest.mark.parametrize("token", ["opaque-token", "a.b", "a.!!!.c", "a.bnVsbA.c"])
def test_a_token_that_is_not_a_jwt_is_reported_without_echoing_it(token: str) -> None:
    with pytest.raises(MalformedToken) as caught:
        decode_payload(token)
    assert token not in str(caught.value)
