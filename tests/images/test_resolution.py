"""Image resolution over pipelines in real shapes, with the real configuration reader."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from preflight.errors import PreflightError
from preflight.images.resolve import ImageResolution, Outcome, ProcessImage, resolve_images
from preflight.model import Status
from preflight.pipeline import PipelineSpec

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "images"
TUMOUR = "ACME_VARIANTS:VARIANTS:ALIGN_PAIRED:BWA_MEM_TUMOUR"
SORT_AGAIN = "ACME_VARIANTS:VARIANTS:ALIGN_PAIRED:SAMTOOLS_SORT_AGAIN"


def resolve(name: str, tmp_path: Path, **options: object) -> ImageResolution:
    spec = PipelineSpec.locate(FIXTURES / name, launch_dir=tmp_path, **options)
    return resolve_images(spec)


def by_process(resolution: ImageResolution) -> dict[str, ProcessImage]:
    return {p.process: p for p in resolution.processes}


def images(resolution: ImageResolution) -> dict[str, tuple[str, ...]]:
    return {u.image: u.processes for u in resolution.uses}


def test_nf_core_shape_under_docker(tmp_path: Path) -> None:
    result = resolve("nfcore", tmp_path)
    assert result.engine == "docker"
    found = images(result)
    # The ternary's docker branch, with docker.registry = 'quay.io' prefixed.
    assert found["quay.io/biocontainers/fastqc:0.12.1--hdfd78af_0"] == (
        "ACME_VARIANTS:VARIANTS:FASTQC",
    )
    # Newer modules carry a host already; the registry is not prefixed again.
    assert "community.wave.seqera.io/library/multiqc:1.25.1--214f4a3e2c2b8e01" in found
    # The legacy if/else module evaluates to its else branch.
    assert "quay.io/biocontainers/samtools:1.17--h00cdaf9_0" in found
    acr = {u.image for u in result.acr_uses}
    assert acr == {
        "acmegenomics.azurecr.io/tools/bwa-patched:0.7.18",
        "acmegenomics.azurecr.io/tools/samtools:1.21",
    }
    use = next(u for u in result.uses if u.image.endswith("bwa-patched:0.7.18"))
    assert (use.registry, use.repository, use.tag, use.digest, use.acr) == (
        "acmegenomics.azurecr.io",
        "tools/bwa-patched",
        "0.7.18",
        None,
        True,
    )
    assert use.processes == (TUMOUR,)
    assert str(use.source) == "conf/modules.config:5:9"


def test_alias_and_fqn_selectors_differ_from_what_inspect_reports(tmp_path: Path) -> None:
    processes = by_process(resolve("nfcore", tmp_path))
    tumour, normal = processes[TUMOUR], processes[TUMOUR.replace("TUMOUR", "NORMAL")]
    assert tumour.declared == normal.declared == "BWA_MEM"
    assert str(tumour.image).startswith("acmegenomics.azurecr.io/")
    assert tumour.inspect_image is not None and tumour.inspect_image.startswith("quay.io/")
    assert tumour.differs_from_inspect and not normal.differs_from_inspect
    assert processes[SORT_AGAIN].origin == "withName:SAMTOOLS_SORT_AGAIN"
    findings = [f for f in resolve("nfcore", tmp_path).findings if "nextflow inspect" in f.message]
    assert {f.subject for f in findings} == {TUMOUR, SORT_AGAIN}
    assert all(f.status is Status.WARN for f in findings)


def test_process_without_container_is_flagged_with_its_place(tmp_path: Path) -> None:
    result = resolve("nfcore", tmp_path)
    dump = by_process(result)["ACME_VARIANTS:VARIANTS:DUMP_VERSIONS"]
    assert dump.outcome is Outcome.NONE and dump.image is None
    finding = next(f for f in result.findings if f.subject == "processes without a container")
    assert finding.status is Status.WARN
    assert finding.details["processes"] == ["ACME_VARIANTS:VARIANTS:DUMP_VERSIONS"]
    assert str(finding.location) == "modules/local/dump_versions.nf:1:1"


def test_singularity_profile_takes_the_other_branch(tmp_path: Path) -> None:
    result = resolve("nfcore", tmp_path, profiles=("singularity",))
    assert result.engine == "singularity"
    processes = by_process(result)
    assert processes["ACME_VARIANTS:VARIANTS:FASTQC"].outcome is Outcome.NOT_REGISTRY
    assert processes["ACME_VARIANTS:VARIANTS:FASTQC"].raw.startswith("https://depot")  # type: ignore[union-attr]
    # Selectors still put the private images in place.
    assert {u.image for u in result.acr_uses} == {
        "acmegenomics.azurecr.io/tools/bwa-patched:0.7.18",
        "acmegenomics.azurecr.io/tools/samtools:1.21",
    }
    assert any(
        f.status is Status.SKIP and "not registry pulls" in f.message for f in result.findings
    )


def test_engine_option_beats_the_config(tmp_path: Path) -> None:
    result = resolve("nfcore", tmp_path, profiles=("singularity",), engine="docker")
    assert result.engine == "docker"
    assert "quay.io/biocontainers/fastqc:0.12.1--hdfd78af_0" in images(result)


def test_a_profile_selector_overrides_the_directive(tmp_path: Path) -> None:
    processes = by_process(resolve("nfcore", tmp_path, profiles=("arm64",)))
    fastqc = processes["ACME_VARIANTS:VARIANTS:FASTQC"]
    assert str(fastqc.image) == "community.wave.seqera.io/library/fastqc:0.12.1--arm64"
    assert fastqc.origin == "withName:FASTQC"


def test_containers_only_in_config_through_labels(tmp_path: Path) -> None:
    result = resolve("config_only", tmp_path)
    assert images(result) == {
        "docker.io/ontresearch/wf-metagenomics:sha8e2c1a7b": ("abundance", "classify"),
        "docker.io/ontresearch/wf-common:sha91452ece": ("report",),
        "docker.io/library/ubuntu:22.04": ("unlabelled",),
    }
    processes = by_process(result)
    assert processes["classify"].origin == "withLabel:wfmetagenomics"
    assert processes["unlabelled"].origin == "process.container"
    assert result.acr_uses == () and result.unresolved == ()


@pytest.mark.parametrize(
    ("profiles", "image", "acr"),
    [
        ((), "docker.io/acme/rnaseq-nf:v1.3.1", False),
        (("azure",), "acmeregistry.azurecr.io/acme/rnaseq-nf:v1.3.1", True),
    ],
)
def test_containers_only_inside_profiles(
    tmp_path: Path, profiles: tuple[str, ...], image: str, acr: bool
) -> None:
    result = resolve("profiles_only", tmp_path, profiles=profiles)
    found = [(u.image, u.acr, u.processes) for u in result.uses]
    assert found == [(image, acr, ("INDEX", "QUANT"))]


def test_acr_images_through_params(tmp_path: Path) -> None:
    result = resolve("acr_params", tmp_path)
    assert images(result) == {
        "acmegenomics.azurecr.io/default/ubuntu:latest": ("GREET",),
        "acmegenomics.azurecr.io/gatk/caller:4.5.0": ("CALL",),
        "acmegenomics.azurecr.io/tools/bwa:0.7.18": ("ALIGN",),
    }
    # Explicitly tagged latest is not an implicit latest.
    assert not any("no tag" in f.message for f in result.findings)


def test_command_line_params_win(tmp_path: Path) -> None:
    result = resolve(
        "acr_params", tmp_path, params={"registry": "other.azurecr.cn", "bwa_version": "0.7.19"}
    )
    assert "other.azurecr.cn/tools/bwa:0.7.19" in images(result)
    assert "other.azurecr.cn/default/ubuntu:latest" in images(result)


def test_script_params_are_defaults_under_the_config(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "main.nf").write_text(
        "params.registry = 'script.azurecr.io'\nparams.tag = '1.0'\n"
        "process P {\n  container \"${params.registry}/tool:${params.tag}\"\n  script: 'x'\n}\n"
        "workflow { P() }\n"
    )
    (tmp_path / "p" / "nextflow.config").write_text("params.tag = '2.0'\n")
    spec = PipelineSpec.locate(tmp_path / "p", launch_dir=tmp_path)
    assert images(resolve_images(spec)) == {"script.azurecr.io/tool:2.0": ("P",)}


def test_acr_registry_no_tag_and_upper_case_are_flagged(tmp_path: Path) -> None:
    result = resolve("registry_acr", tmp_path)
    assert images(result) == {
        "mirror.azurecr.io/biocontainers/samtools:1.17--h00cdaf9_0": ("SORT",),
        "mirror.azurecr.io/Acme/Legacy-Tool": ("LEGACY",),
        "quay.io/biocontainers/multiqc:1.25.1--pyhdfd78af_0": ("PINNED",),
        "mirror.azurecr.io/biocontainers/fastqc": ("HOSTED",),
    }
    flagged = {(f.status, f.subject, f.message.split(" ")[0].rstrip(":")) for f in result.findings}
    assert (Status.WARN, "docker.registry", "docker.registry") in flagged
    assert (Status.FAIL, "mirror.azurecr.io/Acme/Legacy-Tool", "repository") in flagged
    assert (Status.WARN, "mirror.azurecr.io/Acme/Legacy-Tool", "no") in flagged
    assert (Status.WARN, "mirror.azurecr.io/biocontainers/fastqc", "no") in flagged
    registry = next(f for f in result.findings if f.subject == "docker.registry")
    assert str(registry.location) == "nextflow.config:3:5"


def test_conda_wins_under_a_conda_first_wave_strategy(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "main.nf").write_text(
        "process C {\n  conda 'bioconda::fastqc=0.12.1'\n  container 'x.azurecr.io/fastqc:1'\n}\n"
        "process D {\n  container 'x.azurecr.io/other:1'\n}\n"
        "workflow { C(); D() }\n"
    )
    (tmp_path / "p" / "nextflow.config").write_text(
        "wave.enabled = true\nwave.strategy = 'conda,container'\n"
    )
    result = resolve_images(PipelineSpec.locate(tmp_path / "p", launch_dir=tmp_path))
    assert images(result) == {"x.azurecr.io/other:1": ("D",)}
    assert by_process(result)["C"].outcome is Outcome.CONDA
    assert any(f.status is Status.SKIP and f.details["processes"] == ["C"] for f in result.findings)


def test_what_only_the_run_knows_is_unresolved_with_its_place(tmp_path: Path) -> None:
    result = resolve("dynamic", tmp_path)
    assert [(u.process, str(u.source)) for u in result.unresolved] == [
        ("PER_SAMPLE", "main.nf:4:15")
    ]
    assert "meta" in result.unresolved[0].reason
    # task.ext.container set by a withName selector is used by the directive.
    assert "acmegenomics.azurecr.io/tools/samtools:1.21" in images(result)


def test_invalid_image_is_a_failure_with_its_place(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "main.nf").write_text(
        "process BAD {\n  container 'quay.io/bad image:1'\n}\nworkflow { BAD() }\n"
    )
    result = resolve_images(PipelineSpec.locate(tmp_path / "p", launch_dir=tmp_path))
    assert result.uses == ()
    bad = next(f for f in result.findings if f.subject == "BAD")
    assert bad.status is Status.FAIL and str(bad.location) == "main.nf:2:13"
    assert "white space" in bad.message


def test_a_missing_include_is_reported(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "main.nf").write_text("include { X } from './nowhere'\nworkflow { X() }\n")
    result = resolve_images(PipelineSpec.locate(tmp_path / "p", launch_dir=tmp_path))
    issue = next(f for f in result.findings if "nowhere" in f.message)
    assert issue.status is Status.WARN and str(issue.location) == "main.nf:1:1"


def write_pipeline(tmp_path: Path, main: str, config: str = "") -> PipelineSpec:
    root = tmp_path / "p"
    root.mkdir()
    (root / "main.nf").write_text(main)
    (root / "nextflow.config").write_text(config)
    return PipelineSpec.locate(root, launch_dir=tmp_path)


def test_an_alias_selector_on_a_process_inspect_sees_without_container(tmp_path: Path) -> None:
    spec = write_pipeline(
        tmp_path,
        "include { TOOL as ALIASED } from './m'\nworkflow { ALIASED() }\n",
        "process { withName: 'ALIASED' { container = 'x.azurecr.io/t:1' } }\n",
    )
    (spec.root / "m.nf").write_text("process TOOL { script: 'x' }\n")
    process = by_process(resolve_images(spec))["ALIASED"]
    assert str(process.image) == "x.azurecr.io/t:1"
    assert process.inspect_image is None and process.differs_from_inspect
    finding = next(f for f in resolve_images(spec).findings if f.subject == "ALIASED")
    assert "reports no container" in finding.message


def test_a_computed_label_matters_only_when_label_selectors_set_containers(
    tmp_path: Path,
) -> None:
    main = "process P {\n  label params.kind\n  container 'q.io/p:1'\n}\nworkflow { P() }\n"
    spec = write_pipeline(tmp_path, main, "process { withLabel: big { cpus = 8 } }\n")
    assert images(resolve_images(spec)) == {"q.io/p:1": ("P",)}
    (spec.root / "nextflow.config").write_text(
        "process { withLabel: big { container = 'q.io/big:1' } }\n"
    )
    result = resolve_images(spec)
    assert result.uses == ()
    assert [(u.process, str(u.source)) for u in result.unresolved] == [("P", "main.nf:2:9")]


def test_directives_see_project_and_module_dirs(tmp_path: Path) -> None:
    spec = write_pipeline(
        tmp_path,
        'process S {\n  container "${moduleDir}/images/s.sif"\n}\nworkflow { S() }\n',
        "singularity.enabled = true\n",
    )
    process = by_process(resolve_images(spec))["S"]
    assert process.outcome is Outcome.NOT_REGISTRY
    assert process.raw == f"{spec.root}/images/s.sif"


def test_an_else_if_chain_resolves_to_the_arm_params_select(tmp_path: Path) -> None:
    main = (
        "process P {\n"
        "  if (workflow.containerEngine == 'singularity') { container 'https://depot/p.sif' }\n"
        "  else if (params.private) { container 'acme.azurecr.io/tools/p:1' }\n"
        "  else { container 'quay.io/biocontainers/p:1' }\n"
        "}\nworkflow { P() }\n"
    )
    spec = write_pipeline(tmp_path, main, "params.private = true\n")
    assert images(resolve_images(spec)) == {"acme.azurecr.io/tools/p:1": ("P",)}
    (spec.root / "nextflow.config").write_text("params.private = false\n")
    assert images(resolve_images(spec)) == {"quay.io/biocontainers/p:1": ("P",)}
    singularity = replace(spec, engine="singularity")
    process = by_process(resolve_images(singularity))["P"]
    assert (process.outcome, process.raw) == (Outcome.NOT_REGISTRY, "https://depot/p.sif")


def test_the_cycle_collector_is_left_as_it_was_found(tmp_path: Path) -> None:
    import gc

    spec = write_pipeline(tmp_path, "process P {\n  container 'q.io/p:1'\n}\nworkflow { P() }\n")
    assert gc.isenabled()
    assert images(resolve_images(spec)) == {"q.io/p:1": ("P",)}
    assert gc.isenabled()
    (spec.root / "nextflow.config").write_text("process {\n  container = \n")
    with pytest.raises(PreflightError):
        resolve_images(spec)
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(PreflightError):
            resolve_images(spec)
        assert not gc.isenabled()
    finally:
        gc.enable()
