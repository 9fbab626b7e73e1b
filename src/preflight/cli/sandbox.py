"""`preflight sandbox`: placeholder until its issue lands."""

from __future__ import annotations

import click

from preflight.errors import InputError


@click.command(name="sandbox", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def command(args: tuple[str, ...]) -> None:
    """Not built yet."""
    raise InputError("preflight sandbox is not built yet")
