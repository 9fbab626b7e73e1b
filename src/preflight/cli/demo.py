"""``preflight sandbox demo``: the whole story, end to end, against the local sandbox.

A bundled pipeline whose images live in a private ACR; ``check`` fails (Wave off, no
credential); ``fix --yes`` enables Wave in a copy of the pipeline and provisions a token and the
Platform credential, then proves the pull; ``check`` passes. Each step runs the real
``preflight`` command line in a child process, with the sandbox's environment, exactly as a user
would type it. The demo exits non-zero if any step does not end as the story says it should.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import click

from preflight.errors import EXIT_FAIL, EXIT_PASS

# Variables of the user's own shell that would point preflight away from the sandbox.
_FOREIGN_PREFIXES = ("TOWER_", "AZURE_", "PREFLIGHT_", "NXF_")


@dataclass(frozen=True)
class DemoStep:
    title: str
    args: tuple[str, ...]
    expected_exit: int


def demo_steps(pipeline: Path) -> tuple[DemoStep, ...]:
    where = str(pipeline)
    return (
        DemoStep(
            "Which images will this run pull, and which are on ACR?", ("images", where), EXIT_PASS
        ),
        DemoStep(
            "Check before launch: Wave is off and no credential exists, so this must fail.",
            ("check", where),
            EXIT_FAIL,
        ),
        DemoStep(
            "Preview the fix without changing anything.", ("fix", where, "--dry-run"), EXIT_PASS
        ),
        DemoStep(
            "Fix: enable Wave, provision a repository-scoped ACR token and the Platform "
            "credential, then prove the pull.",
            ("fix", where, "--yes"),
            EXIT_PASS,
        ),
        DemoStep("Check again: everything Wave needs is in place.", ("check", where), EXIT_PASS),
        DemoStep("A second fix plans nothing.", ("fix", where, "--yes"), EXIT_PASS),
    )


@click.command(name="demo")
@click.option(
    "--keep", is_flag=True, help="Keep the demo's working directory (its path is printed)."
)
def command(keep: bool) -> None:
    """Run the whole story against a local sandbox: fail, fix, pass."""
    from preflight.sandbox.runtime import start_sandbox

    workdir = Path(tempfile.mkdtemp(prefix="preflight-demo-"))
    try:
        pipeline = workdir / "demo-pipeline"
        source = resources.files("preflight.sandbox") / "data" / "demo-pipeline"
        with resources.as_file(source) as path:
            shutil.copytree(path, pipeline)
        click.secho("Starting the sandbox (Seqera Platform, Entra ID, ARM, ACR) …", bold=True)
        with start_sandbox(workdir / "sandbox") as sandbox:
            env = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN_PREFIXES)}
            env.update(sandbox.env)
            env["HOME"] = str(workdir / "home")
            failures = run_steps(demo_steps(pipeline), env, workdir)
    finally:
        if keep:
            click.echo(f"The demo's files are in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if failures:
        click.secho(
            f"Demo: {len(failures)} step(s) did not end as expected: " + ", ".join(failures),
            fg="red",
            bold=True,
        )
        raise click.exceptions.Exit(EXIT_FAIL)
    click.secho("Demo finished: every step ended as the story says.", fg="green", bold=True)


def run_steps(steps: tuple[DemoStep, ...], env: dict[str, str], workdir: Path) -> list[str]:
    """Run each step as a user would; return the titles of those that ended unexpectedly."""
    failures = []
    for number, step in enumerate(steps, start=1):
        click.echo()
        click.secho(f"[{number}/{len(steps)}] {step.title}", bold=True)
        shown = " ".join(shlex.quote(a.replace(str(workdir) + os.sep, "")) for a in step.args)
        click.secho(f"$ preflight {shown}", fg="cyan")
        result = subprocess.run(
            [sys.executable, "-m", "preflight", *step.args],
            env=env,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            check=False,
            timeout=300,
        )
        if result.returncode != step.expected_exit:
            click.secho(f"  expected exit {step.expected_exit}, got {result.returncode}", fg="red")
            failures.append(f"step {number}")
        else:
            click.secho(f"  exit {result.returncode}, as expected", fg="green")
    return failures
