"""``preflight fix``: turn Wave on and provision the ACR tokens and credentials that are missing.

Parse options, build the clients, show the plan, ask (or take ``--yes``), apply, summarise.
Progress goes to stderr, the plan and summary to stdout (one JSON object with
``--format json`` — on failure too, with an ``error`` member and the error's own exit code).
Nothing secret is ever shown: passwords exist only inside the apply.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from preflight.checks.base import CheckOptions
from preflight.cli.options import format_option, pipeline_options
from preflight.errors import EXIT_FAIL, EXIT_INTERRUPTED, EXIT_PASS, InputError, PreflightError
from preflight.model import ImageUse
from preflight.pipeline import PipelineSpec
from preflight.provision.verify import verify_pull
from preflight.report import render
from preflight.settings import Settings

if TYPE_CHECKING:
    from preflight.provision.fix import FixPlan, FixResult
    from preflight.provision.planner import ProvisionOptions


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
    help="Regenerate password1 of a token a credential uses, and replace that credential.",
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
@click.option(
    "-w",
    "--workspace",
    default=None,
    metavar="ID|ORG/WORKSPACE",
    help="Platform workspace for the credential (default: $TOWER_WORKSPACE_ID, else personal).",
)
@click.option(
    "--ca-bundle",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Extra trusted CA certificates, PEM (default: $PREFLIGHT_CA_BUNDLE).",
)
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
    workspace: str | None,
    ca_bundle: Path | None,
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
    2 unusable input.
    """
    from preflight.provision.fix import PARTS
    from preflight.provision.names import check_token_name, check_wildcard, parse_expiry
    from preflight.provision.planner import ProvisionOptions

    try:
        settings = Settings.from_environ(os.environ, workspace=workspace, ca_bundle=ca_bundle)
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
            click.echo(_json(failure_document(None, applied=False, error=exc)))
        raise
    parts = (only,) if only else PARTS
    exit_code, _ = execute_fix(
        spec,
        settings,
        options,
        parts=parts,
        dry_run=dry_run,
        assume_yes=assume_yes,
        output_format=output_format,
    )
    raise click.exceptions.Exit(exit_code)


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
) -> tuple[int, FixResult | None]:
    """Plan, show, confirm, apply, summarise: the exit code and what was applied (if anything).

    ``to_stderr`` sends the plan and summary to stderr too (``run --fix``: stdout is the
    report's). ``verify`` proves the pull with each new password right after the apply
    (``run --fix`` leaves that to the checks that follow).
    """
    from preflight.provision.fix import apply_fix, plan_fix
    from preflight.wiring import build_services

    def show(text: str) -> None:
        click.echo(text, err=to_stderr)

    plan: FixPlan | None = None
    result: FixResult | None = None
    applying = False
    try:
        services = build_services(settings, os.environ)
        try:
            plan = plan_fix(
                spec,
                parts=parts,
                images=lambda pipeline: discover_images(pipeline, settings),
                arm=lambda: services.arm,
                platform=lambda: services.platform,
                workspace=settings.workspace,
                options=options,
                progress=_progress,
            )
            if output_format == "text":
                show("\n".join(plan.describe()))
            if dry_run or plan.empty:
                if output_format == "json":
                    show(_json({"plan": plan.to_dict(), "applied": False, "result": None}))
                elif plan.empty:
                    show(
                        "Nothing to apply; see what is blocked above."
                        if plan.blocked
                        else "Nothing to do."
                    )
                return (EXIT_FAIL if plan.blocked else EXIT_PASS), None
            if not assume_yes and not click.confirm("Apply this plan?", err=True, default=False):
                click.echo("Nothing changed.", err=True)
                return EXIT_FAIL, None
            applying = True
            result = apply_fix(
                plan,
                arm=lambda: services.arm,
                platform=lambda: services.platform,
                progress=_progress,
            )
        finally:
            services.close()
        verification = (
            verify_pull(spec, settings, result.applied.passwords, os.environ) if verify else None
        )
    except (PreflightError, KeyboardInterrupt, click.Abort) as exc:
        # Scripts read stdout: a failure is one JSON object there too; main() still says it
        # on stderr and ends with the error's own exit code.
        if output_format == "json":
            show(_json(failure_document(plan, applied=applying, result=result, error=exc)))
        raise
    proven = verification is None or verification.passed
    if output_format == "json":
        show(
            _json(
                {
                    "plan": plan.to_dict(),
                    "applied": True,
                    "result": result.to_dict(),
                    "verification": None
                    if verification is None
                    else json.loads(render("json", verification)),
                }
            )
        )
    else:
        show("Done:\n" + "\n".join(f"  {line}" for line in result.describe()))
        if verification is not None:
            show("Proving the pull with the new token, as Wave will:")
            show(render("text", verification))
    return (EXIT_FAIL if plan.blocked or not proven else EXIT_PASS), result


def failure_document(
    plan: FixPlan | None,
    *,
    applied: bool,
    error: BaseException,
    result: FixResult | None = None,
) -> dict[str, Any]:
    """The ``--format json`` answer of a ``fix`` that could not finish.

    ``plan`` is the plan if planning got that far, else ``None``; ``applied`` is true once the
    apply started (some changes may be kept: ``error.message`` says which and what was rolled
    back); ``result`` is what the apply made when only the proof after it failed, else ``None``.
    ``error`` carries the exit code the run ends with.
    Messages are the exceptions' own, which never hold a secret.
    """
    return {
        "plan": None if plan is None else plan.to_dict(),
        "applied": applied,
        "result": None if result is None else result.to_dict(),
        "error": error_object(error),
    }


def error_object(error: BaseException) -> dict[str, Any]:
    """``kind`` (the exception class, or ``interrupted``), ``message``, ``remedy``, ``where``
    and the ``exit_code`` of a failure, as JSON."""
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


def fix_for_run(spec: PipelineSpec, settings: Settings, options: CheckOptions) -> CheckOptions:
    """``run --fix``: fix as ``fix --yes`` would (output on stderr), then hand the new
    passwords to the checks so the pull handshake proves them at once."""
    from preflight.provision.fix import PARTS
    from preflight.provision.planner import ProvisionOptions

    _, result = execute_fix(
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
    if result is None or not result.applied.passwords:
        return options
    passwords = {**options.registry_passwords, **result.applied.passwords}
    return replace(options, registry_passwords=passwords)


def discover_images(spec: PipelineSpec, settings: Settings) -> Sequence[ImageUse]:
    """Every image the pipeline's processes use, read as the checks read it (the settings'
    config syntax included)."""
    from preflight.checks.facts import RunFacts
    from preflight.checks.services import Services

    return RunFacts(spec, settings, CheckOptions(), Services()).image_uses.get()


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=False)
