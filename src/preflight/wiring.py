"""Build the objects one run needs — clients, checks, context — from settings.

This is the only place that knows which concrete client serves each of
:class:`~preflight.checks.services.Services`; every import of a client module happens inside
its factory, so a run that never talks to Azure never imports the Azure SDKs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import httpx

from preflight import __version__
from preflight.checks.base import Check, CheckContext, CheckOptions, Progress, run_checks
from preflight.checks.services import Services
from preflight.model import Report
from preflight.net import connect_to
from preflight.net.tls import ssl_context
from preflight.pipeline import PipelineSpec
from preflight.settings import Settings

if TYPE_CHECKING:
    from preflight.azure.arm import ArmGateway
    from preflight.azure.dataplane import RegistryDataPlane
    from preflight.seqera.client import PlatformClient

# Connect fast, read patiently: a registry or Platform that does not answer within these
# bounds becomes a finding, never a hang in front of a launch.
HTTP_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


def build_http_client(settings: Settings) -> httpx.Client:
    """One client for every plain HTTP call: the user's trust store, no redirects followed."""
    return httpx.Client(
        verify=ssl_context(settings.ca_bundle),
        timeout=HTTP_TIMEOUT,
        follow_redirects=False,
        headers={"User-Agent": f"preflight/{__version__}"},
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
    )


def build_services(settings: Settings, environ: Mapping[str, str]) -> Services:
    """Factories for every client a check may ask for; each is built on first use."""
    if settings.connect_to:
        connect_to.install(connect_to.parse(settings.connect_to))
    services: Services

    def http() -> httpx.Client:
        return build_http_client(settings)

    def platform() -> PlatformClient:
        from preflight.seqera.client import build_platform_client

        return build_platform_client(settings, services.http)

    def arm() -> ArmGateway:
        from preflight.azure.arm import build_arm_gateway

        return build_arm_gateway(settings, environ)

    def dataplane() -> RegistryDataPlane:
        from preflight.azure.dataplane import build_dataplane

        return build_dataplane(settings, environ)

    services = Services(http=http, platform=platform, arm=arm, dataplane=dataplane)
    return services


def default_checks(environ: Mapping[str, str]) -> Sequence[Check]:
    """Every check, in the order a user reads the story: config, images, credentials, pull,
    then every other registry's images."""
    from preflight.checks.credentials import CredentialsCheck
    from preflight.checks.existence import ExistenceCheck
    from preflight.checks.images import ImagesCheck
    from preflight.checks.pull import PullCheck
    from preflight.checks.token_health import TokenHealthCheck
    from preflight.checks.wave import WaveCheck

    return (
        WaveCheck(environ),
        ImagesCheck(),
        CredentialsCheck(),
        TokenHealthCheck(),
        PullCheck(),
        ExistenceCheck(),
    )


def build_context(
    spec: PipelineSpec,
    settings: Settings,
    options: CheckOptions,
    environ: Mapping[str, str],
) -> CheckContext:
    """The shared context of one run."""
    return CheckContext(
        spec=spec, settings=settings, services=build_services(settings, environ), options=options
    )


def run_all_checks(
    spec: PipelineSpec,
    settings: Settings,
    options: CheckOptions,
    environ: Mapping[str, str],
    progress: Progress | None = None,
    checks: Sequence[Check] | None = None,
) -> Report:
    """``checks`` (default: every check) on one pipeline, with one shared context; clients are
    closed afterwards."""
    context = build_context(spec, settings, options, environ)
    try:
        chosen = default_checks(environ) if checks is None else checks
        return run_checks(chosen, context, progress)
    finally:
        context.services.close()
