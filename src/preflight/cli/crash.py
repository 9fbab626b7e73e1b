"""What a user sees when preflight itself is wrong: one line, and where the details went."""

from __future__ import annotations

import tempfile
import traceback
from pathlib import Path

import click

from preflight.errors import EXIT_INTERNAL
from preflight.secret import redact_known


def report_crash(exc: BaseException) -> int:
    """Write the traceback to a file, tell the user where, and return exit code 3.

    The exception text is not echoed: it may come from code we do not own. The file is private
    to the user (mode 0600) and every secret value this process held is redacted from it.
    """
    details = redact_known("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    with tempfile.NamedTemporaryFile(
        "w", prefix="preflight-crash-", suffix=".txt", delete=False, encoding="utf-8"
    ) as handle:
        handle.write(details)
    click.echo(
        f"preflight: internal error ({type(exc).__name__}). This is a bug in preflight.\n"
        f"  The details are in {Path(handle.name)}; please attach them to a bug report.",
        err=True,
    )
    return EXIT_INTERNAL
