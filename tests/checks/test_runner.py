"""The runner: one check's failure never hides another, errors keep their exit meaning, and no
secret reaches a finding."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from preflight.checks.base import (
    Check,
    CheckContext,
    gate_exit_code,
    run_checks,
)
from preflight.checks.services import Services
from preflight.errors import EXIT_FAIL, EXIT_INPUT, EXIT_INTERNAL, EXIT_PASS, InputError
from preflight.model import Finding, Status
from preflight.pipeline import PipelineSpec
from preflight.secret import REDACTED, Secret
from preflight.settings import Settings


class _Raises:
    def __init__(self, name: str, exc: Exception) -> None:
        self.name, self.exc = name, exc

    def run(self, context: CheckContext) -> Iterable[Finding]:
        raise self.exc


class _Passes:
    name = "fine"

    def run(self, context: CheckContext) -> Iterable[Finding]:
        return [Finding("fine", Status.PASS, "x", "all good")]


def _context(tmp_path: Path) -> CheckContext:
    return CheckContext(PipelineSpec(root=tmp_path), Settings(), Services())


def test_a_raising_check_becomes_an_error_and_the_others_still_run(tmp_path: Path) -> None:
    password = Secret("generated-password-7f1e")
    checks: list[Check] = [
        _Raises("boom", RuntimeError(f"server said {password.reveal()}")),
        _Passes(),
    ]
    report = run_checks(checks, _context(tmp_path))
    assert [f.status for f in report.findings] == [Status.ERROR, Status.PASS]
    assert "generated-password-7f1e" not in report.findings[0].message
    assert REDACTED in report.findings[0].message
    assert gate_exit_code(report) == EXIT_INTERNAL  # a bug stays a bug


def test_unusable_input_inside_a_check_keeps_exit_2(tmp_path: Path) -> None:
    report = run_checks(
        [_Raises("wave", InputError("bad file", where="nextflow.config:3:1", remedy="fix it"))],
        _context(tmp_path),
    )
    [finding] = report.findings
    assert finding.subject == "nextflow.config:3:1" and finding.remedy == "fix it"
    assert gate_exit_code(report) == EXIT_INPUT


def test_exit_codes_of_plain_reports(tmp_path: Path) -> None:
    assert gate_exit_code(run_checks([_Passes()], _context(tmp_path))) == EXIT_PASS

    class _Fails(_Passes):
        def run(self, context: CheckContext) -> Iterable[Finding]:
            return [Finding("fine", Status.FAIL, "x", "no")]

    assert gate_exit_code(run_checks([_Fails()], _context(tmp_path))) == EXIT_FAIL
