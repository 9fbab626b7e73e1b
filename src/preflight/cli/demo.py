"""``preflight sandbox demo``: the whole story, end to end, against the local sandbox.

A bundled pipeline whose images live in a private ACR; ``check`` fails (Wave off, no
credential); ``fix --yes`` enables Wave in a copy of the pipeline and provisions a token and the
Platform credential, then proves the pull; ``check`` passes. Then the same pipeline as a remote
one, from the sandbox's ``github.com``: its tag without Wave fails, the one with Wave passes, and
the private repository is read only with the token. Each step runs the real
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
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import click

from preflight.errors import EXIT_FAIL, EXIT_INPUT, EXIT_PASS

# Variables of the user's own shell that would point preflight away from the sandbox.
_FOREIGN_PREFIXES = ("TOWER_", "AZURE_", "PREFLIGHT_", "NXF_")


@dataclass(frozen=True)
class DemoStep:
    title: str
    args: tuple[str, ...]
    expected_exit: int
    env: Mapping[str, str] = field(default_factory=dict)  # added to the step's environment
    shown_env: str = ""  # how the step's extra environment is shown (never a secret)


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


def remote_steps(token: str) -> tuple[DemoStep, ...]:
    """The story again on a remote pipeline, read from the sandbox's github.com."""
    return (
        DemoStep(
            "A remote pipeline at a tag: acme/demo-pipeline v1.0 has Wave off, so this fails.",
            ("check", "acme/demo-pipeline", "-r", "v1.0"),
            EXIT_FAIL,
        ),
        DemoStep(
            "Its tag v1.1 enables Wave (and the credential exists now): the check passes.",
            ("check", "acme/demo-pipeline", "-r", "v1.1"),
            EXIT_PASS,
        ),
        DemoStep(
            "fix never edits a remote pipeline's copy: it says where to make the Wave edit.",
            ("fix", "acme/demo-pipeline", "-r", "v1.0", "--only", "wave", "--dry-run"),
            EXIT_FAIL,
        ),
        DemoStep(
            "A private repository without a token: a clear error, exit 2.",
            ("check", "acme/private-pipeline"),
            EXIT_INPUT,
        ),
        DemoStep(
            "The same with the token (never shown): the check passes.",
            ("check", "acme/private-pipeline"),
            EXIT_PASS,
            env={"GITHUB_TOKEN": token},
            shown_env="GITHUB_TOKEN=<the sandbox's git token>",
        ),
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
            steps = demo_steps(pipeline)
            if sandbox.git is not None:
                steps += remote_steps(sandbox.git.token)
            failures = run_steps(steps, env, workdir)
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
        prefix = f"{step.shown_env} " if step.shown_env else ""
        click.secho(f"$ {prefix}preflight {shown}", fg="cyan")
        result = subprocess.run(
            [sys.executable, "-m", "preflight", *step.args],
            env={**env, **step.env},
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
