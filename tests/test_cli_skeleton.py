"""The command line's contract: verbs, version, and one test per exit code."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from preflight import __version__, cli
from preflight.errors import (
    EXIT_FAIL,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_PASS,
    ServiceError,
)


def test_help_lists_every_verb(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == EXIT_PASS
    out = capsys.readouterr().out
    for verb in ("check", "images", "config", "fix", "run", "sandbox"):
        assert f"  {verb} " in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == EXIT_PASS
    assert __version__ in capsys.readouterr().out


def test_help_imports_no_sdk_and_no_http_client() -> None:
    code = (
        "import sys; from preflight.cli import main; main(['--help']); "
        "print(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'azure', 'httpx', 'msal', 'pyhocon'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_unknown_option_is_unusable_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--no-such-option"]) == EXIT_INPUT
    assert "no-such-option" in capsys.readouterr().err


def test_unknown_verb_is_unusable_input() -> None:
    assert cli.main(["launch-rockets"]) == EXIT_INPUT


def _with_verb(monkeypatch: pytest.MonkeyPatch, callback: click.Command) -> None:
    """Register a throwaway verb whose behaviour the test chooses."""
    module = type(sys)("preflight_test_verb")
    module.command = callback  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "preflight_test_verb", module)
    monkeypatch.setitem(cli.VERBS, "probe", ("preflight_test_verb", "test verb"))


def test_service_error_fails_the_gate(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    @click.command()
    def probe() -> None:
        raise ServiceError("Platform said no", remedy="check the token")

    _with_verb(monkeypatch, probe)
    assert cli.main(["probe"]) == EXIT_FAIL
    err = capsys.readouterr().err
    assert "Platform said no" in err and "check the token" in err


def test_bug_is_internal_error_with_details_in_a_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    @click.command()
    def probe() -> None:
        raise ZeroDivisionError("the secret is hunter2")

    _with_verb(monkeypatch, probe)
    assert cli.main(["probe"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "internal error (ZeroDivisionError)" in err
    assert "hunter2" not in err  # exception text may carry anything: it goes to the file only
    crash_file = err.split("details are in ")[1].split(";")[0]
    with open(crash_file, encoding="utf-8") as handle:
        assert "ZeroDivisionError" in handle.read()


def test_ctrl_c_is_130(monkeypatch: pytest.MonkeyPatch) -> None:
    @click.command()
    def probe() -> None:
        raise KeyboardInterrupt

    _with_verb(monkeypatch, probe)
    assert cli.main(["probe"]) == EXIT_INTERRUPTED


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "preflight", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and __version__ in result.stdout


def test_every_option_of_every_verb_is_described() -> None:
    """`preflight VERB --help` lists no option without saying what it does."""
    import click

    from preflight.cli import cli as group

    undescribed: list[str] = []

    def walk(command: click.Command, path: str) -> None:
        undescribed.extend(
            f"{path} {'/'.join(p.opts)}"
            for p in command.params
            if isinstance(p, click.Option) and not p.hidden and not (p.help or "").strip()
        )
        if isinstance(command, click.Group):
            with click.Context(command) as ctx:
                for name in command.list_commands(ctx):
                    sub = command.get_command(ctx, name)
                    assert sub is not None, name
                    walk(sub, f"{path} {name}")

    walk(group, "preflight")
    assert undescribed == []
