"""The scanner's token regexes, grouped by first character for speed, match exactly what the plain
alternation of strings and comments (``SKIPPED``, tried in order) matches, at every offset."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from preflight.nextflow.script import tokens as script_tokens

PLAIN = "|".join(script_tokens.SKIPPED)
STATEMENT_START = r"|\n(?x:" + script_tokens.WORD_PATTERN + ")"
REFERENCE = {
    "token": re.compile(PLAIN + r"|\{|\}|;" + STATEMENT_START, re.DOTALL).search,
    "braces": re.compile(PLAIN + r"|\{|\}", re.DOTALL).search,
    "up_to_brace": re.compile(
        r"(?:[^{}\"'/$(,=~]+|" + PLAIN + r"""|[/"'$(,=~])*""", re.DOTALL
    ).match,
}
GROUPED = {
    "token": script_tokens.TOKEN.search,
    "braces": script_tokens.BRACES.search,
    "up_to_brace": script_tokens.UP_TO_BRACE.match,
}
# Groovy-ish text dense in the characters the patterns care about.
PIECES = st.sampled_from(
    [
        "/",
        "//",
        "/*",
        "*/",
        "*",
        '"',
        '"""',
        "'",
        "'''",
        "$",
        "${",
        "$/",
        "/$",
        "(",
        ",",
        "=",
        "~",
        "{",
        "}",
        ";",
        "\n",
        "\\",
        " ",
        "\t",
        "a",
        "x.y",
        "container",
        "process P",
        "if",
        "else",
        "label",
        "input:",
        "ok",
    ]
)
TEXT = st.lists(PIECES, max_size=40).map("".join)


def spans(find: object, text: str) -> list[tuple[int, int] | None]:
    assert callable(find)
    found = []
    for offset in range(len(text) + 1):
        match = find(text, offset)
        found.append(match.span() if match else None)
    return found


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_grouped_patterns_match_the_plain_alternation(text: str) -> None:
    for name, grouped in GROUPED.items():
        assert spans(grouped, text) == spans(REFERENCE[name], text), name


def test_a_module_is_skipped_the_same_way() -> None:
    text = (
        'process P {\n  container "${ a ? \'x\' : "y" }"\n  input:\n  val(x), emit: y\n'
        '  script:\n  def r = x.replaceAll(/[{}]/, \'\')\n  """\n  echo ${r} $/ } /$ \\\n'
        '  """\n}\n'
    )
    for name, grouped in GROUPED.items():
        assert spans(grouped, text) == spans(REFERENCE[name], text), name
