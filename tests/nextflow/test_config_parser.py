"""The config reader: statements of both dialects, selector forms, positions and errors."""

from __future__ import annotations

import pytest

from preflight.errors import ConfigError
from preflight.nextflow.config.parser import parse_config, strict_violations
from preflight.nextflow.groovy import ast
from preflight.nextflow.groovy.lexer import STRING, tokenize


def parse(text: str) -> tuple[ast.Stmt, ...]:
    return parse_config(text, "nextflow.config").statements


def test_assignment_keeps_its_path_position_and_value_span() -> None:
    text = "// c\n  docker.'enabled' = false\n"
    (stmt,) = parse(text)
    assert isinstance(stmt, ast.Assign)
    assert stmt.path == ("docker", "enabled")
    assert (stmt.location.line, stmt.location.col) == (2, 3)
    start, end = stmt.value_span
    assert text[start:end] == "false"


def test_blocks_nest_and_mix_with_dots() -> None:
    (stmt,) = parse("profiles {\n  test { process.cpus = 1 }\n}\n")
    assert isinstance(stmt, ast.Block) and stmt.path == ("profiles",)
    inner = stmt.body[0]
    assert isinstance(inner, ast.Block) and inner.path == ("test",)
    assert isinstance(inner.body[0], ast.Assign) and inner.body[0].path == ("process", "cpus")


@pytest.mark.parametrize(
    ("source", "kind", "pattern"),
    [
        ("withName: FASTQC { cpus = 1 }", "withName", "FASTQC"),
        ("withName:'A|B' { cpus = 1 }", "withName", "A|B"),
        ('withName: ".*:QC:FASTQC" { cpus = 1 }', "withName", ".*:QC:FASTQC"),
        ("withLabel:big_mem { cpus = 1 }", "withLabel", "big_mem"),
        ("withLabel:'!big.*' { cpus = 1 }", "withLabel", "!big.*"),
        ("withLabel: !small { cpus = 1 }", "withLabel", "!small"),
    ],
)
def test_selector_forms(source: str, kind: str, pattern: str) -> None:
    (block,) = parse(f"process {{\n  {source}\n}}")
    assert isinstance(block, ast.Block)
    selector = block.body[0]
    assert isinstance(selector, ast.Selector)
    assert (selector.kind, selector.pattern) == (kind, pattern)
    assert selector.key == f"{kind}:{pattern}"


def test_quoted_selector_key_form() -> None:
    (stmt,) = parse("process.'withName:FOO'.container = 'x'")
    assert isinstance(stmt, ast.Assign)
    assert stmt.path == ("process", "withName:FOO", "container")


def test_include_plugins_and_semicolons() -> None:
    stmts = parse("includeConfig 'a.config'; plugins { id 'nf-schema@2.1.1'\n id 'nf-x' }")
    assert isinstance(stmts[0], ast.IncludeConfig)
    assert isinstance(stmts[1], ast.Plugins) and len(stmts[1].ids) == 2


def test_conditional_include_is_an_expression() -> None:
    (stmt,) = parse("includeConfig !params.x ? 'a.config' : '/dev/null'")
    assert isinstance(stmt, ast.IncludeConfig) and isinstance(stmt.target, ast.Ternary)


def test_strict_file_has_no_violations() -> None:
    config = parse_config("params.a = 1\nprocess { withLabel: x { cpus = { 2 } } }\n", "f")
    assert strict_violations(config) == []


def test_legacy_constructs_are_read_and_named() -> None:
    text = (
        "def x = 1\n"
        "if (params.a) { process.cpus = 2 } else process.cpus = 3\n"
        "try { includeConfig 'x' } catch (Exception e) { System.err.println('no') }\n"
        "def f(a, b) { if (a) { return b }; return a }\n"
        "for (i in [1, 2]) { println i }\n"
        "String typed = 'y'\n"
    )
    config = parse_config(text, "old.config")
    kinds = [type(s) for s in config.statements]
    assert kinds == [ast.VarDecl, ast.If, ast.Try, ast.FunctionDef, ast.Opaque, ast.VarDecl]
    lines = [loc.line for loc, _ in strict_violations(config)]
    assert 1 in lines and 2 in lines and 3 in lines and 4 in lines and 5 in lines


def test_if_else_branches() -> None:
    (stmt,) = parse("if (a) {\n x = 1\n}\nelse if (b) { x = 2 }\nelse { x = 3 }\n")
    assert isinstance(stmt, ast.If)
    assert isinstance(stmt.otherwise[0], ast.If)


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("process {\n  cpus = 1\n", "nextflow.config:3:1", "unclosed"),
        ("a = 1\n}\n", "nextflow.config:2:1", "no block open"),
        ("a = 'x\nb = 2", "nextflow.config:1:5", "unterminated string"),
        ("/* never closed", "nextflow.config:1:1", "unterminated /*"),
        ("a = 1 2", "nextflow.config:1:7", "after the statement"),
        ("process { withName: { } }", "nextflow.config:1:21", "pattern"),
        ("a = \u00a7", "nextflow.config:1:5", "unexpected character"),
        ("plugins { cpus = 1 }", "nextflow.config:1:11", "plugins"),
    ],
)
def test_malformed_text_raises_config_error_with_place(text: str, where: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "nextflow.config")
    assert caught.value.where == where
    assert words in caught.value.message
    assert caught.value.remedy


def test_lexer_tells_slashy_strings_from_division() -> None:
    kinds = [t.kind for t in tokenize("a = 4 / 2 / 1\nb = /re/", "f")]
    assert kinds.count(STRING) == 1


def test_lexer_positions_survive_multiline_strings() -> None:
    tokens = tokenize("a = '''x\ny'''\nb = 1", "f")
    b = next(t for t in tokens if t.value == "b")
    assert (b.line, b.col) == (3, 1)


def test_shebang_and_crlf_are_accepted() -> None:
    stmts = parse("#!/usr/bin/env nextflow\r\na = 1\r\nb {\r\n c = 2\r\n}\r\n")
    assert [type(s) for s in stmts] == [ast.Assign, ast.Block]


def test_hash_is_not_a_comment() -> None:
    with pytest.raises(ConfigError):
        parse("# comment\na = 1")
