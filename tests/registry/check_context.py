"""Build a real check context against the sandbox for the pull and token checks.

The images are put under the shared ``images.uses`` key (the images work computes them from a
pipeline; these tests are about what happens after); everything else is real: the Platform
client lists the sandbox's credentials, the ARM gateway and the data plane use real
azure-identity, and the HTTP client is the one the CLI builds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from preflight.checks.base import CheckContext, CheckOptions
from preflight.model import ImageUse
from preflight.pipeline import PipelineSpec
from preflight.sandbox.runtime import Sandbox
from preflight.secret import Secret
from preflight.settings import Settings
from preflight.wiring import build_context

LOGIN = "sandboxacr.azurecr.io"
OTHER = "otheracr.azurecr.io"
TOKEN = "pipeline-reader"


def image(
    registry: str, repository: str, tag: str | None = None, digest: str | None = None
) -> ImageUse:
    text = (
        f"{registry}/{repository}" + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
    )
    return ImageUse(
        image=text,
        registry=registry,
        repository=repository,
        tag=tag,
        digest=digest,
        acr=True,
        processes=("PROC",),
    )


def add_credential(
    sandbox: Sandbox,
    registry: str = LOGIN,
    user_name: str = TOKEN,
    password: str = "stored-in-platform",
) -> None:
    sandbox.platform.add_registry_credential(
        name=f"acr-{registry.split('.')[0]}",
        registry=registry,
        user_name=user_name,
        password=password,
        workspace_id=int(os.environ["TOWER_WORKSPACE_ID"]),
    )


def context(
    tmp_path: Path,
    uses: Sequence[ImageUse],
    *,
    passwords: Mapping[str, Secret] | None = None,
    environ: Mapping[str, str] | None = None,
) -> CheckContext:
    (tmp_path / "main.nf").write_text("workflow {}\n")
    env = dict(os.environ if environ is None else environ)
    settings = Settings.from_environ(env)
    built = build_context(
        PipelineSpec.locate(tmp_path),
        settings,
        CheckOptions(registry_passwords=dict(passwords or {})),
        env,
    )
    built.facts.image_uses.provide(tuple(uses))
    return built
