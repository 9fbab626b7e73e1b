"""The .nf scanner: processes, labels, directive source and place, includes, reach and FQNs."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.nextflow.script.model import Directive
from preflight.nextflow.script.scan import (
    PipelineScripts,
    ProcessDef,
    scan_pipeline,
    scan_script,
    statement_end,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "images"


def present(directive: Directive | None) -> Directive:
    """A directive the test expects the scanner to have found."""
    assert directive is not None
    return directive


def scan(text: str) -> dict[str, ProcessDef]:
    script = scan_script(text, "x.nf", "x.nf")
    return {p.name: p for p in script.processes}


def test_plain_string_directive_with_its_place() -> None:
    processes = scan("process A {\n    container 'quay.io/x/y:1'\n    script:\n    'true'\n}\n")
    process = processes["A"]
    assert present(process.container).source == "'quay.io/x/y:1'"
    assert str(present(process.container).location) == "x.nf:2:15"
    assert str(process.location) == "x.nf:1:1"


def test_nf_core_ternary_spanning_lines_is_one_directive() -> None:
    text = (
        "process FASTQC {\n"
        "    label 'process_medium'\n"
        "    container \"${ workflow.containerEngine == 'singularity' ?\n"
        "        'https://depot/x' :\n"
        "        'biocontainers/x:1' }\"\n"
        "    input:\n    path r\n"
        "}\n"
    )
    process = scan(text)["FASTQC"]
    source = present(process.container).source
    assert source.startswith('"${ workflow.containerEngine') and source.endswith('}"')
    assert "'biocontainers/x:1'" in source
    assert process.labels == ("process_medium",)


@pytest.mark.parametrize(
    "directive",
    [
        '"${params.registry}/tools/bwa:1"',
        '"$params.registry/default/ubuntu:latest"',
        "{ params.big ? 'a/b:1' : 'a/c:1' }",
        "\"${ task.ext.container ?: 'quay.io/x/y:1' }\"",
        "params.image",
        "( 'x/y:1' )",
    ],
)
def test_directive_forms_keep_their_source(directive: str) -> None:
    process = scan(f"process P {{\n  container {directive}\n  script:\n  'x'\n}}\n")["P"]
    assert present(process.container).source == directive


def test_a_statement_continues_over_an_operator_at_line_end() -> None:
    text = "process P {\n  container params.a ?\n      'x/y:1' :\n      'x/z:1'\n  cpus 2\n}\n"
    source = present(scan(text)["P"].container).source
    assert source.split() == ["params.a", "?", "'x/y:1'", ":", "'x/z:1'"]


@pytest.mark.parametrize(
    ("written", "source"),
    [
        ("'x/y:1'\n      .toLowerCase()", "'x/y:1'\n      .toLowerCase()"),
        # A next line starting with '+' is a statement of its own (Groovy's grammar).
        ("'x/y:1'\n\n      + ':2'", "'x/y:1'"),
        ("'x/y:1'\n      ?.toLowerCase()", "'x/y:1'\n      ?.toLowerCase()"),
        (
            "params.a\n      && params.b ? 'x/y:1' : 'x/z:1'",
            "params.a\n      && params.b ? 'x/y:1' : 'x/z:1'",
        ),
        ("params.a\n      ?: 'x/y:1'", "params.a\n      ?: 'x/y:1'"),
        (
            "params.a ==\n      'b' ? 'x/y:1' : 'x/z:1'",
            "params.a ==\n      'b' ? 'x/y:1' : 'x/z:1'",
        ),
        (
            "params.a\n      == 'b' ? 'x/y:1' : 'x/z:1'",
            "params.a\n      == 'b' ? 'x/y:1' : 'x/z:1'",
        ),
        (
            "params.a in\n      ['b'] ? 'x/y:1' : 'x/z:1'",
            "params.a in\n      ['b'] ? 'x/y:1' : 'x/z:1'",
        ),
        ("'x/y:1'\n      - 'y'", "'x/y:1'"),
        ("'x/y:1'\n      // a comment\n  cpus 2", "'x/y:1'"),
        ("params.big\n      ? 'x/y:1' : 'x/z:1'", "params.big\n      ? 'x/y:1' : 'x/z:1'"),
        ("'x/y:1'   \n  cpus 2", "'x/y:1'"),
        ("'x/y:1' // the image\n", "'x/y:1'"),
        ('"x/${params.tool}:1"\n', '"x/${params.tool}:1"'),
    ],
)
def test_a_string_continued_on_the_next_line_stays_one_directive(written: str, source: str) -> None:
    process = scan(f"process P {{\n  container {written}\n  script:\n  'x'\n}}\n")["P"]
    assert present(process.container).source == source
    assert str(present(process.container).location) == "x.nf:2:13"


def test_words_in_scripts_comments_and_strings_are_not_directives() -> None:
    text = (
        "process P {\n"
        "    // container 'commented/out:1'\n"
        "    /* container 'block/comment:1' } { */\n"
        "    label 'a'; label \"b\"\n"
        "    input:\n    val x\n"
        "    script:\n"
        '    """\n    container \'in/script:1\' } } {\n    echo ${x}\n    """\n'
        "}\n"
        "process Q {\n    container 'q/q:1'\n}\n"
    )
    processes = scan(text)
    assert processes["P"].container is None
    assert processes["P"].labels == ("a", "b")
    assert present(processes["Q"].container).source == "'q/q:1'"


