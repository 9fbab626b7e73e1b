"""Read what a registry or its token service said: error codes, a short excerpt, the problem.

Registries answer errors as ``{"errors": [{"code", "message", "detail"}]}``; ACR's token service
sometimes answers with plain text or ``{"error": …}``. These helpers pull out the words a user
needs, cut them short, and remove every secret the handshake knows before they are kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import httpx

from preflight.registry.failures import Problem
from preflight.secret import Secret, redact

EXCERPT_LIMIT = 240


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


def error_codes(response: httpx.Response) -> tuple[str, ...]:
    """The ``code`` of each entry of a distribution-style ``errors`` list (upper-cased)."""
    body = _json(response)
    if not isinstance(body, dict) or not isinstance(body.get("errors"), list):
        return ()
    return tuple(
        str(entry.get("code", "")).upper() for entry in body["errors"] if isinstance(entry, dict)
    )


def excerpt(response: httpx.Response, secrets: Iterable[Secret | str | None] = ()) -> str:
    """A short, redacted summary of the response body, for a finding's message."""
    body = _json(response)
    text = ""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            text = f"{first.get('code', '')}: {first.get('message', '')}".strip(": ")
        else:
            for key in ("message", "error_description", "error", "details"):
                if isinstance(body.get(key), str):
                    text = body[key]
                    break
    if not text and not isinstance(body, (dict, list)):
        text = response.content[: EXCERPT_LIMIT * 2].decode("utf-8", "replace").strip()
    text = " ".join(text.split())
    if len(text) > EXCERPT_LIMIT:
        text = text[: EXCERPT_LIMIT - 1] + "…"
    return redact(text, secrets)


def status_problem(status: int) -> Problem:
    """The problem a status means at any step, when the step itself has no better reading."""
    if status == 403:
        return Problem.FORBIDDEN
    if status == 429:
        return Problem.THROTTLED
    if status >= 500:
        return Problem.SERVER_ERROR
    return Problem.UNEXPECTED_STATUS


def refusal_problem(response: httpx.Response) -> Problem:
    """Why the token service refused Basic credentials, as precisely as its answer allows.

    ACR words its refusals differently per cause only sometimes; when the answer is the generic
    ``UNAUTHORIZED`` the cause stays open (:attr:`Problem.CREDENTIALS_REFUSED`).
    """
    if response.status_code not in (400, 401):
        return status_problem(response.status_code)
    text = response.text.lower()
    if "disabled" in text:
        return Problem.TOKEN_DISABLED
    if "expired" in text:
        return Problem.PASSWORD_EXPIRED
    if "not registered with aad" in text or "unknown token" in text or "no such token" in text:
        return Problem.UNKNOWN_TOKEN
    if "invalid username or password" in text or "incorrect password" in text:
        return Problem.WRONG_PASSWORD
    return Problem.CREDENTIALS_REFUSED
