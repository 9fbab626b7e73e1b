"""A Secret never shows itself; redaction catches what slipped through elsewhere."""

from __future__ import annotations

import json
import logging
import pickle

import pytest

from preflight.secret import REDACTED, Secret, redact


def test_secret_never_prints(caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret("s3cr3t-value")
    shown = [str(secret), repr(secret), f"{secret}", f"{secret!r}", f"{secret}", f"{[secret]}"]
    assert all("s3cr3t-value" not in text for text in shown)
    logging.getLogger("t").warning("value %s", secret)
    assert "s3cr3t-value" not in caplog.text
    with pytest.raises(TypeError):
        json.dumps({"p": secret})
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    assert secret.reveal() == "s3cr3t-value"


def test_secret_is_immutable_and_compares_by_value() -> None:
    secret = Secret("abc")
    with pytest.raises(AttributeError):
        secret._value = "x"  # type: ignore[misc]
    assert secret == Secret("abc") and secret != Secret("abd") and secret != "abc"
    assert not Secret("")


def test_redact_replaces_longest_first_and_ignores_tiny_values() -> None:
    text = "token=abcdef1234 and abcdef and a"
    assert redact(text, [Secret("abcdef"), "abcdef1234", None, "a"]) == (
        f"token={REDACTED} and {REDACTED} and a"
    )
    assert redact("nothing here", []) == "nothing here"
