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
        secret._value = "x"
    assert secret == Secret("abc") and secret != Secret("abd") and secret != "abc"
    assert not Secret("")


def test_redact_replaces_longest_first_and_ignores_tiny_values() -> None:
    text = "token=abcdef1234 and abcdef and a"
    assert redact(text, [Secret("abcdef"), "abcdef1234", None, "a"]) == (
        f"token={REDACTED} and {REDACTED} and a"
    )
    assert redact("nothing here", []) == "nothing here"


def test_known_secrets_are_redacted_from_log_records(caplog: pytest.LogCaptureFixture) -> None:
    from preflight.secret import RedactingFilter, redact_known

    Secret("canary-9f3a1c77")
    logger = logging.getLogger("preflight.test.redaction")
    logger.addFilter(RedactingFilter())
    try:
        with caplog.at_level(logging.DEBUG, logger="preflight.test.redaction"):
            logger.debug("sent %s to the realm", "canary-9f3a1c77")
    finally:
        logger.filters.clear()
    assert "canary-9f3a1c77" not in caplog.text and REDACTED in caplog.text
    assert redact_known("x canary-9f3a1c77 y") == f"x {REDACTED} y"


def test_debug_flag_logs_through_the_filter(capsys: pytest.CaptureFixture[str]) -> None:
    from preflight import cli

    Secret("canary-debug-55aa")
    try:
        assert cli.main(["--debug", "config", "--help"]) == 0
        logging.getLogger("preflight.test").debug("value canary-debug-55aa")
    finally:
        for name in ("preflight", "httpx", "httpcore", "azure", "msal"):
            logging.getLogger(name).handlers.clear()
            logging.getLogger(name).setLevel(logging.NOTSET)
    err = capsys.readouterr().err
    assert "canary-debug-55aa" not in err and REDACTED in err
