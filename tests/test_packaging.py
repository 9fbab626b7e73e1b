"""Packaging metadata in the form current build tools read without deprecation warnings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _pyproject() -> dict[str, Any]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    data: dict[str, Any] = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    return data


def test_the_licence_is_an_spdx_expression_and_the_backend_reads_it() -> None:
    data = _pyproject()
    # A table ({ text = … }) makes setuptools warn on every build step; a string is PEP 639.
    assert data["project"]["license"] == "Apache-2.0"
    # setuptools reads the string form from 77 on; older ones reject it.
    assert "setuptools>=77" in data["build-system"]["requires"]
    classifiers = data["project"].get("classifiers", [])
    assert not any(c.startswith("License ::") for c in classifiers)  # PEP 639 forbids both
