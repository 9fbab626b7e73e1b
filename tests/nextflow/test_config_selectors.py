"""Selector matching as Nextflow does it: Java regex, whole name, leading ``!`` negates."""

from __future__ import annotations

import pytest

from preflight.nextflow.config.selectors import (
    is_valid_pattern,
    labels_match,
    selector_matches,
    split_selector,
)


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("FOO", "FOO", True),
        ("FOO", "FOOBAR", False),  # whole-name match
        ("A|B", "B", True),
        ("a*", "aaaa", True),
        (".*:STAR_ALIGN", "RNASEQ:ALIGN:STAR_ALIGN", True),
        (".*:STAR_ALIGN", "STAR_ALIGN", False),
        ("!foo", "bar", True),
        ("!foo", "foo", False),
        ("!align.*", "alignment", False),
        ("gpu.+", "gpu", False),
        ("[", "[", False),  # not a valid pattern: matches nothing
    ],
)
def test_selector_matches(pattern: str, name: str, expected: bool) -> None:
    assert selector_matches(pattern, name) is expected


def test_labels_any_match_and_unlabelled_is_the_empty_label() -> None:
    assert labels_match("big", ["small", "big"])
    assert not labels_match("big", [])
    assert labels_match("!big", [])
    assert not labels_match("!big", ["big"])


def test_pattern_validity_and_key_split() -> None:
    assert is_valid_pattern("!a|b") and not is_valid_pattern("(")
    assert split_selector("withName:.*:FOO") == ("withName", ".*:FOO")
    assert split_selector("withLabel:!x") == ("withLabel", "!x")
    assert split_selector("cpus") is None