def test_directives_after_a_section_label_are_ignored() -> None:
    text = "process P {\n  input:\n  val container\n  exec:\n  container = 1\n}\n"
    assert scan(text)["P"].container is None


def test_conda_and_dynamic_labels() -> None:
    text = "process P {\n  conda 'bioconda::fastqc=0.12.1'\n  label params.lbl\n}\n"
    process = scan(text)["P"]
    assert present(process.conda).source == "'bioconda::fastqc=0.12.1'"
    assert process.labels == ()
    assert process.dynamic_labels[0].source == "params.lbl"


def test_legacy_if_else_becomes_one_ternary() -> None:
    text = (
        "process P {\n"
        "  if (workflow.containerEngine == 'singularity') {\n"
        "    container 'https://depot/x'\n"
        "  } else {\n"
        "    container 'quay.io/x/y:1'\n"
        "  }\n"
        "  script:\n  'x'\n}\n"
    )
    source = present(scan(text)["P"].container).source
    assert source == (
        "((workflow.containerEngine == 'singularity') ? ('https://depot/x') : ('quay.io/x/y:1'))"
    )


def test_slashy_and_dollar_slashy_strings_hide_braces() -> None:
    text = (
        "def f(x) { x.replaceAll(/[{}']/, '') }\n"
        "def g = $/ } { /$\n"
        "process P {\n  container 'p/p:1'\n}\n"
    )
    assert present(scan(text)["P"].container).source == "'p/p:1'"


def test_includes_aliases_and_script_params() -> None:
    text = (
        "include { A; B as C } from './m'\n"
        'include {\n  D // the first\n  D as E\n} from "../n/main.nf"\n'
        "params.registry = 'x.azurecr.io'\n"
        "params.tag = \"1\" +\n  '.0'\n"
    )
    script = scan_script(text, "x.nf", "x.nf")
    assert [(i.entries, i.path) for i in script.includes] == [
        ((("A", "A"), ("B", "C")), "./m"),
        ((("D", "D"), ("D", "E")), "../n/main.nf"),
    ]
    params = dict(script.params)
    assert params["registry"].source == "'x.azurecr.io'"
    assert params["tag"].source.split() == ['"1"', "+", "'.0'"]


def test_statement_end() -> None:
    text = "a ? b :\n c\nnext"
    assert text[: statement_end(text, 0)] == "a ? b :\n c"
    text = "x }"
    assert statement_end(text, 0) == 1
    text = "params.a ? // which one\n 'x' : 'y'\nnext"
    assert text[: statement_end(text, 0)] == "params.a ? // which one\n 'x' : 'y'"
    text = "'q/x:1' // don't: continue?\ncpus 2"
    assert text[: statement_end(text, 0)] == "'q/x:1'"
    text = "\n  'x'   \nnext"
    assert text[: statement_end(text, 0)] == "\n  'x'"
    text = "'a'; 'b'"
    assert text[: statement_end(text, 0)] == "'a'"


def nfcore() -> PipelineScripts:
    root = FIXTURES / "nfcore"
    return scan_pipeline(root, root / "main.nf")


def test_pipeline_reach_gives_aliases_and_fully_qualified_names() -> None:
    scripts = nfcore()
    by_fqn = {i.fqn: i for i in scripts.instances}
    assert set(by_fqn) == {
        "ACME_VARIANTS:VARIANTS:FASTQC",
        "ACME_VARIANTS:VARIANTS:MULTIQC",
        "ACME_VARIANTS:VARIANTS:DUMP_VERSIONS",
        "ACME_VARIANTS:VARIANTS:ALIGN_PAIRED:BWA_MEM_TUMOUR",
        "ACME_VARIANTS:VARIANTS:ALIGN_PAIRED:BWA_MEM_NORMAL",
        "ACME_VARIANTS:VARIANTS:ALIGN_PAIRED:SAMTOOLS_SORT",
        "ACME_VARIANTS:VARIANTS:ALIGN_PAIRED:SAMTOOLS_SORT_AGAIN",
    }
    tumour = by_fqn["ACME_VARIANTS:VARIANTS:ALIGN_PAIRED:BWA_MEM_TUMOUR"]
    assert (tumour.name, tumour.alias, tumour.reached) == ("BWA_MEM", "BWA_MEM_TUMOUR", True)
    assert tumour.definition.labels == ("process_high",)
    assert (
        str(present(tumour.definition.container).location) == "modules/nf-core/bwa/mem/main.nf:6:15"
    )
    assert scripts.issues == ()  # the plugin include is not a missing file
    assert scripts.script_params["outdir"].source == "'results'"
    assert len(scripts.files) == 8


