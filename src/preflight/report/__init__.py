"""Reporters: pure functions from a :class:`~preflight.model.Report` to text, looked up by name.

Every reporter has the signature ``render(report, *, color=False) -> str`` and returns text that
ends in one newline; only ``text`` uses ``color``. :func:`render` picks one by the name the user
gave to ``--format``; :data:`FORMATS` lists the names in the order help should show them.
Writing the text somewhere (stdout, or atomically to ``--output FILE``) is the caller's job —
see :mod:`preflight.report.output`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol

from preflight.errors import InputError
from preflight.model import Report
from preflight.report import github, json_report, junit, text
from preflight.report.progress import Progress


class Renderer(Protocol):
    """What every reporter is: a pure function of the report."""

    def __call__(self, report: Report, *, color: bool = False) -> str: ...


REPORTERS: Mapping[str, Renderer] = MappingProxyType(
    {
        "text": text.render,
        "json": json_report.render,
        "junit": junit.render,
        "github": github.render,
    }
)
FORMATS: tuple[str, ...] = tuple(REPORTERS)


def render(name: str, report: Report, *, color: bool = False) -> str:
    """``report`` in the format called ``name``; an unknown name is the user's input error."""
    try:
        reporter = REPORTERS[name]
    except KeyError:
        raise InputError(
            f"unknown report format {name!r}",
            remedy=f"use one of: {', '.join(FORMATS)}",
            where="--format",
        ) from None
    return reporter(report, color=color)


__all__ = ["FORMATS", "REPORTERS", "Progress", "render"]
