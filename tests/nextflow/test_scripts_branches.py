"""The .nf scanner on legacy ``if``/``else if``/``else`` container blocks, folded to one ternary.

Each folded source is evaluated with the real expression evaluator, so the tests state what a
process runs under given params, not how the text is spelled.
"""

from __future__ import annotations

from typing import Any

import pytest

from preflight.nextflow.groovy.expressions import evaluate, parse_expression
from preflight.nextflow.script.scan import ProcessDef, scan_script

CHAIN = """\
process SORT {
    label 'process_low'
    if (params.engine == 'singularity') {
        container 'https://depot/samtools:1.17'
    } else if (params.engine == 'podman') {
        container 'quay.io/podman/samtools:1.17'
    }
    else if (params.mirror) { container "${params.mirror}/samtools:1.17" }
    else {
        container 'quay.io/biocontainers/samtools:1.17'
    }

    input:
    path bam
    script:
    "samtools sort $bam"
}
"""


def scan(text: str) -> dict[str, ProcessDef]:
    return {p.name: p for p in scan_script(text, "x.nf", "x.nf").processes}


def runs(process: ProcessDef, **params: Any) -> Any:
    """The container ``process`` gets with ``params``: its folded source, evaluated."""
    assert process.container is not None
    expression = parse_expression(process.container.source, process.container.location)
    return evaluate(expression, {"params": params})


@pytest.mark.parametrize(
    ("params", "image"),
    [
        ({"engine": "singularity", "mirror": None}, "https://depot/samtools:1.17"),
        ({"engine": "podman", "mirror": None}, "quay.io/podman/samtools:1.17"),
        ({"engine": "docker", "mirror": "acme.azurecr.io/m"}, "acme.azurecr.io/m/samtools:1.17"),
        ({"engine": "docker", "mirror": None}, "quay.io/biocontainers/samtools:1.17"),
    ],
)
def test_each_arm_of_an_else_if_chain_is_taken_under_its_condition(
    params: dict[str, Any], image: str
) -> None:
    process = scan(CHAIN)["SORT"]
    assert runs(process, **params) == image
    assert str(process.container.location) == "x.nf:4:19"  # type: ignore[union-attr]
    assert process.labels == ("process_low",)


def test_an_arm_without_a_container_keeps_the_one_set_before_the_chain() -> None:
    process = scan(
        "process P {\n    container 'base/img:1'\n"
        "    if (params.a) { container 'a/img:1' } else if (params.b) { cpus 2 }\n"
        "    script:\n    'x'\n}\n"
    )["P"]
    assert runs(process, a=True, b=False) == "a/img:1"
    assert runs(process, a=False, b=True) == "base/img:1"
    assert runs(process, a=False, b=False) == "base/img:1"


def test_a_chain_without_else_and_no_earlier_container_means_none() -> None:
    process = scan("process P {\n    if (params.a) { container 'a/img:1' }\n}\n")["P"]
    assert runs(process, a=True) == "a/img:1"
    assert runs(process, a=False) is None


def test_a_container_written_after_the_chain_wins() -> None:
    process = scan(
        "process P {\n    if (params.a) { container 'a/img:1' } else { container 'b/img:1' }\n"
        "    container 'late/img:1'\n}\n"
    )["P"]
    assert process.container is not None and process.container.source == "'late/img:1'"


def test_two_separate_if_blocks_apply_in_order() -> None:
    process = scan(
        "process P {\n    if (params.a) { container 'a/img:1' }\n"
        "    if (params.b) { container 'b/img:1' } else if (params.c) { container 'c/img:1' }\n"
        "}\n"
    )["P"]
    assert runs(process, a=True, b=False, c=False) == "a/img:1"
    assert runs(process, a=True, b=True, c=False) == "b/img:1"
    assert runs(process, a=False, b=False, c=True) == "c/img:1"
    assert runs(process, a=False, b=False, c=False) is None


def test_an_if_inside_the_script_section_is_not_a_directive() -> None:
    process = scan(
        "process P {\n    container 'base/img:1'\n    script:\n"
        "    if (params.a) { container = 'x' } else if (params.b) { y() }\n    'run'\n}\n"
    )["P"]
    assert process.container is not None and process.container.source == "'base/img:1'"