def test_processes_loaded_but_never_called_are_listed_unreached(tmp_path: Path) -> None:
    (tmp_path / "m.nf").write_text("process USED { script: 'a' }\nprocess SPARE { script: 'b' }\n")
    (tmp_path / "main.nf").write_text(
        "include { USED; SPARE } from './m'\ninclude { GONE } from './missing'\n"
        "workflow { USED() }\n"
    )
    scripts = scan_pipeline(tmp_path, tmp_path / "main.nf")
    reached = {i.fqn: i.reached for i in scripts.instances}
    assert reached == {"USED": True, "SPARE": False}
    assert len(scripts.issues) == 1
    assert "'./missing'" in scripts.issues[0].message
    assert str(scripts.issues[0].location) == "main.nf:2:1"


def test_a_directory_include_means_its_main_nf(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.nf").write_text("process M { container 'm/m:1' }\n")
    (tmp_path / "main.nf").write_text("include { M as N } from './mod'\nworkflow { N() }\n")
    scripts = scan_pipeline(tmp_path, tmp_path / "main.nf")
    assert [(i.fqn, i.name) for i in scripts.instances] == [("N", "M")]


def test_recursive_workflows_do_not_loop(tmp_path: Path) -> None:
    (tmp_path / "main.nf").write_text(
        "process P { script: 'x' }\nworkflow A { B(); P() }\nworkflow B { A() }\nworkflow { A() }\n"
    )
    scripts = scan_pipeline(tmp_path, tmp_path / "main.nf")
    assert {i.fqn for i in scripts.instances} == {"A:P"}


def test_without_a_main_script_every_module_is_scanned(tmp_path: Path) -> None:
    (tmp_path / "modules" / "a").mkdir(parents=True)
    (tmp_path / "modules" / "a" / "main.nf").write_text("process A { container 'a/a:1' }\n")
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "w.nf").write_text("process B { script: 'x' }\n")
    scripts = scan_pipeline(tmp_path, None)
    assert sorted(i.fqn for i in scripts.instances) == ["A", "B"]
    # Nothing says what runs, so nothing is ruled out.
    assert all(i.reached for i in scripts.instances)


def test_includes_through_project_and_module_dir_variables(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "a.nf").write_text("process A { container 'a/a:1' }\n")
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "b.nf").write_text("process B { container 'b/b:1' }\n")
    (tmp_path / "workflows" / "w.nf").write_text(
        'include { B } from "${moduleDir}/b"\nworkflow W { B() }\n'
    )
    (tmp_path / "main.nf").write_text(
        'include { A } from "$projectDir/modules/a"\n'
        'include { W } from "${baseDir}/workflows/w.nf"\n'
        "workflow { A(); W() }\n"
    )
    scripts = scan_pipeline(tmp_path, tmp_path / "main.nf")
    assert sorted(i.fqn for i in scripts.instances) == ["A", "W:B"]
    assert scripts.issues == ()


def test_a_workflow_body_names_its_invocations_not_properties_or_interpolations() -> None:
    from preflight.nextflow.script.calls import invoked

    code = (
        "FASTQC(reads)\nch = ch.mix(ALIGN.out.bam); x = \x010\x01 ; 1QC é_QC _P2(a.b)\n"
        "ch | SORT | (INDEX & STATS) ; y = a || b ; z = c && d"
    )
    assert invoked(code) == ["FASTQC", "_P2", "SORT", "INDEX", "STATS"]


def test_a_multi_line_closure_directive_is_captured_whole() -> None:
    closure = (
        "{ workflow.containerEngine == 'singularity' && !task.ext.x ?\n"
        "        'https://depot.example.org/singularity/img:1' :\n"
        "        'org/img:1' }"
    )
    text = f"process P {{\n    container {closure}\n    cpus 2\n    script:\n    'true'\n}}\n"
    process = scan(text)["P"]
    assert process.container is not None
    assert process.container.source == closure
    assert str(process.container.location) == "x.nf:2:15"
