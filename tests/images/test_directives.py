"""Directive evaluation with templates parsed once: same values as the text, errors in place."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from preflight.errors import ConfigError
from preflight.images.directives import evaluate_directive, template_of
from preflight.model import Location
from preflight.nextflow.groovy.expressions import evaluate, parse_expression

HERE = Location("modules/x/main.nf", 6, 15)
DOCKER = {"workflow": {"containerEngine": "docker"}, "task": {"ext": {}}, "params": {}}
TERNARY = (
    "\"${ workflow.containerEngine == 'singularity' && !task.ext.singularity_pull_docker_container"
    " ?\n 'https://depot/x:1' :\n 'biocontainers/x:1' }\""
)


def test_the_nf_core_ternary_shares_one_template() -> None:
    template, literals = template_of(TERNARY)
    other, other_literals = template_of(TERNARY.replace("x:1", "y:2"))
    assert template == other and "'" not in template
    assert literals == ("singularity", "https://depot/x:1", "biocontainers/x:1")
    assert other_literals[2] == "biocontainers/y:2"
    assert evaluate_directive(TERNARY, HERE, DOCKER) == "biocontainers/x:1"
    singularity = {**DOCKER, "workflow": {"containerEngine": "singularity"}}
    assert evaluate_directive(TERNARY, HERE, singularity) == "https://depot/x:1"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("'quay.io/a/b:1'", "quay.io/a/b:1"),
        ('"quay.io/a/b:1"', "quay.io/a/b:1"),
        ('"it\'s ${params.x}"', "it's reg.io"),
        ("params.x + '/a:1'", "reg.io/a:1"),
        ("'a\\'b'", "a'b"),
    ],
)
def test_values_equal_those_of_the_text(source: str, expected: str) -> None:
    scope = {**DOCKER, "params": {"x": "reg.io"}}
    assert evaluate_directive(source, HERE, scope) == expected


def test_a_syntax_error_is_placed_in_the_users_file() -> None:
    with pytest.raises(ConfigError) as caught:
        evaluate_directive("'a' ? : 'b'", HERE, DOCKER)
    assert caught.value.where.startswith("modules/x/main.nf:6")


_OPERANDS = st.one_of(
    st.text(alphabet="ab/:.-\\' ", max_size=8).map(
        lambda s: "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"
    ),
    st.sampled_from(["params.x", "workflow.containerEngine", "null", "'docker'"]),
)


@settings(max_examples=200, deadline=None)
@given(first=_OPERANDS, second=_OPERANDS, third=_OPERANDS, whole=st.booleans())
def test_lifting_literals_never_changes_the_value(
    first: str, second: str, third: str, whole: bool
) -> None:
    source = f"{first} == {second} ? {second} : {third}"
    if whole:
        source = '"${ ' + source + ' }"'
    scope = {**DOCKER, "params": {"x": "reg.io"}}
    expected = evaluate(parse_expression(source, HERE), scope)
    assert evaluate_directive(source, HERE, scope) == expected
