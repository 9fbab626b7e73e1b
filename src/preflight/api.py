"""The Python API for wrapper scripts: ``preflight.check(...)`` returns the report.

    import preflight
    report = preflight.check("path/to/pipeline", profiles=["azure"], workspace="acme/pipelines")
    if not report.passed:
        for finding in report.findings:
            print(finding.status.value, finding.subject, finding.message, finding.remedy)

Settings come from ``environ`` (default: this process's environment) exactly as on the command
line; keyword arguments win over it. The call is read-only and prints nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from preflight.checks.base import CheckOptions, Progress
from preflight.model import Report
from preflight.pipeline import PipelineSpec
from preflight.secret import Secret
from preflight.settings import Settings


def check(
    pipeline: str | Path = ".",
    *,
    profiles: Sequence[str] = (),
    config_files: Sequence[str | Path] = (),
    params: Mapping[str, str] | None = None,
    params_file: str | Path | None = None,
    engine: str | None = None,
    workspace: str | None = None,
    offline: bool = False,
    registry_passwords: Mapping[str, str | Secret] | None = None,
    platform_launch: bool = False,
    environ: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> Report:
    """Run every check on ``pipeline`` and return the report (``report.passed`` is the gate)."""
    from preflight.wiring import run_all_checks

    env = dict(os.environ if environ is None else environ)
    spec = PipelineSpec.locate(
        Path(pipeline),
        profiles=tuple(profiles),
        config_files=tuple(Path(c) for c in config_files),
        params=dict(params or {}),
        params_file=Path(params_file) if params_file else None,
        engine=engine,
        launch_dir=Path.cwd(),
        nxf_home=Path(env.get("NXF_HOME") or Path.home() / ".nextflow"),
    )
    settings = Settings.from_environ(env, workspace=workspace)
    options = CheckOptions(
        offline=offline,
        registry_passwords={
            host: value if isinstance(value, Secret) else Secret(value)
            for host, value in (registry_passwords or {}).items()
        },
        platform_launch=platform_launch,
    )
    return run_all_checks(spec, settings, options, env, progress)
