"""preflight's expression evaluator agrees with a real Groovy runtime on a table of expressions.

The table and both renderings live in ``groovy_oracle.py``; Groovy's answers are cached in
``groovy_oracle_answers.json``, so this runs without Groovy. When ``groovy`` is installed and the
table gained expressions, the session asks Groovy once and rewrites the cache (``make oracle``
forces it).
"""

from __future__ import annotations

import pytest
from groovy_oracle import SCOPE, TABLE, load_answers, refresh, render

from preflight.model import Location
from preflight.nextflow.groovy.expressions import evaluate, parse_expression

AT = Location("nextflow.config", 1, 1)


@pytest.fixture(scope="session")
def answers() -> dict[str, str]:
    refresh()
    return load_answers()


def test_the_table_has_no_duplicates() -> None:
    assert len(set(TABLE)) == len(TABLE)


@pytest.mark.parametrize("text", TABLE)
def test_preflight_evaluates_as_groovy_does(text: str, answers: dict[str, str]) -> None:
    assert text in answers, "no answer from Groovy for this expression: run `make oracle`"
    assert render(evaluate(parse_expression(text, AT), SCOPE)) == answers[text]
