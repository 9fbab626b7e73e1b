"""Golden files: ``preflight images --format json`` of every fixture pipeline, as reviewed.

Each pipeline under ``fixtures/images`` and ``fixtures/pipelines`` has its JSON under
``golden/`` (the pipeline's own path written as ``<PIPELINE>``). A change to what any of them
resolves shows here as a diff to review. To regenerate after an intended change, run with
``UPDATE_GOLDEN=1``: the files are rewritten and the run fails on purpose (a regenerated golden
file proves nothing until a person has read the diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from preflight.cli import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
PIPELINES = sorted(
    path for group in ("images", "pipelines") for path in (FIXTURES / group).iterdir()
)


def _golden_name(pipeline: Path) -> str:
    return f"{pipeline.parent.name}-{pipeline.name}.json"


@pytest.mark.parametrize("pipeline", PIPELINES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_images_json_matches_golden_file(
    pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["images", str(pipeline), "--format", "json"])
    out, _ = capsys.readouterr()
    rendered = out.replace(str(pipeline), "<PIPELINE>")
    document = json.loads(rendered)
    # The exit status follows the report's status: 1 only when something fails.
    assert code == (1 if document["status"] == "fail" else 0)
    golden = GOLDEN / _golden_name(pipeline)
    if UPDATE:
        golden.write_text(rendered, encoding="utf-8")
        pytest.fail(f"rewrote {golden.name}: review the diff, then run again without UPDATE_GOLDEN")
    assert golden.exists(), f"no golden file {golden.name}: run once with UPDATE_GOLDEN=1"
    assert rendered == golden.read_text(encoding="utf-8")


def test_every_golden_file_has_its_pipeline() -> None:
    assert {p.name for p in GOLDEN.glob("*.json")} == {_golden_name(p) for p in PIPELINES}
