"""The Python API for wrapper scripts: ``preflight.check(...)`` returns the report.

Placeholder until the check runner lands (issue: one command in front of every launch).
"""

from __future__ import annotations

from typing import Any

from preflight.errors import InputError
from preflight.model import Report


def check(*args: Any, **kwargs: Any) -> Report:
    """Run every check on a pipeline and return the report."""
    raise InputError("preflight.check is not built yet")
