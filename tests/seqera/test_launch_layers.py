"""A Platform launch's configuration layers, read by the real config reader, in Platform's order.

Lowest first: the repository's ``nextflow.config`` → the compute environment's Global Nextflow
config → the Platform-managed settings from the compute environment → the launch config text.
Every value keeps the name of the layer it came from.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.errors import ConfigError
from preflight.model import Location
from preflight.nextflow.config.evaluator import resolve_config
from preflight.pipeline import ConfigText, PipelineSpec
from preflight.seqera.launch_config import launch_layers, managed_settings
from preflight.seqera.launches import ComputeEnv


def compute_env(
    *, wave: bool, fusion: bool = False, global_config: str | None = None
) -> ComputeEnv:
    return ComputeEnv(
        id="ce1",
        name="azure-batch",
        platform="azure-batch",
        wave_enabled=wave,
        fusion_enabled=fusion,
        nextflow_config=global_config,
        work_dir="az://work",
        managed_identity_client_id=None,
    )


def at(location: Location | None) -> str:
    """``name:line`` of a location (the column is the parser's business)."""
    assert location is not None
    return f"{location.file}:{location.line}"


def spec_with(tmp_path: Path, repo_config: str, texts: tuple[ConfigText, ...]) -> PipelineSpec:
    (tmp_path / "main.nf").write_text("workflow {}\n")
    (tmp_path / "nextflow.config").write_text(repo_config)
    return PipelineSpec.locate(tmp_path, launch_dir=tmp_path, config_texts=texts)


def test_managed_settings_follow_the_switches() -> None:
    assert managed_settings(compute_env(wave=False)) == ""
    assert managed_settings(compute_env(wave=True)) == "wave.enabled = true\n"
    # Fusion needs Wave: Platform turns both on.
    assert managed_settings(compute_env(wave=False, fusion=True)) == (
        "wave.enabled = true\nfusion.enabled = true\n"
    )


def test_order_and_names(tmp_path: Path) -> None:
    layers = launch_layers(
        compute_env(wave=True, global_config="process.queue = 'ce'\nwave.enabled = false\n"),
        "\n\nprocess.queue = 'launch'\n",
    )
    assert [t.name for t in layers.texts] == [
        "compute environment azure-batch, Global Nextflow config",
        "compute environment azure-batch, Platform-managed settings",
        "launch config text",
    ]
    spec = spec_with(tmp_path, "process.queue = 'repo'\nwave.enabled = false\n", layers.texts)
    config = resolve_config(spec)
    assert config.get("process.queue") == "launch"
    assert at(config.origin("process.queue")) == "launch config text:3"
    # The Global config turns Wave off, the Platform-managed settings (higher) turn it on.
    assert config.get("wave.enabled") is True
    assert at(config.origin("wave.enabled")) == (
        "compute environment azure-batch, Platform-managed settings:1"
    )
    history = [at(a.location) for a in config.assignments("wave.enabled")]
    assert history == [
        "nextflow.config:2",
        "compute environment azure-batch, Global Nextflow config:2",
        "compute environment azure-batch, Platform-managed settings:1",
    ]
    assert [(f.path, f.reason) for f in config.files] == [
        ("nextflow.config", "project nextflow.config"),
        ("compute environment azure-batch, Global Nextflow config", "Seqera Platform launch"),
        ("compute environment azure-batch, Platform-managed settings", "Seqera Platform launch"),
        ("launch config text", "Seqera Platform launch"),
    ]


def test_the_launch_text_beats_the_compute_environment(tmp_path: Path) -> None:
    layers = launch_layers(compute_env(wave=True), "wave.enabled = false\n")
    config = resolve_config(spec_with(tmp_path, "", layers.texts))
    assert config.get("wave.enabled") is False
    assert at(config.origin("wave.enabled")) == "launch config text:1"


def test_the_repository_value_stands_when_no_layer_sets_it(tmp_path: Path) -> None:
    layers = launch_layers(compute_env(wave=False, global_config="process.cpus = 2\n"), None)
    config = resolve_config(spec_with(tmp_path, "wave.enabled = true\n", layers.texts))
    assert config.get("wave.enabled") is True
    assert at(config.origin("wave.enabled")) == "nextflow.config:1"


def test_blank_layers_are_left_out() -> None:
    layers = launch_layers(compute_env(wave=False, global_config="  \n"), "\n")
    assert layers.texts == ()


def test_a_broken_launch_text_is_named_with_its_line(tmp_path: Path) -> None:
    layers = launch_layers(None, "process {\n  cpus = \n")
    with pytest.raises(ConfigError) as error:
        resolve_config(spec_with(tmp_path, "", layers.texts))
    assert "launch config text:" in (error.value.where or "")
