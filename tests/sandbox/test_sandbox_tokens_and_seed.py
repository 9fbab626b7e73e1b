"""Registry JWT minting and the seeded world, without any server."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from preflight.sandbox.registry_tokens import Access, RegistryTokenMinter, parse_scopes
from preflight.sandbox.seed import DEFAULT_REGISTRIES, azure_state, new_password_book, reseed
from preflight.sandbox.state import AuthRefused
from preflight.sandbox.tls import make_certificates

LOGIN = "sandboxacr.azurecr.io"


@pytest.fixture(scope="module")
def minter(tmp_path_factory: pytest.TempPathFactory) -> RegistryTokenMinter:
    certificates = make_certificates(tmp_path_factory.mktemp("tls"), [LOGIN])
    return RegistryTokenMinter(certificates.signing_key)


def test_certificates_are_written_with_a_private_key_only_the_owner_reads(tmp_path: Path) -> None:
    certificates = make_certificates(tmp_path, [LOGIN])
    assert certificates.server_key.stat().st_mode & 0o077 == 0
    assert LOGIN in certificates.names and "127.0.0.1" in certificates.names
    assert certificates.signing_root.read_bytes() != certificates.ca_bundle.read_bytes()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["repository:team/app:pull"], [Access("repository", "team/app", ("pull",))]),
        (
            ["repository:a:pull,push repository:b:"],
            [Access("repository", "a", ("pull", "push")), Access("repository", "b", ())],
        ),
        (["registry:catalog:*"], [Access("registry", "catalog", ("*",))]),
        (["nonsense", ":x:pull", ""], []),
    ],
)
def test_parse_scopes(values: list[str], expected: list[Access]) -> None:
    assert parse_scopes(values) == expected


def test_refresh_tokens_verify_and_access_tokens_do_not_pass_as_them(
    minter: RegistryTokenMinter,
) -> None:
    refresh = minter.refresh_token(service=LOGIN, subject="sp", tenant="t")
    assert minter.verify_refresh_token(refresh, LOGIN)["sub"] == "sp"
    with pytest.raises(ValueError):
        minter.verify_refresh_token(refresh, "otheracr.azurecr.io")
    access = minter.access_token(service=LOGIN, subject="sp", access=[], grant_type="password")
    with pytest.raises(ValueError, match="not a refresh token"):
        minter.verify_refresh_token(access, LOGIN)
    expired = minter.refresh_token(service=LOGIN, subject="sp", tenant="t", lifetime=-120)
    with pytest.raises(ValueError):
        minter.verify_refresh_token(expired, LOGIN)


def test_access_tokens_carry_acrs_claims(minter: RegistryTokenMinter) -> None:
    token = minter.access_token(
        service=LOGIN,
        subject="pipeline-reader",
        access=[Access("repository", "team/app", ("pull",))],
        grant_type="password",
    )
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["aud"] == LOGIN and isinstance(claims["aud"], str)
    assert claims["iss"] == "Azure Container Registry"
    assert claims["access"] == [{"Type": "repository", "Name": "team/app", "Actions": ["pull"]}]
    assert {"jti", "nbf", "iat", "exp", "rid", "version", "roles", "grant_type"} <= set(claims)


def test_the_seed_grants_the_reader_exactly_its_two_repositories() -> None:
    passwords = new_password_book(DEFAULT_REGISTRIES)
    state = azure_state(DEFAULT_REGISTRIES, passwords, client_secret="s")
    password = passwords[(LOGIN, "pipeline-reader")]
    token = state.authenticate(LOGIN, "pipeline-reader", password)
    registry = state.registry(LOGIN)
    assert registry is not None
    assert registry.granted_actions(token, "team/app") == {"pull"}
    assert registry.granted_actions(token, "team/tool") == {"pull"}
    assert registry.granted_actions(token, "shared/base") == frozenset()
    assert registry.repositories == {
        "team/app": ["1.0", "1.1"],
        "team/tool": ["2.1"],
        "shared/base": ["latest"],
    }
    with pytest.raises(AuthRefused):
        state.authenticate("otheracr.azurecr.io", "pipeline-reader", password)


def test_reseed_keeps_the_state_object_and_its_passwords() -> None:
    passwords = new_password_book(DEFAULT_REGISTRIES)
    state = azure_state(DEFAULT_REGISTRIES, passwords, client_secret="s")
    registries = state.registries
    registries[LOGIN].tokens.clear()
    reseed(state, DEFAULT_REGISTRIES, passwords)
    assert state.registries is registries
    state.authenticate(LOGIN, "pipeline-reader", passwords[(LOGIN, "pipeline-reader")])
