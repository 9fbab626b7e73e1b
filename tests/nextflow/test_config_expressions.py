"""Groovy expressions as configs and directives use them: values, precedence, dynamic parts."""

from __future__ import annotations

from typing import Any

import pytest

from preflight.errors import ConfigError
from preflight.model import Location
from preflight.nextflow.groovy.expressions import call_closure, evaluate, parse_expression, truthy
from preflight.nextflow.groovy.values import Closure, Duration, Dynamic, MemoryUnit

AT = Location("main.nf", 3, 5)
DOCKER = {"workflow": {"containerEngine": "docker"}, "task": {"ext": {}}}
SINGULARITY = {"workflow": {"containerEngine": "singularity"}, "task": {"ext": {}}}

NF_CORE = (
    "\"${ workflow.containerEngine == 'singularity' && "
    "!task.ext.singularity_pull_docker_container ? "
    "'https://depot.galaxyproject.org/singularity/fastqc:0.12.1--hdfd78af_0' : "
    "'biocontainers/fastqc:0.12.1--hdfd78af_0' }\""
)


def value(text: str, **scope: Any) -> Any:
    return evaluate(parse_expression(text, AT), scope)


@pytest.mark.parametrize(
    ("text", "scope", "expected"),
    [
        ("'plain $x'", {}, "plain $x"),
        ('"a ${params.x} b"', {"params": {"x": 1}}, "a 1 b"),
        ('"$params.outdir/x"', {"params": {"outdir": "out"}}, "out/x"),
        ('"""multi\nline ${1 + 1}"""', {}, "multi\nline 2"),
        ("'''one\ntwo'''", {}, "one\ntwo"),
        (r"/a\/b$/", {}, "a/b$"),
        ("$/x/y$$/$", {}, "x/y$"),
        (r"'tab\there'", {}, "tab\there"),
        (r'"\$HOME"', {}, "$HOME"),
        ("1_000 + 0x10", {}, 1016),
        ("7 / 2", {}, 3.5),
        ("8 / 2", {}, 4),
        ("2 ** 3 ** 2", {}, 64),  # Groovy binds ** left: (2 ** 3) ** 2
        ("-3 + 5 % 3", {}, -1),
        ("[1, 'a', null]", {}, [1, "a", None]),
        ("[a: 1, 'b': [c: true]]", {}, {"a": 1, "b": {"c": True}}),
        ("[:]", {}, {}),
        ("params.missing", {"params": {}}, None),
        ("params?.a?.b", {"params": {}}, None),
        ("params.x ?: 'fallback'", {"params": {"x": ""}}, "fallback"),
        ("params.x ? 'yes' : 'no'", {"params": {"x": 0}}, "no"),
        ("'docker' in ['singularity', 'apptainer']", {}, False),
        ("'a' != 'b' && !(1 > 2) || false", {}, True),
        ("'Foo'.toLowerCase().startsWith('fo')", {}, True),
        ("'a,b,,c'.tokenize(',')", {}, ["a", "b", "c"]),
        ("'x-y'.replaceAll('-(.)', '_$1')", {}, "x_y"),
        ("['a', 'b'].join('/') + '/c'", {}, "a/b/c"),
        ("'v' + 1 + true", {}, "v1true"),
        ("'12' as Integer", {}, 12),
        ("2.GB", {}, MemoryUnit(2 << 30)),
        ("1.5.GB + 512.MB", {}, MemoryUnit(2 << 30)),
        ("2.h", {}, Duration(7_200_000)),
        ("'x' ==~ /[a-z]/", {}, True),
        ("(1..3)", {}, [1, 2, 3]),
        ("1 == 1.0", {}, True),
        ("'1' == 1", {}, False),
    ],
)
def test_values(text: str, scope: dict[str, Any], expected: Any) -> None:
    assert value(text, **scope) == expected


def test_nf_core_ternary_under_docker_takes_the_image_branch() -> None:
    assert value(NF_CORE, **DOCKER) == "biocontainers/fastqc:0.12.1--hdfd78af_0"


def test_nf_core_ternary_under_singularity_takes_the_url() -> None:
    assert value(NF_CORE, **SINGULARITY).startswith("https://depot.galaxyproject.org/")


def test_negation_binds_tighter_than_equality_as_in_groovy() -> None:
    # (!engine) == 'singularity' is always false: the else branch, whatever the engine
    text = "!workflow.containerEngine == 'singularity' ? 'url' : 'image'"
    assert value(text, **SINGULARITY) == "image"
    assert value(text, **DOCKER) == "image"


