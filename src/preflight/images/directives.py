"""Evaluate process directives from their source text, parsing each distinct *shape* once.

Hundreds of nf-core modules carry the same container ternary, differing only in the quoted image
names. Parsing is the expensive step, so plain single-quoted literals are lifted out of the text
into names (``'biocontainers/x:1'`` → ``__pf_s0__``) and the remaining template is parsed once
and cached; evaluation binds each name to its literal. A single-quoted Groovy string without
escapes is a constant, so the value is exactly the one the original text gives.

Literals are only lifted where a ``'`` can only start a string: text with no double quote at
all, or the nf-core form ``"${ … }"`` whose inner expression has none. Anything else is parsed
as written (and cached by its exact text).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from preflight.errors import ConfigError
from preflight.model import Location
from preflight.nextflow.groovy.expressions import Expr, evaluate, parse_expression

# Whole single-quoted strings, escapes included, so that scanning never starts inside one
# (an "unrolled loop": runs of plain characters between escapes, no per-character alternation).
_QUOTED = re.compile(r"'([^'\\\n]*(?:\\.[^'\\\n]*)*)'")
_WHOLE_GSTRING = re.compile(r'"\$\{(?P<inner>[^"]*)\}"', re.DOTALL)
_PREFIX = "__pf_s"
_TEMPLATE = Location("<directive>", 1, 1)


def _lift(text: str) -> tuple[str, tuple[str, ...]]:
    """``text`` with its plain single-quoted literals replaced by names, and those literals."""
    if "'''" in text:
        return text, ()
    # split() alternates text and literal bodies: [text, body, text, body, ..., text].
    parts = _QUOTED.split(text)
    literals: list[str] = []
    for index in range(1, len(parts), 2):
        body = parts[index]
        if "\\" in body:
            parts[index] = f"'{body}'"  # has escapes: leave it to the parser
        else:
            parts[index] = f"{_PREFIX}{len(literals)}__"
            literals.append(body)
    return "".join(parts), tuple(literals)


def template_of(source: str) -> tuple[str, tuple[str, ...]]:
    """The cacheable template of ``source`` and the literals to bind, as described above."""
    stripped = source.strip()
    if '"' not in stripped:
        return _lift(stripped)
    whole = _WHOLE_GSTRING.fullmatch(stripped)
    if whole is not None:
        inner, literals = _lift(whole.group("inner"))
        return '"${' + inner + '}"', literals
    return stripped, ()


@lru_cache(maxsize=4096)
def _parse(template: str) -> Expr:
    return parse_expression(template, _TEMPLATE)


def evaluate_directive(source: str, location: Location, scope: Mapping[str, Any]) -> Any:
    """The value of a directive's ``source`` in ``scope`` (``Dynamic`` for run-time values).

    A syntax error raises :class:`~preflight.errors.ConfigError` placed in the user's file: a
    template that fails is parsed again as written, at ``location``, to say where.
    """
    template, literals = template_of(source)
    if not literals:
        return evaluate(parse_expression(source, location), scope)
    try:
        expr = _parse(template)
    except ConfigError:
        parse_expression(source, location)
        raise
    bound = dict(scope)
    bound.update({f"{_PREFIX}{i}__": value for i, value in enumerate(literals)})
    return evaluate(expr, bound)
