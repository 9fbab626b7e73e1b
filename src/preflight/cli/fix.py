"""``preflight fix``: turn Wave on and provision the ACR tokens and credentials that are missing.

The verb parses options and renders; :class:`~preflight.provision.session.FixSession` plans,
applies and proves. Progress goes to stderr, the plan and summary to stdout (one JSON object
with ``--format json`` — on failure too, with an ``error`` member and the error's own exit
code). Nothing secret is ever shown: passwords exist only inside the apply.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import click

from preflight.checks.base import CheckOptions
from preflight.cli.options import format_option, pipeline_options, settings_options
from preflight.errors import EXIT_FAIL, InputError, PreflightError
from preflight.pipeline import PipelineSpec
from preflight.report import render
from preflight.settings import Settings

if TYPE_CHECKING:
    from preflight.provision.fix import FixPlan
    from preflight.provision.planner import ProvisionOptions
    from preflight.provision.session import FixOutcome


@click.command(name="fix")
@pipeline_options
@click.option(
    "--only",
    type=click.Choice(["wave", "credentials"]),
    default=None,
    help="Fix only this part (default: both).",
)
@click.option("--dry-run", is_flag=True, help="Show the plan; change nothing.")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Apply without asking (for CI).")
@click.option(
    "--expiry",
    default=None,
    metavar="90d|YYYY-MM-DD",
    help="Expiry of a new token password (default: none, as Seqera recommends).",
)
@click.option(
    "--rotate",
    is_flag=True,
    help="Regenerate password1 and replace the credential where the credential cannot sign in "
    "(expired or stale password); a registry whose credential works is left alone.",
)
@click.option(
    "--wildcard",
    "wildcards",
    multiple=True,
    metavar="PREFIX",
    help="Grant PREFIX/* instead of each repository under PREFIX (repeatable).",
)
@click.option(
    "--token-name",
    default=None,
    metavar="NAME",
    help="Name of a new ACR token (default: wave-pull-<workspace id>).",
)
@settings_options
@format_option("text", "json")
def command(
    spec: PipelineSpec,
    only: str | None,
    dry_run: bool,
    assume_yes: bool,
    expiry: str | None,
    rotate: bool,
    wildcards: tuple[str, ...],
    token_name: str | None,
    settings: Settings,
    output_format: str,
) -> None:
    """Enable Wave and provision what PIPELINE's private ACR images need.

    \b
    For each ACR registry without a working Seqera credential: a scope map granting
    content/read on exactly the pipeline's repositories, a token, its password1, and the
    credential holding it. Shows the plan first; applies after confirmation on a terminal, or
    with --yes. A second run plans nothing.

    \b
    Exit codes: 0 done (or nothing to do), 1 something is blocked or failed (rolled back),
    2 unusable input (also a token or workspace Platform does not accept), 3 internal
    error, 4 a service could not be reached, 130 interrupted.
    """
    from preflight.provision.fix import PARTS
    from preflight.provision.names import check_token_name, check_wildcard, parse_expiry
    from preflight.provision.planner import ProvisionOptions
    from preflight.report.fix_json import failure_document

    try:
        options = ProvisionOptions(
            expiry=parse_expiry(expiry, datetime.now(timezone.utc)) if expiry else None,
            rotate=rotate,
            wildcards=tuple(check_wildcard(prefix) for prefix in wildcards),
            token_name=check_token_name(token_name) if token_name else None,
        )
        if not dry_run and not assume_yes and not sys.stdin.isatty():
            raise InputError(
                "preflight fix changes Azure and Seqera Platform, and stdin is not a terminal "
                "to confirm on",
                remedy="pass --yes to apply without asking, or --dry-run to only show the plan",
            )
    except PreflightError as exc:
        if output_format == "json":
            click.echo(failure_document(None, applied=False, error=exc))
        raise
    outcome = execute_fix(
        spec,
        settings,
        options,
        parts=(only,) if only else PARTS,
        dry_run=dry_run,
        assume_yes=assume_yes,
        output_format=output_format,
    )
    raise click.exceptions.Exit(outcome.exit_code if outcome else EXIT_FAIL)


def execute_fix(
    spec: PipelineSpec,
    settings: Settings,
    options: ProvisionOptions,
    *,
    parts: Sequence[str],
    dry_run: bool,
    assume_yes: bool,
    output_format: str,
    to_stderr: bool = False,
    verify: bool = True,
) -> FixOutcome | None:
    """Run the fix and render it; ``None`` when the user declined at the prompt.

    ``to_stderr`` sends the plan and summary to stderr too (``run --fix``: stdout is the
    report's). ``verify`` proves the pull with each new password right after the apply
    (``run --fix`` leaves that to the checks that follow).
    """
    from preflight.provision.session import FixSession
    from preflight.report.fix_json import failure_document, outcome_document

    def show(text: str) -> None:
        click.echo(text, err=to_stderr)

    def show_plan(plan: FixPlan) -> None:
        if output_format == "text":
            show("\n".join(plan.describe()))

    def confirm(_plan: FixPlan) -> bool:
        return assume_yes or click.confirm("Apply this plan?", err=True, default=False)

    session = FixSession(
        spec, settings, options, environ=os.environ, parts=parts, progress=_progress
    )
    try:
        outcome = session.run(dry_run=dry_run, show_plan=show_plan, confirm=confirm, verify=verify)
    except (PreflightError, KeyboardInterrupt, click.Abort) as exc:
        # Scripts read stdout: a failure is one JSON object there too; main() still says it
        # on stderr and ends with the error's own exit code.
        if output_format == "json":
            show(
                failure_document(
                    session.plan, applied=session.applying, result=session.result, error=exc
                )
            )
        raise
    if outcome.declined:
        click.echo("Nothing changed.", err=True)
        return None
    if output_format == "json":
        show(outcome_document(outcome))
    elif not outcome.applied:
        plan = outcome.plan
        if plan.empty:
            show(
                "Nothing to apply; see what is blocked above." if plan.blocked else "Nothing to do."
            )
    else:
        assert outcome.result is not None
        show("Done:\n" + "\n".join(f"  {line}" for line in outcome.result.describe()))
        if outcome.verification is not None:
            show("Proving the pull with the new token, as Wave will:")
            show(render("text", outcome.verification))
    return outcome


def fix_for_run(spec: PipelineSpec, settings: Settings, options: CheckOptions) -> CheckOptions:
    """``run --fix``: fix as ``fix --yes`` would (output on stderr), then hand the new
    passwords to the checks so the pull handshake proves them at once."""
    from preflight.provision.fix import PARTS
    from preflight.provision.planner import ProvisionOptions

    outcome = execute_fix(
        spec,
        settings,
        ProvisionOptions(),
        parts=PARTS,
        dry_run=False,
        assume_yes=True,
        output_format="text",
        to_stderr=True,
        verify=False,
    )
    if outcome is None or outcome.result is None or not outcome.result.applied.passwords:
        return options
    passwords = {**options.registry_passwords, **outcome.result.applied.passwords}
    return replace(options, registry_passwords=passwords)


def _progress(message: str) -> None:
    click.echo(message, err=True)