def test_in_list_form_of_the_nf_core_ternary() -> None:
    text = (
        "workflow.containerEngine in ['singularity', 'apptainer'] && "
        "!task.ext.singularity_pull_docker_container ? 'url' : 'quay.io/x:1'"
    )
    assert value(text, **DOCKER) == "quay.io/x:1"
    assert value(text, workflow={"containerEngine": "apptainer"}, task={"ext": {}}) == "url"


def test_ternary_may_continue_on_the_next_lines() -> None:
    text = "\"${ params.a ?\n  'one' :\n  'two' }\""
    assert value(text, params={"a": False}) == "two"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("System.getenv('HOME')", "environment variable 'HOME'"),
        ("env('TOKEN')", "environment variable TOKEN"),
        ("check_max(2, 'cpus')", "check_max()"),
        ("unknown.value", "'unknown' is not known"),
        ("new Date().format('yyyy')", "creates a Date"),
        ("'x'.someMethod()", "someMethod()"),
        ("null.foo", "of null"),
    ],
)
def test_what_only_the_run_knows_is_dynamic_with_its_place(text: str, reason: str) -> None:
    result = value(text)
    assert isinstance(result, Dynamic)
    assert reason in result.reason
    assert result.location.file == "main.nf" and result.location.line == 3


def test_a_dynamic_part_makes_the_whole_string_dynamic() -> None:
    result = value("\"${System.getenv('REG')}/tool:1\"")
    assert isinstance(result, Dynamic)


def test_short_circuit_avoids_a_dynamic_right_side() -> None:
    assert value("false && env('X')") is False
    assert value("true || env('X')") is True
    assert value("env('X') && false") is False
    assert isinstance(value("env('X') && true"), Dynamic)


def test_division_by_zero_is_dynamic_not_an_exception() -> None:
    assert isinstance(value("1 / 0"), Dynamic)


def test_closures_are_values_called_with_task_in_scope() -> None:
    closure = value("{ task.attempt * 2.GB }", params={"p": 1})
    assert isinstance(closure, Closure)
    assert closure.source == "{ task.attempt * 2.GB }"
    assert call_closure(closure, {"task": {"attempt": 3}}) == MemoryUnit(6 << 30)


def test_closure_sees_names_captured_where_it_was_written() -> None:
    closure = value(
        "{ \"${params.registry}/x:${task.ext.tag ?: 'latest'}\" }",
        params={"registry": "r.azurecr.io"},
    )
    assert call_closure(closure, {"task": {"ext": {}}}) == "r.azurecr.io/x:latest"


def test_closure_parameter_and_it() -> None:
    assert call_closure(value("{ it * 2 }"), {}, 4) == 8
    assert call_closure(value("{ a, b -> a + b }"), {}, 1, 2) == 3


def test_closure_with_several_statements_is_dynamic() -> None:
    closure = value("{ def x = 1\n return x }")
    assert isinstance(call_closure(closure, {}), Dynamic)


@pytest.mark.parametrize(
    ("text", "col"),
    [("'unterminated", 5), ("a +", 8), ("[1, 2", 10), ("a ? b", 10), ("f(1,", 9)],
)
def test_syntax_errors_say_where(text: str, col: int) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_expression(text, AT)
    assert caught.value.where == f"main.nf:3:{col}"
    assert caught.value.remedy


def test_interpolation_errors_point_inside_the_string() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_expression('"abc ${ 1 + }"', AT)
    assert caught.value.where.startswith("main.nf:3:")


def test_groovy_truth() -> None:
    values: tuple[object, ...] = (None, "", 0, [], {}, "0", 1, [0])
    assert [truthy(v) for v in values] == [
        False,
        False,
        False,
        False,
        False,
        True,
        True,
        True,
    ]


@pytest.mark.parametrize(
    "text",
    [
        "(a + b) * c",
        "!x.y?.z",
        "a ? [k: 'v'] : \"${p.q}/x\"",
        "f(1, [2]) ?: null",
        "'it\\'s' as String",
        "new Foo(1)",
        "m['k'][0]",
    ],
)
def test_dynamic_source_reads_as_the_expression(text: str) -> None:
    from preflight.nextflow.groovy.unparse import to_source

    expr = parse_expression(text, AT)
    again = parse_expression(to_source(expr), AT)
    assert to_source(again) == to_source(expr)
    scope = {"a": 1, "b": 2, "c": 3}
    assert str(evaluate(again, scope)) == str(evaluate(expr, scope))
