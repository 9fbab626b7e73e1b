"""``preflight fix --format json``: one JSON object on stdout, whether the fix ended or failed.

``plan`` (or ``null`` before planning ended), ``applied``, ``result`` (what the apply made),
``verification`` (the pull proof, as the JSON report) and, on failure, ``error`` with ``kind``,
``message``, ``remedy``, ``where`` and the ``exit_code`` the run ends with. Messages are the
exceptions' own, which never hold a secret.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from preflight.errors import EXIT_INTERRUPTED, PreflightError

if TYPE_CHECKING:
    from preflight.provision.fix import FixPlan, FixResult
    from preflight.provision.session import FixOutcome


def outcome_document(outcome: FixOutcome) -> str:
    """The answer of a fix that ended (applied or not)."""
    from preflight.report import render

    data: dict[str, Any] = {
        "plan": outcome.plan.to_dict(),
        "applied": outcome.applied,
        "result": None if outcome.result is None else outcome.result.to_dict(),
    }
    if outcome.applied:
        data["verification"] = (
            None
            if outcome.verification is None
            else json.loads(render("json", outcome.verification))
        )
    return _dumps(data)


def failure_document(
    plan: FixPlan | None,
    *,
    applied: bool,
    error: BaseException,
    result: FixResult | None = None,
) -> str:
    """The answer of a fix that could not finish.

    ``plan`` is the plan if planning got that far, else ``None``; ``applied`` is true once the
    apply started (some changes may be kept: ``error.message`` says which and what was rolled
    back); ``result`` is what the apply made when only the proof after it failed, else ``None``.
    """
    return _dumps(
        {
            "plan": None if plan is None else plan.to_dict(),
            "applied": applied,
            "result": None if result is None else result.to_dict(),
            "error": error_object(error),
        }
    )


def error_object(error: BaseException) -> dict[str, Any]:
    """``kind`` (the exception class, or ``interrupted``), ``message``, ``remedy``, ``where``
    and the ``exit_code`` of a failure."""
    if isinstance(error, PreflightError):
        return {
            "kind": type(error).__name__,
            "message": error.message,
            "remedy": error.remedy or None,
            "where": error.where or None,
            "exit_code": error.exit_code,
        }
    return {
        "kind": "interrupted",
        "message": "interrupted",
        "remedy": None,
        "where": None,
        "exit_code": EXIT_INTERRUPTED,
    }


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=False)
