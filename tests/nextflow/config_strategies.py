"""Hypothesis strategies that write Nextflow configuration text, valid and mutated."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pipelines"

names = st.sampled_from(
    [
        "cpus",
        "memory",
        "container",
        "enabled",
        "registry",
        "outdir",
        "ext",
        "queue",
        "x_1",
        "withLabelish",
    ]
)
plain_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12
)


def _single(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _double(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


literals = st.one_of(
    st.integers(-1000, 10**6).map(str),
    st.sampled_from(["true", "false", "null", "2.GB", "1.h", "[]", "[:]"]),
    plain_text.map(_single),
    plain_text.map(_double),
    st.sampled_from(
        [
            '"${params.outdir}/x"',
            "params.outdir ?: 'results'",
            "params.flag ? 'a' : 'b'",
            "{ task.attempt * 2 }",
            "System.getenv('HOME')",
            "[a: 1, b: 'two']",
            "['x', 'y']",
            "'''multi\nline'''",
            "/sl\\/ashy/",
        ]
    ),
)
comments = st.sampled_from(["", " // note", " /* inline */"])


@st.composite
def statements(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 5 if depth < 2 else 1))
    indent = "    " * depth
    if kind <= 1:
        path = ".".join(draw(st.lists(names, min_size=1, max_size=3)))
        return f"{indent}{path} = {draw(literals)}{draw(comments)}"
    body = "\n".join(draw(st.lists(statements(depth + 1), max_size=3)))
    if kind == 2:
        return f"{indent}{draw(names)} {{\n{body}\n{indent}}}"
    if kind == 3:
        pattern = draw(st.sampled_from(["FOO", "'A|B'", "'!big.*'", '".*:QC"']))
        selector = draw(st.sampled_from(["withName", "withLabel"]))
        return (
            f"{indent}process {{\n{indent}  {selector}: {pattern} {{\n{body}\n"
            f"{indent}  }}\n{indent}}}"
        )
    if kind == 4:
        return f"{indent}params {{\n{indent}    {draw(names)} = {draw(literals)}\n{indent}}}"
    return f"{indent}// {draw(plain_text).replace(chr(10), ' ')}"


@st.composite
def configs(draw: st.DrawFn) -> str:
    """A configuration file both Nextflow parsers accept."""
    lines = draw(st.lists(statements(), max_size=8))
    wave = draw(
        st.sampled_from(
            [
                "",
                "wave.enabled = false",
                "wave { enabled = false }",
                "wave.enabled = 'true'",
                "wave.enabled = true",
                "profiles { slow { wave.enabled = false } }",
            ]
        )
    )
    if wave:
        lines.insert(draw(st.integers(0, len(lines))), wave)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines)
    if draw(st.booleans()):
        text += newline
    return text


NOISE = "{}()[]'\"$/\\*:?!=.,;\n #@-+<>|&~`abcXYZ019"


def _fixture_texts() -> list[str]:
    return sorted(p.read_text(encoding="utf-8") for p in FIXTURES.rglob("*.config"))


@st.composite
def mutated_configs(draw: st.DrawFn) -> str:
    """A real-shaped config with random damage: cuts, insertions, duplicated spans."""
    text = draw(st.sampled_from(_fixture_texts()))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start, min(len(text), start + 40)))
        action = draw(st.integers(0, 2))
        if action == 0:
            text = text[:start] + text[end:]
        elif action == 1:
            noise = draw(st.text(alphabet=NOISE, max_size=6))
            text = text[:start] + noise + text[start:]
        else:
            text = text[:end] + text[start:end] + text[end:]
    return text
