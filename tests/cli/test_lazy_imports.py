"""The verbs that never need Azure never pay for it: the SDKs are imported only where used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "src/preflight/sandbox/data/demo-pipeline"

PROBE = """
import json, sys
from preflight.cli import main
code = main(sys.argv[1:])
heavy = sorted({m.split('.')[0] for m in sys.modules} & {'azure', 'msal'})
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["config", str(DEMO)],
        ["images", str(DEMO), "--format", "json"],
        ["check", str(DEMO), "--offline"],
    ],
    ids=["config", "images", "check-offline"],
)
def test_verb_does_not_import_the_azure_sdks(args: list[str], tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    probe = json.loads(result.stderr.strip().splitlines()[-1])
    assert probe["code"] in (0, 1), result.stderr
    assert probe["heavy"] == []
