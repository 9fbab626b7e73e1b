"""Real clients against the sandbox for the provisioning tests: ARM gateway and Platform."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from preflight.azure.arm import ArmGateway, build_arm_gateway
from preflight.model import ImageUse
from preflight.seqera.client import PlatformClient
from preflight.settings import Settings
from preflight.wiring import build_http_client

if TYPE_CHECKING:
    from preflight.sandbox.runtime import Sandbox

ACR = "sandboxacr.azurecr.io"
OTHER = "otheracr.azurecr.io"


@dataclass
class Clients:
    sandbox: Sandbox
    arm: ArmGateway
    platform: PlatformClient
    workspace_id: int


@pytest.fixture
def clients(sandbox_env: Sandbox) -> Iterator[Clients]:
    environ = dict(os.environ)
    settings = Settings.from_environ(environ)
    assert settings.platform_token is not None
    arm = build_arm_gateway(settings, environ, retries=0)
    http = build_http_client(settings)
    platform = PlatformClient(
        http, settings.platform_endpoint, settings.platform_token, max_retries=0
    )
    try:
        yield Clients(sandbox_env, arm, platform, int(environ["TOWER_WORKSPACE_ID"]))
    finally:
        arm.close()
        http.close()


def image(registry: str, repository: str, tag: str) -> ImageUse:
    return ImageUse(
        image=f"{registry}/{repository}:{tag}",
        registry=registry,
        repository=repository,
        tag=tag,
        digest=None,
        acr=True,
        processes=("ALIGN",),
    )


@pytest.fixture
def pipeline_images() -> list[ImageUse]:
    """Three images on the sandbox's main registry, one on the other, one elsewhere."""
    return [
        image(ACR, "team/app", "1.0"),
        image(ACR, "team/tool", "2.1"),
        image(ACR, "shared/base", "latest"),
        image(OTHER, "lab/align", "3.0"),
        ImageUse(
            "quay.io/biocontainers/fastqc:0.12",
            "quay.io",
            "biocontainers/fastqc",
            "0.12",
            None,
            False,
            ("QC",),
        ),
    ]
