"""``preflight sandbox``: run the local stand-ins for Seqera Platform, Entra ID, ARM and ACR.

``sandbox up`` starts them, prints one JSON object (``--json``) or a short summary once
everything listens, and runs until SIGINT or SIGTERM, when it stops every child process and
exits 0. ``sandbox demo`` (its own module) runs the whole story against a fresh sandbox.
"""

from __future__ import annotations

import importlib
import json
import shlex
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import click

# Subcommands that live in their own modules, imported only when called.
LAZY_SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("preflight.cli.demo", "Run the whole story (fail, fix, pass) against a sandbox."),
}


class _SandboxGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_SUBCOMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in LAZY_SUBCOMMANDS:
            return super().get_command(ctx, cmd_name)
        try:
            module = importlib.import_module(LAZY_SUBCOMMANDS[cmd_name][0])
        except ImportError:
            return None
        loaded: click.Command = module.command
        return loaded


@click.group(name="sandbox", cls=_SandboxGroup)
def command() -> None:
    """Local, faithful stand-ins: Seqera Platform, Entra ID, ARM and ACR (a real registry)."""


@command.command(name="up")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (for scripts).")
@click.option(
    "--latency-ms",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Delay added to every request of every service.",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="SPEC",
    callback=lambda ctx, param, value: _check_faults(value),
    help="A fault from the first request, e.g. 'service=acr,status=429,retry_after=2,times=3'"
    " or 'service=platform,path_prefix=/credentials,drop=true' (repeatable). Keys: service"
    " (platform, arm, entra, acr, acr:<login server>), path_prefix, latency_ms, status,"
    " retry_after, drop, slow_body_ms, times.",
)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where certificates and registry storage go (default: a temporary directory,"
    " removed on exit).",
)
def up(as_json: bool, latency_ms: int, faults: tuple[str, ...], state_dir: Path | None) -> None:
    """Start the sandbox and run until interrupted (Ctrl-C or SIGTERM)."""
    from preflight.sandbox.runtime import start_sandbox

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    temporary = state_dir is None
    directory = (
        state_dir if state_dir is not None else Path(tempfile.mkdtemp(prefix="preflight-sandbox-"))
    )
    try:
        with start_sandbox(directory, latency_ms=latency_ms, faults=faults) as sandbox:
            if as_json:
                click.echo(json.dumps(sandbox.info))  # one line: easy to read for scripts
            else:
                click.echo(summary(sandbox.info))
            sys.stdout.flush()
            while not stop.wait(0.2):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if temporary:
            shutil.rmtree(directory, ignore_errors=True)


def _check_faults(specs: tuple[str, ...]) -> tuple[str, ...]:
    from preflight.sandbox.faults import FaultBoard

    board = FaultBoard()
    for spec in specs:
        try:
            board.set_from_text(spec)
        except ValueError as exc:
            raise click.BadParameter(f"{spec!r}: {exc}", param_hint="--fault") from None
    return specs


_KIND_LABELS = {
    "acr": "ACR",
    "dockerhub": "Docker Hub",
    "ghcr": "GHCR",
    "quay": "Quay",
    "generic": "Registry",
}


def summary(info: dict[str, Any]) -> str:
    """The human-readable form of ``sandbox up``'s JSON."""
    lines = ["preflight sandbox is up.", ""]
    seqera = info.get("seqera")
    if seqera:
        lines.append(f"  Seqera Platform  {seqera['endpoint']}  (user id {seqera['user_id']})")
        for workspace in seqera.get("workspaces", []):
            lines.append(
                f"    workspace {workspace['org']}/{workspace['name']}"
                f"  id {workspace['id']}  role {workspace['role']}"
            )
    azure = info["azure"]
    lines.append(f"  Entra ID         {azure['authority']}  (tenant {azure['tenant_id']})")
    if "arm_endpoint" in azure:
        lines.append(f"  Resource Manager {azure['arm_endpoint']}")
    for registry in info["registries"]:
        kind = _KIND_LABELS.get(registry.get("kind", "acr"), "Registry")
        lines.append(f"  {kind:<16} {registry['login_server']} at {registry['address']}")
        for image in registry["images"]:
            public = " (public)" if registry.get("public", {}).get(image) else ""
            lines.append(f"    image {image}{public}")
        for token in registry["tokens"]:
            lines.append(f"    token {token['name']}: {', '.join(token['repositories'])}")
    git = info.get("git")
    if git:
        lines.append(f"  Git host         https://{git['host']}")
        for repository in git["repositories"]:
            private = "  (private: GITHUB_TOKEN=<git.token>)" if repository["private"] else ""
            revisions = ", ".join(repository["revisions"])
            lines.append(f"    repository {repository['name']}: {revisions}{private}")
    lines += [
        f"  CA bundle        {info['ca_bundle']}",
        "",
        "To point preflight at it, export:",
        *(f"  export {name}={shlex.quote(value)}" for name, value in info["env"].items()),
        "",
        "Use --json for a machine-readable form. Stop with Ctrl-C.",
    ]
    return "\n".join(lines)
