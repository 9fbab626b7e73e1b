"""A Secret that a check wrongly put in a finding's details never reaches any report.

The reporters redact rather than refuse: the report stays complete, the value shows as
``<hidden>``, wherever in the details the secret hides.
"""

from __future__ import annotations

import json

import pytest

from preflight import report
from preflight.model import Finding, Report, Status
from preflight.report.facts import plain
from preflight.secret import REDACTED, Secret

VALUE = "s3cr3t-password1-Zq9"


def _leaky_report() -> Report:
    details = {
        "registry": "labacr.azurecr.io",
        "password": Secret(VALUE),
        "nested": {"tokens": [Secret(VALUE + "-2"), "plain"], "set": frozenset({"a"})},
        "image": Secret(VALUE + "-image"),
    }
    return Report(
        findings=(
            Finding("token", Status.FAIL, "wave-pull", "token is disabled", details=details),
            Finding("token", Status.WARN, "other", "expires soon", details=details),
        )
    )


@pytest.mark.parametrize("name", report.FORMATS)
@pytest.mark.parametrize("color", [False, True])
def test_no_format_reveals_a_secret_in_details(name: str, color: bool) -> None:
    out = report.render(name, _leaky_report(), color=color)
    assert VALUE not in out
    assert "s3cr3t" not in out


def test_json_shows_where_a_secret_was_hidden() -> None:
    finding = json.loads(report.render("json", _leaky_report()))["findings"][0]
    assert finding["details"]["password"] == REDACTED
    assert finding["details"]["nested"]["tokens"] == [REDACTED, "plain"]
    assert finding["details"]["nested"]["set"] == ["a"]


def test_plain_hides_secrets_at_any_depth() -> None:
    assert plain({"a": ({"b": [Secret(VALUE)]},)}) == {"a": [{"b": [REDACTED]}]}
