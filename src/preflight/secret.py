"""One secret type that cannot print itself, and the one place where redaction happens.

A ``Secret`` is what passwords and access tokens travel in between the place they come from
(an environment variable, Azure, stdin) and the one request that needs them. ``str()``,
``repr()``, f-strings, logging, ``json.dumps`` and pickling all refuse to reveal the value;
only :meth:`Secret.reveal` does, at the point of use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NoReturn

REDACTED = "<hidden>"


class Secret:
    """A value that is never shown: only :meth:`reveal` gives it back."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        object.__setattr__(self, "_value", value)

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
    values = [v for v in values if len(v) >= 4]
    if not values:
        return text
    pattern = re.compile("|".join(re.escape(v) for v in values))
    return pattern.sub(REDACTED, text)
