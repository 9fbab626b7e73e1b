"""Wave's credential rule, reproduced exactly, and every near-miss named with its fix."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from preflight.seqera.matching import (
    NearMissKind,
    find_in_other_workspaces,
    match_registry,
    near_miss_kind,
)
from preflight.seqera.models import Credential, WorkspaceRef

HOST = "myreg.azurecr.io"


def cred(
    name: str, registry: str | None, provider: str = "container-reg", user: str = "tok"
) -> Credential:
    return Credential(
        id=f"id-{name}",
        name=name,
        provider=provider,
        registry=registry,
        user_name=user,
        date_created=None,
        last_updated=None,
        workspace_id=1,
    )


def test_exact_host_matches() -> None:
    match = match_registry([cred("other", "quay.io"), cred("acr", HOST)], HOST)
    assert match.matched
    assert match.credential is not None and match.credential.name == "acr"
    assert match.duplicates == ()
    assert match.near_misses == ()


def test_first_exact_match_wins_and_the_rest_are_duplicates() -> None:
    creds = [cred("first", HOST, user="tok-a"), cred("second", HOST), cred("third", HOST)]
    match = match_registry(creds, HOST)
    assert match.credential is not None and match.credential.name == "first"
    assert [c.name for c in match.duplicates] == ["second", "third"]


def test_only_container_registry_credentials_count() -> None:
    match = match_registry([cred("azure", HOST, provider="azure")], HOST)
    assert not match.matched
    assert match.near_misses == ()


def test_missing_or_empty_registry_means_docker_hub() -> None:
    for value in (None, ""):
        assert match_registry([cred("hub", value)], "docker.io").matched
        assert not match_registry([cred("hub", value)], HOST).matched
    # An image without a host is a docker.io image too.
    assert match_registry([cred("hub", None)], "").registry == "docker.io"


def test_no_credentials_is_no_match() -> None:
    match = match_registry([], HOST)
    assert not match.matched and match.credential is None


@pytest.mark.parametrize(
    ("stored", "kind"),
    [
        (f"https://{HOST}", NearMissKind.SCHEME),
        (f"http://{HOST}", NearMissKind.SCHEME),
        (f"{HOST}/", NearMissKind.TRAILING_SLASH),
        (f"{HOST}/team", NearMissKind.PATH),
        (f"{HOST}/team/app/", NearMissKind.PATH),
        ("MyReg.azurecr.io", NearMissKind.CASE),
        ("MYREG.AZURECR.IO", NearMissKind.CASE),
        (f"{HOST}:443", NearMissKind.PORT),
        (f" {HOST}", NearMissKind.WHITESPACE),
        (f"{HOST}\n", NearMissKind.WHITESPACE),
        (f"\u200b{HOST}", NearMissKind.WHITESPACE),  # zero-width space from a copy-paste
        (f"{HOST}\ufeff", NearMissKind.WHITESPACE),
        (f"https://{HOST}/", NearMissKind.SCHEME),  # several differences: scheme first
        ("MyReg.azurecr.io:443", NearMissKind.PORT),
    ],
)
def test_each_near_miss_is_named_with_the_exact_fix(stored: str, kind: NearMissKind) -> None:
    match = match_registry([cred("almost", stored)], HOST)
    assert not match.matched, "Wave compares strings exactly: a near-miss is never used"
    assert len(match.near_misses) == 1
    near = match.near_misses[0]
    assert near.kind is kind
    assert near.fix == HOST
    assert repr(stored) in near.explain() and near.kind.explanation in near.explain()


@pytest.mark.parametrize(
    "stored",
    ["otherreg.azurecr.io", "myreg.azurecr.cn", "myreg.azurecr.io:5000", "quay.io", "docker.io"],
)
def test_other_registries_are_not_near_misses(stored: str) -> None:
    assert near_miss_kind(stored, HOST) is None
    assert match_registry([cred("x", stored)], HOST).near_misses == ()


def test_near_misses_are_reported_next_to_a_match() -> None:
    match = match_registry([cred("good", HOST), cred("bad", f"https://{HOST}")], HOST)
    assert match.matched
    assert [n.credential.name for n in match.near_misses] == ["bad"]


def test_near_miss_of_a_non_registry_credential_is_ignored() -> None:
    github = cred("gh", f"https://{HOST}", provider="github")
    assert match_registry([github], HOST).near_misses == ()


def test_find_in_other_workspaces() -> None:
    personal = WorkspaceRef(None, "user", None, None, "owner", personal=True)
    research = WorkspaceRef(2, "research", 9, "acme", "launch")
    empty = WorkspaceRef(3, "empty", 9, "acme", "owner")
    found = find_in_other_workspaces(
        HOST,
        [
            (personal, [cred("mine", HOST)]),
            (research, [cred("near", f"{HOST}/")]),  # a near-miss is not a match elsewhere
            (empty, []),
        ],
    )
    assert [(f.workspace.full_name, f.credential.name) for f in found] == [("user", "mine")]


@given(st.text(min_size=1, max_size=40))
def test_exact_equality_is_the_only_match(stored: str) -> None:
    """Whatever is stored, Wave uses it for HOST if and only if it equals HOST."""
    match = match_registry([cred("x", stored)], HOST)
    assert match.matched == (stored == HOST)
    if match.near_misses:
        assert match.near_misses[0].fix == HOST
