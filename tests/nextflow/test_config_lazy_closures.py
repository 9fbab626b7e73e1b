"""A closure read whole by the lexer (its body lexed on use) parses exactly as one lexed now.

The lexer takes a closure in value position as one token when it can find the closing brace
without lexing (strings skipped whole; anything that needs context — ``/``, ``$/``, ``\\``,
``->`` — makes it lex the closure token by token). Either way the syntax tree must be the same,
down to every location and every closure body.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from config_strategies import configs, mutated_configs
from hypothesis import HealthCheck, given, settings

from preflight.errors import ConfigError
from preflight.nextflow.config.parser import ConfigParser, parse_config
from preflight.nextflow.groovy import ast
from preflight.nextflow.groovy.lexer import CLOSURE, Lexer, tokenize

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted(
    [*ROOT.glob("fixtures/**/*.config"), *ROOT.glob("src/preflight/sandbox/data/**/*.config")]
)

TRICKY = [
    "cpus = { 1 * task.attempt }\nmemory = { 6.GB * task.attempt }\n",
    "ext.args = { params.x ? '--flag }' : \"{${ task.ext.y ? 'a}' : 'b{' }\" }\n",
    'ext.prefix = { "${meta.id}_${ [1, 2].join("}") }" }\n',
    "publishDir = [ path: { \"${params.outdir}/tool\" }, mode: 'copy', saveAs: { it } ]\n",
    "ext.args = { it ==~ /a{2}/ ? 'x' : 'y' }\n",  # a slashy string: lexed now
    "ext.args = { // a comment with }\n 'x' }\n",
    "ext.args = { a, b -> a + b }\n",
    "ext.args = { [\n  '--a',\n  '--b'\n ].join(' ') }\nprocess.cpus = 2\n",
    "ext.x = { { -> 1 } }\next.y = 2\n",
    "a = {1}; b = 2\n",
    "a = { '''multi\n}line''' }\nb = { \"\"\"x ${ 'y' } }\"\"\" }\n",
    "a = { x ?: { 2 } }\nb = foo({ 3 }, { 4 })\nc = [ { 5 }, [k: { 6 }] ]\n",
    "a = true ? { 1 } : { 2 }\n",
    "a = { $x }\nb = { 'a\\'}' }\n",
    "a = { x\n  .toUpperCase() }\n",
]


class EagerLexer(Lexer):
    closures_whole = False


def parsed(text: str, *, whole: bool) -> ast.ConfigFile:
    tokens = (
        tokenize(text, "nextflow.config")
        if whole
        else EagerLexer(text, "nextflow.config").tokenize()
    )
    statements = ConfigParser(tokens, "nextflow.config", text).statements()
    return ast.ConfigFile("nextflow.config", statements, text)


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_closures_parse_the_same(text: str) -> None:
    assert parsed(text, whole=True) == parsed(text, whole=False)


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_fixture_config_parses_the_same(path: Path) -> None:
    text = path.read_text()
    assert parsed(text, whole=True) == parsed(text, whole=False)


def test_plain_closures_are_one_token_and_others_are_lexed() -> None:
    kinds = [t.kind for t in tokenize("a = { 1 }\nb = { x -> x }\nc = { 4 / 2 }\n", "f")]
    assert kinds.count(CLOSURE) == 1


def test_an_error_inside_a_closure_is_reported_at_its_place() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("a = 1\nb = { 'unterminated }\n", "nextflow.config")
    assert caught.value.where.startswith("nextflow.config:2:")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_generated_configs_parse_the_same(text: str) -> None:
    try:
        eager = parsed(text, whole=False)
    except ConfigError:
        with pytest.raises(ConfigError):
            parsed(text, whole=True)
        return
    assert parsed(text, whole=True) == eager


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_configs())
def test_damaged_configs_fail_at_the_same_place(text: str) -> None:
    outcomes: list[object] = []
    for whole in (True, False):
        try:
            outcomes.append(parsed(text, whole=whole))
        except ConfigError as error:
            outcomes.append((error.message, error.where))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize(
    ("text", "where"),
    [("a = { 1 ¤ 2 }\n", "1:9"), ("a = { 1 # 2 }\n", "1:9"), ("a = { `x` }\n", "1:7")],
)
def test_characters_the_lexer_refuses_are_refused_at_parse_time(text: str, where: str) -> None:
    for whole in (True, False):
        with pytest.raises(ConfigError) as caught:
            parsed(text, whole=whole)
        assert caught.value.where == f"nextflow.config:{where}"


def test_a_slash_after_a_closure_divides_as_after_a_brace() -> None:
    # found by the property above: after `}` a `/` divides; after a closure token too
    text = 'a = [ p: { "${x}/y"x}/y" }, m: \'c\' ]\n'
    outcomes: list[object] = []
    for whole in (True, False):
        with pytest.raises(ConfigError) as caught:
            parsed(text, whole=whole)
        outcomes.append((caught.value.message, caught.value.where))
    assert outcomes[0] == outcomes[1]


def test_an_invalid_escape_in_a_closure_string_fails_at_parse_time() -> None:
    # found by the property above: escapes are checked when the file is read, closure or not
    text = 'a = { "$\\{x}" }\n'
    for whole in (True, False):
        with pytest.raises(ConfigError, match="escape"):
            parsed(text, whole=whole)
