"""What the integration tests share: the project root, stub commands, a report to feed them."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

from preflight import report
from preflight.model import Finding, Location, Report, Status

PROJECT = Path(__file__).resolve().parents[2]
PYTHON_BIN = str(Path(sys.executable).parent)  # this interpreter as `python`, with preflight
SYSTEM_PATH = "/usr/bin:/bin"

# A stand-in for the `preflight` command: records its arguments, copies $STUB_REPORT to the
# --output path when there is one, prints $STUB_VERSION for --version, exits with $STUB_EXIT.
STUB_PREFLIGHT = """#!/usr/bin/env bash
if [ "${1:-}" = "--version" ]; then echo "preflight, version ${STUB_VERSION:-0.1.0}"; exit 0; fi
printf '%s\\n' "$@" > "$STUB_DIR/preflight.args"
out=""; prev=""
for arg in "$@"; do
    if [ "$prev" = "--output" ]; then out="$arg"; fi
    prev="$arg"
done
if [ -n "${STUB_REPORT:-}" ] && [ -n "$out" ]; then cp "$STUB_REPORT" "$out"; fi
echo "stub preflight ran"
exit "${STUB_EXIT:-0}"
"""


def stub(directory: Path, name: str, script: str) -> Path:
    """An executable ``name`` in ``directory`` running ``script``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def recorded_args(directory: Path, name: str = "preflight") -> list[str]:
    return (directory / f"{name}.args").read_text().splitlines()


def gate_report(passed: bool) -> Report:
    """A small report: one finding on a config line, failing or passing."""
    status = Status.PASS if passed else Status.FAIL
    return Report(
        findings=(
            Finding(
                "wave",
                status,
                "wave.enabled",
                "Wave is not enabled" if not passed else "on",
                remedy="run: preflight fix --only wave",
                location=Location("nextflow.config", 3, 1),
            ),
            Finding(
                "token",
                Status.WARN,
                "wave-pull",
                "password1 expires in 6 days",
                details={"registry": "labacr.azurecr.io"},
            ),
        ),
        pipeline=".",
    )


def write_json_report(path: Path, passed: bool) -> Path:
    path.write_text(report.render("json", gate_report(passed)))
    return path


_EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def expand(template: str, context: Mapping[str, str]) -> str:
    """Expand ``${{ name }}`` the way the runner would, from ``context``; unknown names fail."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in context:
            raise KeyError(f"expression {name!r} has no value in this test")
        return context[name]

    return _EXPRESSION.sub(value, template)


def base_env(tmp_path: Path, path: str) -> dict[str, str]:
    """A minimal environment for a script: its own HOME and PATH, nothing from ours."""
    return {"HOME": str(tmp_path / "home"), "PATH": path, "LANG": os.environ.get("LANG", "C.UTF-8")}
