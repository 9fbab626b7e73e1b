"""Names and dates ``fix`` chooses: the token, its scope map, the Seqera credential, the expiry.

ACR token names are 5-50 letters, digits and ``-`` (no underscore: the name is the registry
user name); scope-map names may also hold ``_``; Seqera credential names are letters, digits,
``-`` and ``_``. Derived names are stable, so a second ``fix`` finds what the first one made.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from preflight.errors import InputError

TOKEN_NAME = re.compile(r"^[A-Za-z0-9-]{5,50}$")
SCOPE_MAP_NAME = re.compile(r"^[A-Za-z0-9_-]{5,50}$")
CREDENTIAL_NAME = re.compile(r"^[A-Za-z0-9_-]{2,99}$")
SCOPE_MAP_SUFFIX = "-scope-map"  # azure-cli's convention for a token's own scope map
CREDENTIAL_SUFFIX = "-wave-pull"
_REPOSITORY_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
REPOSITORY_PREFIX = re.compile(rf"^{_REPOSITORY_COMPONENT}(?:/{_REPOSITORY_COMPONENT})*$")
_DURATION = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def check_token_name(name: str) -> str:
    """``name`` if ACR accepts it as a token name, else :class:`InputError`."""
    if not TOKEN_NAME.match(name):
        raise InputError(
            f"{name!r} is not a valid ACR token name",
            remedy="use 5-50 letters, digits or '-' (no underscores: it is the user name)",
        )
    return name


def check_wildcard(prefix: str) -> str:
    """The repository prefix ``--wildcard`` names (``team`` for ``team`` or ``team/*``), or ``*``
    for every repository; anything a repository name cannot start with is :class:`InputError`
    (it would match nothing, and the user's wish would be dropped in silence)."""
    text = prefix.strip()
    text = text[:-2] if text.endswith("/*") else text
    text = text.strip("/")
    if text == "*" or REPOSITORY_PREFIX.match(text):
        return text
    raise InputError(
        f"--wildcard {prefix!r} is not a repository prefix",
        remedy="name the prefix as the repositories start, in lower case: e.g. --wildcard "
        "team grants team/*; --wildcard '*' grants every repository",
    )


def default_token_name(workspace_id: int | None) -> str:
    """The token ``fix`` makes for Wave in one workspace: ``wave-pull-<workspace id>``."""
    return f"wave-pull-{workspace_id}" if workspace_id is not None else "wave-pull-personal"


def scope_map_name_for(token_name: str) -> str:
    """The token's own scope map: ``<token>-scope-map``, shortened to ACR's 50 characters."""
    return token_name[: 50 - len(SCOPE_MAP_SUFFIX)] + SCOPE_MAP_SUFFIX


def credential_names_for(registry_name: str, attempts: int = 5) -> list[str]:
    """Candidate Seqera credential names, first choice first: ``<registry>-wave-pull[-N]``."""
    base = re.sub(r"[^A-Za-z0-9_-]", "-", registry_name)[:80] + CREDENTIAL_SUFFIX
    return [base, *(f"{base}-{n}" for n in range(2, attempts + 1))]


def check_credential_name(name: str) -> str:
    """``name`` if Seqera Platform's character rule accepts it, else :class:`InputError`."""
    if not CREDENTIAL_NAME.match(name):
        raise InputError(
            f"{name!r} is not a valid Seqera credential name",
            remedy="use letters, digits, '-' or '_'",
        )
    return name


def parse_expiry(text: str, now: datetime) -> datetime:
    """``90d``/``12w``/``6m``/``1y`` from ``now``, or an ISO date/date-time, as an aware UTC time.

    Raises :class:`InputError` for anything else or a moment that is not in the future.
    """
    match = _DURATION.match(text)
    if match:
        try:
            moment = now + timedelta(days=int(match.group(1)) * _DAYS[match.group(2).lower()])
        except OverflowError:  # beyond what a date can hold (year 9999)
            raise InputError(
                f"--expiry {text!r} is too far in the future",
                remedy="write e.g. --expiry 90d, --expiry 1y or --expiry 2027-06-30, or leave "
                "--expiry out for a password that never expires",
            ) from None
    else:
        try:
            moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InputError(
                f"--expiry {text!r} is neither a duration nor an ISO date",
                remedy="write e.g. --expiry 90d, --expiry 1y or --expiry 2027-06-30",
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
    if moment <= now:
        raise InputError(
            f"--expiry {text!r} is not in the future",
            remedy="give a later date, or leave --expiry out for a password that never expires",
        )
    return moment.astimezone(timezone.utc)
