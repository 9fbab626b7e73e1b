"""The ``preflight`` command: a click group whose verbs load only when they are called.

``main(argv) -> int`` is the one place that turns exceptions into exit codes. Verb modules are
imported lazily so that ``preflight --help`` costs an interpreter start and click, nothing more
(no Azure SDK, no httpx).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click

from preflight import __version__
from preflight.errors import (
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    PreflightError,
)

# verb → (module, one-line help). The help is here so that listing verbs imports nothing.
VERBS: dict[str, tuple[str, str]] = {
    "check": ("preflight.cli.check", "Run every check on a pipeline and report (read-only)."),
    "images": ("preflight.cli.images", "List the container images a pipeline uses, per process."),
    "config": ("preflight.cli.config", "Print the pipeline's resolved Nextflow configuration."),
    "fix": ("preflight.cli.fix", "Enable Wave and provision missing ACR tokens and credentials."),
    "run": ("preflight.cli.run", "Check, then run a command (nextflow run, tw launch) on a pass."),
    "sandbox": ("preflight.cli.sandbox", "Local stand-ins: Platform, Entra ID, ARM, ACR."),
}


class LazyVerbs(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(VERBS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in VERBS:
            return None
        module = importlib.import_module(VERBS[cmd_name][0])
        command: click.Command = module.command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, helptext) for name, (_, helptext) in VERBS.items()])


@click.group(cls=LazyVerbs, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="preflight")
@click.option(
    "--debug",
    is_flag=True,
    help="Log every step (HTTP requests included) to stderr; secrets are always hidden.",
)
def cli(debug: bool) -> None:
    """Will Wave be able to pull every private ACR image this Nextflow run needs?

    preflight reads the pipeline as Nextflow does, finds its Azure Container Registry images,
    and checks the Seqera Platform credential, the ACR token and the pull itself — before launch.

    \b
    Exit codes: 0 pass · 1 a check failed · 2 unusable input · 3 internal error · 130 interrupted
    """
    if debug:
        enable_debug_logging()


def enable_debug_logging() -> None:
    """Debug logs of preflight and the HTTP stacks to stderr, through the secret filter."""
    import logging

    from preflight.secret import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name in ("preflight", "httpx", "httpcore", "azure", "msal"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code; never raises (but for SystemExit).

    As the program itself (``argv`` is ``None``), an interrupted run ends the process at once
    with 130: worker threads still waiting on a network answer would otherwise hold the exit
    until their timeout. Callers that pass ``argv`` always get the code back.
    """
    code = _run(argv)
    if argv is None and code == EXIT_INTERRUPTED:
        _end_now(code)
    if argv is None:
        # The process ends next: what the command left alive (configuration trees, scans) is
        # freed by the exit, so the collector need not walk it all again at shutdown — about
        # a third of `preflight images` on a large pipeline.
        import gc

        gc.freeze()
    return code


def _end_now(code: int) -> None:
    """Flush what was said and leave without waiting for threads (only after an interrupt)."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _run(argv: Sequence[str] | None) -> int:
    """Turn every outcome of one command line into its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args=args, prog_name="preflight", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.Abort:
        click.echo("Interrupted.", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return EXIT_INPUT
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return EXIT_INTERRUPTED
    except PreflightError as exc:
        click.echo(f"preflight: {exc}", err=True)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug, say so
        from preflight.cli.crash import report_crash

        return report_crash(exc)
    return int(result or 0)


__all__ = ["EXIT_INTERNAL", "cli", "main"]
