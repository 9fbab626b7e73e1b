"""Which processes run: includes under a top-level ``if``, calls under ``if``/``else`` in a
workflow, and invocations as opposed to names (the shapes real pipelines hold)."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.nextflow.script.calls import workflow_calls
from preflight.nextflow.script.scan import PipelineScripts, scan_pipeline, scan_script

PLATFORM_MAIN = """\
if (params.platform == 'illumina') {
    include { SHORT as ALIGN } from './short'
} else if (params.platform == "ont") {
    include { LONG as ALIGN } from './long'
} else {
    include { HYBRID as ALIGN } from './hybrid'
}

workflow {
    ALIGN(Channel.of(1))
}
"""


def _pipeline(root: Path, main: str, modules: dict[str, str]) -> None:
    (root / "main.nf").write_text(main)
    for name, process in modules.items():
        (root / f"{name}.nf").write_text(f"process {process} {{\n    script:\n    'true'\n}}\n")


def _reached(scripts: PipelineScripts) -> dict[str, bool]:
    return {i.fqn: i.reached for i in scripts.instances}


def test_top_level_includes_carry_the_guard_of_their_arm() -> None:
    script = scan_script(PLATFORM_MAIN, "/p/main.nf", "main.nf")
    guards = [(i.path, i.guard) for i in script.includes]
    assert guards == [
        ("./short", ("params.platform == 'illumina'",)),
        ("./long", ("!(params.platform == 'illumina')", 'params.platform == "ont"')),
        ("./hybrid", ("!(params.platform == 'illumina')", '!(params.platform == "ont")')),
    ]
    assert [str(i.location) for i in script.includes] == [
        "main.nf:2:5",
        "main.nf:4:5",
        "main.nf:6:5",
    ]


@pytest.mark.parametrize(
    ("params", "runs"),
    [
        (None, "SHORT"),  # before: no include was followed, zero processes
        ({"platform": "illumina"}, "SHORT"),
        ({"platform": "ont"}, "LONG"),
        ({"platform": "pacbio"}, "HYBRID"),
    ],
)
def test_only_the_branch_the_params_take_is_included(
    tmp_path: Path, params: dict[str, str] | None, runs: str
) -> None:
    _pipeline(
        tmp_path,
        "params.platform = 'illumina'\n" + PLATFORM_MAIN,
        {"short": "SHORT", "long": "LONG", "hybrid": "HYBRID"},
    )
    scripts = scan_pipeline(tmp_path, tmp_path / "main.nf", params=params)
    instances = {i.definition.name: i for i in scripts.instances}
    assert instances[runs].reached and instances[runs].fqn == "ALIGN"
    others = [i for name, i in instances.items() if name != runs]
    assert len(others) == 2 and not any(i.reached for i in others)
    assert all("under these params (include at main.nf:" in i.excluded_by for i in others)
    assert scripts.issues == ()


def test_an_undecidable_include_condition_takes_every_branch_and_says_so(tmp_path: Path) -> None:
    main = (
        "if (System.getenv('LONG_READS')) {\n    include { LONG } from './long'\n}"
        " else {\n    include { SHORT } from './short'\n}\n"
        "workflow {\n    LONG()\n    SHORT()\n}\n"
    )
    _pipeline(tmp_path, main, {"short": "SHORT", "long": "LONG"})
    scripts = scan_pipeline(tmp_path, tmp_path / "main.nf")
    assert _reached(scripts) == {"LONG": True, "SHORT": True}
    assert [str(i.location) for i in scripts.issues] == ["main.nf:2:5", "main.nf:4:5"]
    assert all("cannot be decided before the run" in i.message for i in scripts.issues)
    assert "System.getenv('LONG_READS')" in scripts.issues[0].message


def test_workflow_profile_decides_a_condition(tmp_path: Path) -> None:
    main = "workflow {\n    if (workflow.profile.contains('gpu')) { GPU() } else { CPU() }\n}\n"
    _pipeline(tmp_path, main, {})
    (tmp_path / "main.nf").write_text(
        main + "process GPU {\n  'true'\n}\nprocess CPU {\n  'true'\n}\n"
    )
    assert _reached(scan_pipeline(tmp_path, tmp_path / "main.nf")) == {"CPU": True, "GPU": False}
    gpu = scan_pipeline(tmp_path, tmp_path / "main.nf", profile="test,gpu")
    assert _reached(gpu) == {"GPU": True, "CPU": False}


def test_calls_under_if_else_in_a_workflow_are_guarded() -> None:
    code = (
        "if (params.a) {\n A(x)\n if (params.b) { B() }\n} else if (params.c == \x010\x01) {\n"
        " C()\n} else {\n ch | D\n}\nE()\nif (params.f) F()\n"
    )
    names, guards = workflow_calls(code, ["'yes'"])
    assert names == ("A", "B", "C", "D", "E", "F")
    assert dict(guards) == {
        "A": (("params.a",),),
        "B": (("params.a", "params.b"),),
        "C": (("!(params.a)", "params.c == 'yes'"),),
        "D": (("!(params.a)", "!(params.c == 'yes')"),),
    }


def test_a_name_called_in_both_arms_or_also_unguarded_runs_either_way() -> None:
    names, guards = workflow_calls("if (params.x) { A() } else { A(); B() }\nB()\n", [])
    assert names == ("A", "B")
    assert dict(guards) == {"A": (("params.x",), ("!(params.x)",))}


@pytest.mark.parametrize(
    ("params", "reached"),
    [
        (None, {"QC": True, "TRIM": False}),
        ({"skip_qc": True}, {"QC": False, "TRIM": True}),
    ],
)
def test_a_branch_not_taken_is_not_called_under_these_params(
    tmp_path: Path, params: dict[str, object] | None, reached: dict[str, bool]
) -> None:
    main = (
        "params.skip_qc = false\ninclude { QC } from './qc'\ninclude { TRIM } from './trim'\n"
        "workflow {\n    if (!params.skip_qc) {\n        QC()\n    } else {\n        TRIM()\n"
        "    }\n}\n"
    )
    _pipeline(tmp_path, main, {"qc": "QC", "trim": "TRIM"})
    scripts = scan_pipeline(tmp_path, tmp_path / "main.nf", params=params)
    assert _reached(scripts) == reached
    skipped = next(i for i in scripts.instances if not i.reached)
    assert "call of" in skipped.excluded_by and "workflow at main.nf:4:1" in skipped.excluded_by


def test_a_condition_only_the_run_knows_keeps_every_branch(tmp_path: Path) -> None:
    main = (
        "include { QC } from './qc'\ninclude { TRIM } from './trim'\n"
        "workflow {\n    reads = Channel.of(1)\n"
        "    if (reads.count() > 2) { QC() } else { TRIM() }\n}\n"
    )
    _pipeline(tmp_path, main, {"qc": "QC", "trim": "TRIM"})
    scripts = scan_pipeline(tmp_path, tmp_path / "main.nf")
    assert _reached(scripts) == {"QC": True, "TRIM": True}


def test_a_name_read_as_a_value_is_not_a_call(tmp_path: Path) -> None:
    main = (
        "include { report } from './report'\ninclude { other } from './other'\n"
        "workflow {\n    report = other(Channel.of(1))\n    report.json.view()\n}\n"
    )
    _pipeline(tmp_path, main, {"report": "report", "other": "other"})
    assert _reached(scan_pipeline(tmp_path, tmp_path / "main.nf")) == {
        "other": True,
        "report": False,
    }


@pytest.mark.parametrize(
    "body",
    ["report(ch)", "report (ch)", "ch | report", "ch | (report & other)", "ch\n    | report"],
)
def test_every_form_of_invocation_reaches_the_process(tmp_path: Path, body: str) -> None:
    main = (
        "include { report } from './report'\ninclude { other } from './other'\n"
        f"workflow {{\n    ch = Channel.of(1)\n    {body}\n    other(ch)\n}}\n"
    )
    _pipeline(tmp_path, main, {"report": "report", "other": "other"})
    assert _reached(scan_pipeline(tmp_path, tmp_path / "main.nf"))["report"] is True


def test_names_inside_strings_and_comments_are_not_calls(tmp_path: Path) -> None:
    main = (
        "include { report } from './report'\n"
        'workflow {\n    log.info "report(${x})"\n    // report(ch)\n    /* report() */\n'
        "    x = 'ch | report'\n}\n"
    )
    _pipeline(tmp_path, main, {"report": "report"})
    assert _reached(scan_pipeline(tmp_path, tmp_path / "main.nf")) == {"report": False}


def test_bodies_nested_far_deeper_than_the_recursion_limit_are_read() -> None:
    depth = 5000
    code = "if (params.a) {\n" * depth + "A()\n" + "}\n" * depth + "B()\n"
    names, guards = workflow_calls(code, [])
    assert names == ("A", "B")
    assert dict(guards) == {"A": (("params.a",) * depth,)}
