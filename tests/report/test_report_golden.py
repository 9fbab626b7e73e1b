"""Golden files: each format renders the representative report byte for byte as reviewed.

To regenerate after an intended change, run with ``UPDATE_GOLDEN=1``; the files are rewritten
and the run fails on purpose (a regenerated golden file proves nothing until a person has read
the diff). Off by default.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from report_sample import sample_report

from preflight import report

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

CASES = [
    ("text", False, "report.txt"),
    ("text", True, "report.color.txt"),
    ("json", False, "report.json"),
    ("junit", False, "report.junit.xml"),
    ("github", False, "report.github.txt"),
]


@pytest.mark.parametrize(("name", "color", "filename"), CASES)
def test_format_matches_golden_file(name: str, color: bool, filename: str) -> None:
    rendered = report.render(name, sample_report(), color=color)
    golden = GOLDEN / filename
    if UPDATE:
        golden.write_bytes(rendered.encode("utf-8"))
        pytest.fail(f"rewrote {golden.name}: review the diff, then run again without UPDATE_GOLDEN")
    assert golden.exists(), f"no golden file {golden.name}: run once with UPDATE_GOLDEN=1"
    expected = golden.read_bytes().decode("utf-8")
    assert rendered == expected


def test_every_format_has_a_golden_file() -> None:
    assert {name for name, _, _ in CASES} == set(report.FORMATS)
