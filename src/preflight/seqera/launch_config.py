"""The configuration layers of a Seqera Platform launch, in the order Platform applies them.

Platform's documented order of priority (Seqera Platform 25.3, "Advanced options", Nextflow
configuration order of priority), lowest first:

1. the repository's ``nextflow.config`` at the launch's revision (read as a file, not here);
2. the compute environment's "Global Nextflow config" (``config.nextflowConfig``);
3. the settings Platform derives from the compute environment: Wave when "Wave containers" is on
   (``config.waveEnabled``), Wave and Fusion when "Fusion v2" is on (``config.fusion2Enabled``) —
   Platform generates them, and they beat the repository's values without warning;
4. the launch form's "Nextflow config file" (``configText``; ``tw launch --config FILE``).

Each layer becomes a :class:`~preflight.pipeline.ConfigText` whose name is what every finding
shows as the place of a value (``launch config text:3``).
"""

from __future__ import annotations

from dataclasses import dataclass

from preflight.pipeline import ConfigText
from preflight.seqera.launches import ComputeEnv

LAUNCH_TEXT = "launch config text"


def global_config_name(compute_env: ComputeEnv) -> str:
    return f"compute environment {compute_env.name}, Global Nextflow config"


def managed_settings_name(compute_env: ComputeEnv) -> str:
    return f"compute environment {compute_env.name}, Platform-managed settings"


@dataclass(frozen=True)
class LaunchLayers:
    """What a launch adds to the repository's configuration; ``managed`` is what Platform
    generates from the compute environment (empty when it enables nothing preflight checks)."""

    texts: tuple[ConfigText, ...]
    compute_env: ComputeEnv | None


def managed_settings(compute_env: ComputeEnv) -> str:
    """The configuration Platform derives from the compute environment's switches.

    Only the settings preflight checks are written: Wave (and Fusion, which needs Wave).
    """
    lines: list[str] = []
    if compute_env.wave_enabled or compute_env.fusion_enabled:
        lines.append("wave.enabled = true")
    if compute_env.fusion_enabled:
        lines.append("fusion.enabled = true")
    return "".join(f"{line}\n" for line in lines)


def launch_layers(compute_env: ComputeEnv | None, config_text: str | None) -> LaunchLayers:
    """The layers over the repository's ``nextflow.config``, lowest priority first."""
    texts: list[ConfigText] = []
    if compute_env is not None:
        if compute_env.nextflow_config and compute_env.nextflow_config.strip():
            texts.append(ConfigText(global_config_name(compute_env), compute_env.nextflow_config))
        managed = managed_settings(compute_env)
        if managed:
            texts.append(ConfigText(managed_settings_name(compute_env), managed))
    if config_text and config_text.strip():
        texts.append(ConfigText(LAUNCH_TEXT, config_text))
    return LaunchLayers(tuple(texts), compute_env)
