"""Check a service endpoint the user configured before the first request is made to it.

A typo in ``TOWER_API_ENDPOINT`` or ``PREFLIGHT_ARM_ENDPOINT`` is unusable input (exit 2), named
by its setting; left alone it would surface as a transport failure that reads like an outage,
or as an exception from deep inside an HTTP library.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from preflight.errors import InputError


def checked_endpoint(
    url: str, setting: str, *, example: str, schemes: Sequence[str] = ("https", "http")
) -> str:
    """``url`` unchanged if it is an absolute URL with one of ``schemes`` and a host.

    Raises :class:`InputError` naming ``setting`` and showing ``example`` otherwise.
    """
    problem = ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as exc:
        problem = str(exc)
    else:
        if any(c.isspace() for c in url):
            problem = "it holds white space"
        elif parts.scheme.lower() not in schemes:
            problem = f"it must start with {' or '.join(f'{s}://' for s in schemes)}"
        elif not parts.hostname:
            problem = "it names no host"
    if problem:
        raise InputError(
            f"{url!r} is not a usable URL: {problem}",
            where=setting,
            remedy=f"set {setting} to the service's URL, e.g. {example}",
        )
    return url
