"""The scope-map action grammar: what grants pull on which repository."""

from __future__ import annotations

import pytest

from preflight.azure import actions


@pytest.mark.parametrize(
    ("granted", "repository", "expected"),
    [
        (["repositories/team/app/content/read"], "team/app", True),
        (["repositories/team/app/content/read"], "team/application", False),
        (["repositories/team/*/content/read"], "team/app/nested", True),
        (["repositories/team/*/content/read"], "teamster/app", False),
        (["repositories/*/content/read"], "anything/at/all", True),
        (["repositories/team/app/content/write"], "team/app", False),
        (["repositories/team/app/metadata/read"], "team/app", False),
        (["gateway/edge/config/read"], "team/app", False),
        ([], "team/app", False),
    ],
)
def test_grants_pull(granted: list[str], repository: str, expected: bool) -> None:
    assert actions.grants(granted, repository) is expected


def test_builders_and_parsing() -> None:
    assert actions.read_action("team/app") == "repositories/team/app/content/read"
    assert actions.wildcard_read_action("team/") == "repositories/team/*/content/read"
    assert actions.wildcard_read_action("*") == "repositories/*/content/read"
    assert actions.split_action("repositories/a/b/metadata/write") == ("a/b", "metadata/write")
    assert actions.split_action("repositories/a/pull") is None
    assert actions.split_action("repositories//content/read") is None
    assert actions.repositories_of(
        ["repositories/a/content/read", "repositories/a/metadata/read", "nonsense"]
    ) == {"a"}


@pytest.mark.parametrize(
    ("pattern", "valid"),
    [
        ("team/app", True),
        ("team/*", True),
        ("*", True),
        ("team*", False),
        ("a/*/b", False),
        ("/*", False),
    ],
)
def test_only_a_trailing_wildcard_is_valid(pattern: str, valid: bool) -> None:
    assert actions.is_valid_pattern(pattern) is valid
