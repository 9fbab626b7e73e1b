"""Fixtures for the Azure tests: an ARM gateway built the way the CLI builds it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from preflight.azure.arm import ArmGateway, build_arm_gateway
from preflight.settings import Settings

if TYPE_CHECKING:
    from preflight.sandbox.runtime import Sandbox


@pytest.fixture
def gateway(sandbox_env: Sandbox) -> Iterator[ArmGateway]:
    """The real gateway (azure-identity + azure-mgmt-containerregistry) against the sandbox."""
    environ = dict(os.environ)
    built = build_arm_gateway(Settings.from_environ(environ), environ, retries=0)
    try:
        yield built
    finally:
        built.close()
