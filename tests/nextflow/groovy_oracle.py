"""A real Groovy runtime as the oracle of preflight's expression semantics (issue 16).

``TABLE`` lists expressions a config or directive may hold — truth, precedence, interpolation,
ternaries, elvis, safe navigation, string methods, list and map literals, lines continued — each
evaluated against ``SCOPE``. ``groovy_oracle.groovy`` evaluates the whole table in one ``groovy``
process; its answers are kept in ``groovy_oracle_answers.json`` (keyed by the expression's text)
so the suite needs no Groovy. ``make oracle`` (or the test session, when ``groovy`` is installed
and the table has expressions the cache lacks) asks Groovy again and rewrites the file.

Both sides render values the same way (``render``): ``null``, ``bool:true``, ``num:1.5``,
``str:abc``, ``list:[…]``, ``map:[k=…]``; Groovy's exception is ``error``, which preflight must
meet with a ``Dynamic`` (it cannot be computed before the run), never with a value.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SCRIPT = HERE / "groovy_oracle.groovy"
ANSWERS = HERE / "groovy_oracle_answers.json"

# The same values the Groovy script binds (params, workflow, task as maps).
SCOPE: dict[str, Any] = {
    "params": {
        "a": 1,
        "s": "abc",
        "empty": "",
        "flag": False,
        "on": True,
        "zero": 0,
        "list": [1, 2],
        "map": {"k": "v"},
        "name": "sample_1",
        "csv": "x,y,,z",
    },
    "workflow": {"containerEngine": "docker", "profile": "standard"},
    "task": {"ext": {}, "cpus": 4, "process": "FASTQC"},
}

NF_CORE = (
    "workflow.containerEngine == 'singularity' && !task.ext.singularity_pull_docker_container"
    " ? 'https://depot.galaxyproject.org/singularity/fastqc:0.12.1--hdfd78af_0'"
    " : 'biocontainers/fastqc:0.12.1--hdfd78af_0'"
)

TABLE: tuple[str, ...] = (
    # -- Groovy truth
    "'false' ? 1 : 2",
    "'' ? 1 : 2",
    "'0' ? 1 : 2",
    "' ' ? 1 : 2",
    "0 ? 1 : 2",
    "1 ? 1 : 2",
    "0.0 ? 1 : 2",
    "null ? 1 : 2",
    "[] ? 1 : 2",
    "[0] ? 1 : 2",
    "[:] ? 1 : 2",
    "!''",
    "!'false'",
    "!!1",
    "!params.flag",
    "!params.zero",
    "!params.missing",
    "'false' as boolean",
    "'' as boolean",
    "0 as boolean",
    "'true' as Boolean",
    "'false' == true",
    "params.on == true",
    "!task.ext.singularity_pull_docker_container",
    "params.empty || params.zero",
    "params.s && params.a",
    "params.empty && params.missing.x",
    "params.on || params.missing.x",
    # -- precedence and arithmetic
    "1 + 2 * 3",
    "(1 + 2) * 3",
    "10 - 2 - 3",
    "7 % 3 * 2",
    "2 ** 3 ** 2",
    "2 ** 10",
    "-2 + 5",
    "-2 ** 2",
    "2 ** 3 * 2",
    "!true ?: 'x'",
    "true || false && false",
    "(true || false) && false",
    "!params.flag == false",
    "!params.on == false",
    "1 < 2 == true",
    "params.a == 1 && params.s == 'abc'",
    "params.a != 1 || params.s != 'abc'",
    "'a' + 1 + 2",
    "1 + 2 + 'a'",
    "'x' in ['x', 'y']",
    "3 in [1, 2]",
    "'k' in params.map",
    "1 == 1.0",
    "'1' == 1",
    "[1, 2] == [1, 2]",
    "[a: 1] == [a: 1]",
    "'a' <=> 'b'",
    "2 <=> 1",
    "7 / 2",
    "7.intdiv(2)",
    "1.5 + 1.5",
    "4 > 3 ? 'gt' : 'le'",
    "task.cpus * 2",
    "task.cpus > 2 ? task.cpus - 1 : 1",
    # -- interpolation
    '"a ${params.a} b"',
    '"$params.s/x"',
    '"${params.missing}"',
    '"${params.list}"',
    '"${params.map}"',
    '"${true} ${null}"',
    '"x${1 + 1}y"',
    "'$no interpolation'",
    '"${params.s.toUpperCase()}-${params.a + 1}"',
    '"\\${escaped}"',
    '"${params.name}_${task.process.toLowerCase()}"',
    '"""triple ${params.a}"""',
    "'''triple ${params.a}'''",
    # -- ternary and elvis
    "params.a > 0 ? 'pos' : 'neg'",
    "params.a == 0 ? 'zero' : params.a == 1 ? 'one' : 'many'",
    NF_CORE,
    "workflow.containerEngine == 'docker' ? 'quay.io/x:1' : 'https://depot/x'",
    "params.empty ?: 'default'",
    "params.s ?: 'default'",
    "params.missing ?: params.empty ?: 'last'",
    "0 ?: 5",
    "params.flag ?: 'off'",
    "(params.missing ?: 'a') + 'b'",
    # -- safe navigation
    "params.missing?.size()",
    "params.s?.size()",
    "params.missing?.x?.y",
    "params.map?.k",
    "params.missing?.toUpperCase() ?: 'none'",
    "task.ext.args ?: ''",
    # -- strings
    "'AbC'.toUpperCase()",
    "'AbC'.toLowerCase()",
    "'  x  '.trim()",
    "'abc'.startsWith('ab')",
    "'abc'.endsWith('bc')",
    "'abc'.contains('d')",
    "'x-y-z'.replace('-', '_')",
    "'a1b22'.replaceAll(/\\d+/, '#')",
    "'a1b2'.replaceAll('([a-z])(\\\\d)', '$2$1')",
    "'a1b2'.replaceFirst(/\\d/, '')",
    "params.csv.tokenize(',')",
    "params.csv.split(',')",
    "'a b  c'.tokenize()",
    "'abcdef'.substring(2)",
    "'abcdef'.substring(1, 3)",
    "'abcabc'.indexOf('c')",
    "'abc'.size()",
    "'abc'.length()",
    "''.isEmpty()",
    "'hello'.capitalize()",
    "'42'.toInteger() + 1",
    "'ABC'.equalsIgnoreCase('abc')",
    "'sample_12'.matches('sample_\\\\d+')",
    "'abc' =~ /b/ ? 'found' : 'no'",
    "'abc' ==~ /a.c/",
    "'abc'[0]",
    "'abc'[-1]",
    "'ab' * 3",
    "'quay.io/org/img:1'.tokenize('/')[0]",
    "'img:1.2'.tokenize(':')[-1]",
    "'TRUE'.toBoolean()",
    "'yes'.toBoolean()",
    "params.s.toString()",
    "params.a.toString() + 'x'",
    # -- lists and maps
    "[1, 2, 3].size()",
    "[1, 2] + [3]",
    "[1, 2].contains(2)",
    "['a', 'b'].join('-')",
    "[1, 2, 3][1]",
    "[1, 2, 3][-1]",
    "[1, 2, 3].first()",
    "[1, 2, 3].last()",
    "[a: 1, b: 2].b",
    "[a: 1, b: [c: 2]].b.c",
    "[a: 1].containsKey('a')",
    "[a: 1].get('z', 'd')",
    "[a: 1, b: 2].size()",
    "[:].isEmpty()",
    "[a: 1, b: 2].keySet()",
    "params.map.k",
    "params.map['k']",
    "params.list[0] + params.list[1]",
    "params.list.join(',')",
    "params.missing == null",
    "[1, 'a', null, true]",
    "[k: [1, 2], m: [n: 'o']]",
    # -- lines continued (shapes Groovy 2.4 and Groovy 4 read alike)
    "1 +\n 2",
    "'abc'\n .toUpperCase()",
    "'abc'.\n toUpperCase()",
    "'abc'\n ?.toUpperCase()",
    "true ?\n 'y' :\n 'n'",
    "true\n ? 'y'\n : 'n'",
    "null\n ?: 'x'",
    "null ?:\n 'x'",
    "params.a == 1 &&\n params.s == 'abc'",
    "[1,\n 2,\n 3]",
    "[a: 1,\n b: 2]",
    "'abc'.replace(\n 'a',\n 'z')",
    "workflow.containerEngine == 'singularity' && !task.ext.x ?\n 'https://x' :\n 'org/img:1'",
    # -- values Groovy refuses: preflight must not invent them
    "1 / 0",
    "params.missing.x",
    "'abc'.substring(5)",
    "[1, 2][5]",
)


def render(value: Any) -> str:
    """A value in the oracle's canonical text (the Groovy script's ``render``)."""
    from preflight.nextflow.groovy.values import Dynamic

    if isinstance(value, Dynamic):
        return "error"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool:" + ("true" if value else "false")
    if isinstance(value, (int, float)):
        number = Decimal(repr(value)).normalize()
        return "num:" + format(number, "f")
    if isinstance(value, str):
        return "str:" + value
    if isinstance(value, (list, tuple)):
        return "list:[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "map:[" + ", ".join(f"{k}={render(v)}" for k, v in value.items()) + "]"
    return "other:" + type(value).__name__


def groovy_command() -> list[str] | None:
    groovy = shutil.which("groovy")
    return [groovy] if groovy else None


def _environment() -> dict[str, str]:
    """Debian's ``groovy`` looks for ``/usr/lib/jvm/default-java`` when JAVA_HOME is unset."""
    env = dict(os.environ)
    if not env.get("JAVA_HOME") and not Path("/usr/lib/jvm/default-java").exists():
        java = shutil.which("java")
        if java:
            env["JAVA_HOME"] = str(Path(java).resolve().parent.parent)
    return env


