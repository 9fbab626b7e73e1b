"""Statements continued on the next line, as Groovy's grammar continues them (issue 16, item 1).

A line that ends with a binary operator, the ternary's ``?`` or ``:``, ``?:``, ``.``, ``,`` or an
open bracket goes on; so does a next line that starts with ``.``, ``?.``, ``?:``, ``?``, ``:``,
``&&``, ``||``, a comparison or ``*``/``/``/``%``. A next line that starts with ``+``, ``-``,
``(`` or ``[`` is a new statement.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.model import Location
from preflight.nextflow.config.evaluator import resolve_config
from preflight.nextflow.groovy.expressions import call_closure, evaluate, parse_expression
from preflight.nextflow.groovy.values import Closure
from preflight.pipeline import PipelineSpec

AT = Location("nextflow.config", 1, 1)
SCOPE = {"workflow": {"containerEngine": "docker"}, "task": {"ext": {}}, "params": {"a": 1}}


def closure_value(body: str) -> object:
    value = evaluate(parse_expression("{ " + body + " }", AT), SCOPE)
    assert isinstance(value, Closure)
    return call_closure(value, SCOPE)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # the shape: the line ends with '?' and then with the ternary's ':'
        (
            "workflow.containerEngine == 'singularity' && !task.ext.x ?\n"
            "    'https://depot/img:1' :\n    'org/img:1'",
            "org/img:1",
        ),
        (
            "workflow.containerEngine == 'singularity' &&\n    !task.ext.x\n"
            "    ? 'https://depot/img:1'\n    : 'org/img:1'",
            "org/img:1",
        ),
        ("'abc'.\n toUpperCase()", "ABC"),
        ("'abc'\n .toUpperCase()", "ABC"),
        ("'abc'\n ?.toUpperCase()", "ABC"),
        ("null\n ?: 'x'", "x"),
        ("null ?:\n 'x'", "x"),
        ("1 +\n 2", 3),
        ("[1,\n 2]", [1, 2]),
        ("true\n && false", False),
        ("false\n || true", True),
        ("2\n * 3", 6),
        ("params.a ==\n 1", True),
        ("params.a\n == 1", True),
    ],
)
def test_a_closure_body_continued_on_the_next_line_is_one_expression(
    body: str, expected: object
) -> None:
    assert closure_value(body) == expected


@pytest.mark.parametrize("body", ["1\n + 2", "1\n - 2", "2\n ** 3"])
def test_a_next_line_starting_with_plus_minus_or_power_is_a_new_statement(body: str) -> None:
    # Groovy reads ``1`` then ``+2``: two statements, which preflight does not run.
    value = closure_value(body)
    assert value not in (3, -1, 8)


def test_config_assignments_continue_after_operators(tmp_path: Path) -> None:
    (tmp_path / "nextflow.config").write_text(
        "params.x =\n    'abc'\n"
        "params.y = params.x\n    .toUpperCase()\n"
        "params.z = params.x == 'abc' ?\n    'yes' :\n    'no'\n"
        "process {\n"
        "    container = { workflow.containerEngine == 'singularity' && !task.ext.x ?\n"
        "        'https://depot/img:1' :\n"
        "        'org/img:1' }\n"
        "}\n"
    )
    config = resolve_config(PipelineSpec(root=tmp_path, launch_dir=tmp_path))
    assert (config.get("params.x"), config.get("params.y"), config.get("params.z")) == (
        "abc",
        "ABC",
        "yes",
    )
    container = config.get("process.container")
    assert isinstance(container, Closure)
    assert call_closure(container, SCOPE) == "org/img:1"


def test_a_process_directive_continued_over_lines_resolves(tmp_path: Path) -> None:
    # the same rule in a .nf script: the directive is one expression over three lines
    from preflight.images.resolve import resolve_images

    (tmp_path / "main.nf").write_text(
        "process B {\n"
        "  container \"${ workflow.containerEngine == 'singularity' &&\n"
        "        !task.ext.singularity_pull_docker_container ?\n"
        "        'https://depot/img:1' :\n"
        "        'org/c:1' }\"\n"
        "  script: 'echo'\n"
        "}\n"
        "process A {\n  script: 'echo'\n}\n"
        "workflow { A(); B() }\n"
    )
    (tmp_path / "nextflow.config").write_text(
        "process.container = { workflow.containerEngine == 'singularity' ?\n"
        "    'https://depot/img:1' :\n    'org/img:1' }\n"
    )
    result = resolve_images(PipelineSpec.locate(tmp_path, launch_dir=tmp_path))
    images = {p: str(u.image) for u in result.uses for p in u.processes}
    assert images == {"A": "docker.io/org/img:1", "B": "docker.io/org/c:1"}
    assert not result.unresolved
