"""One secret type that cannot print itself, and the one place where redaction happens.

A ``Secret`` is what passwords and access tokens travel in between the place they come from
(an environment variable, Azure, stdin) and the one request that needs them. ``str()``,
``repr()``, f-strings, logging, ``json.dumps`` and pickling all refuse to reveal the value;
only :meth:`Secret.reveal` does, at the point of use.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any, NoReturn

REDACTED = "<hidden>"
# Values shorter than this are not redacted: they would turn ordinary words into "<hidden>".
_MIN_REDACTED_LENGTH = 4

# Every secret value this process has held, so that the last line of defence (log records,
# crash reports) can redact them without being told which ones to look for.
_known_values: set[str] = set()
_known_lock = threading.Lock()


class Secret:
    """A value that is never shown: only :meth:`reveal` gives it back."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        object.__setattr__(self, "_value", value)
        if len(value) >= _MIN_REDACTED_LENGTH:
            with _known_lock:
                _known_values.add(value)

    def reveal(self) -> str:
        """The value itself, for the one request that needs it."""
        value: str = object.__getattribute__(self, "_value")
        return value

    def __bool__(self) -> bool:
        return bool(self.reveal())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.reveal() == self.reveal()

    def __hash__(self) -> int:
        return hash(("Secret", self.reveal()))

    def __repr__(self) -> str:
        return f"Secret({REDACTED})"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return repr(self)

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("Secret is immutable")

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")


def redact(text: str, secrets: Iterable[Secret | str | None]) -> str:
    """Replace every occurrence of each secret in ``text`` with ``<hidden>``.

    The last line of defence for text that may have passed through code we do not own
    (exception messages from SDKs, server error bodies).
    """
    values = sorted(
        {s.reveal() if isinstance(s, Secret) else s for s in secrets if s},
        key=len,
        reverse=True,
    )
    values = [v for v in values if len(v) >= _MIN_REDACTED_LENGTH]
    if not values:
        return text
    pattern = re.compile("|".join(re.escape(v) for v in values))
    return pattern.sub(REDACTED, text)


def redact_known(text: str) -> str:
    """Redact every secret value this process has held (see :func:`redact`)."""
    with _known_lock:
        known = list(_known_values)
    return redact(text, known)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every known secret from a record before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_known(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