def ask_groovy(table: tuple[str, ...] = TABLE) -> dict[str, str]:
    """Every expression of ``table`` evaluated by one ``groovy`` process."""
    command = groovy_command()
    if command is None:
        raise RuntimeError("groovy is not installed (Debian package: groovy)")
    with tempfile.TemporaryDirectory() as directory:
        listing = Path(directory) / "table.json"
        listing.write_text(json.dumps(list(table)))
        done = subprocess.run(
            [*command, str(SCRIPT), str(listing)],
            capture_output=True,
            text=True,
            env=_environment(),
            timeout=600,
            check=True,
        )
    answers: dict[str, str] = json.loads(done.stdout)
    return answers


def groovy_version() -> str:
    command = groovy_command()
    if command is None:
        return "unknown"
    done = subprocess.run(
        [*command, "--version"], capture_output=True, text=True, env=_environment(), timeout=120
    )
    return done.stdout.strip()


def load_answers() -> dict[str, str]:
    if not ANSWERS.exists():
        return {}
    data: dict[str, str] = json.loads(ANSWERS.read_text())["answers"]
    return data


def save_answers(answers: dict[str, str]) -> None:
    body = {"groovy": groovy_version(), "answers": dict(sorted(answers.items()))}
    ANSWERS.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n")


def refresh(force: bool = False) -> bool:
    """Ask Groovy again when the table has expressions the cache lacks (or when forced).

    Returns whether the cache was rewritten. Without ``groovy`` nothing happens.
    """
    cached = load_answers()
    if groovy_command() is None or (not force and all(t in cached for t in TABLE)):
        return False
    save_answers(ask_groovy())
    return True


if __name__ == "__main__":  # ``make oracle``
    if groovy_command() is None:
        raise SystemExit("preflight: the oracle needs the Debian package groovy")
    refresh(force=True)
    print(f"{len(load_answers())} answers from Groovy in {ANSWERS.name}")
