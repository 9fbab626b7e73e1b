"""The bundled pipelines resolve to what Nextflow would run with."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.nextflow.config.evaluator import resolve_config
from preflight.nextflow.config.resolved import ResolvedConfig
from preflight.nextflow.groovy.values import Closure, Dynamic, MemoryUnit
from preflight.pipeline import PipelineSpec

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pipelines"


def resolve(name: str, *profiles: str, **params: str) -> ResolvedConfig:
    root = FIXTURES / name
    return resolve_config(
        PipelineSpec(root=root, launch_dir=root, profiles=profiles, params=params)
    )


def test_nf_core_current_template() -> None:
    config = resolve("nfcore-current")
    assert config.syntax == "v2"
    assert config.get("docker.registry") == "quay.io"
    assert config.get("wave.enabled") is None
    assert config.get("plugins") == ["nf-schema@2.5.1"]
    # per-subworkflow config with a selector aimed at a fully qualified name
    assert config.get("process.'withName:.*PREPARE_GENOME:STAR_INDEX_CUSTOM'.container") == (
        "community.wave.seqera.io/library/star_samtools:3b1b2a7c9d5e4f60"
    )
    assert isinstance(config.get("process.memory"), Closure)
    # the conditional includes: igenomes by default; the remote one reported, not fetched
    assert "conf/igenomes.config" in [f.path for f in config.files]
    assert config.unread and config.unread[0].location.line == 53
    ignored = resolve("nfcore-current", igenomes_ignore="true")
    assert "conf/igenomes_ignored.config" in [f.path for f in ignored.files]


def test_nf_core_current_profiles_apply_in_command_line_order() -> None:
    config = resolve("nfcore-current", "wave", "test")
    assert config.get("wave.enabled") is True
    assert config.get("wave.strategy") == "conda,container"
    assert config.params["genome"] == "R64-1-1"
    assert config.params["input"].endswith("samplesheet/test.csv")


def test_nf_core_legacy_template_needs_the_legacy_parser() -> None:
    config = resolve("nfcore-legacy")
    assert config.syntax == "v1"
    assert config.get("wave.enabled") is True
    assert config.get("process.'withName:.*:QC:FASTQC'.container") == (
        "quay.io/biocontainers/fastqc:0.11.9--0"
    )
    assert {u.reason.split(";")[0] for u in config.unread} == {"a remote config", "missing"}
    token = config.get("tower.accessToken")
    assert isinstance(token, Dynamic) and "MY_PLATFORM_TOKEN" in token.reason
    skipped = resolve("nfcore-legacy", skip_qc="true")
    assert skipped.get("process.'withName:.*:QC:FASTQC'") is None


def test_nf_core_legacy_profile_beats_later_top_level_lines() -> None:
    config = resolve("nfcore-legacy", "nowave")
    assert config.get("wave.enabled") is False
    assert config.assignments("wave.enabled")[-1].profile == "nowave"


def test_containers_only_in_profiles() -> None:
    assert resolve("profiles-only").get("process.container") == (
        "docker.io/example/rnaseq-tools:v1.3.1"
    )
    azure = resolve("profiles-only", "azure")
    assert azure.get("process.container") == "examplelab.azurecr.io/rnaseq-tools:v1.3.1"
    assert isinstance(azure.get("azure.registry.password"), Dynamic)


def test_containers_only_via_labels_and_params() -> None:
    config = resolve("label-params")
    assert config.get("process.'withLabel:wf_(meta|kraken)'.container") == (
        "ontexample/wf-metagenomics:sha8e2a1d4c"
    )
    assert config.get("process.'withLabel:wf_(meta|kraken)'.memory") == MemoryUnit(8 << 30)
    custom = resolve("label-params", **{"wf.container_sha": "abc"})
    assert custom.get("process.'withLabel:wf_tools'.container") == "ontexample/wf-tools:abc"


def test_acr_pipeline() -> None:
    config = resolve("acr")
    assert config.get("process.container") == "examplelab.azurecr.io/genomics/base:2.4.1"
    assert config.get("wave.enabled") is False
    assert config.get("tower.workspaceId") == "40230138858677"


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir()))
def test_every_fixture_resolves(name: str) -> None:
    assert resolve(name).files[0].reason == "project nextflow.config"
