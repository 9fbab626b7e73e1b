"""The Platform client and the credentials check over real HTTPS against the session sandbox.

Settings come from the sandbox's ``env`` exactly as a user's shell would give them; faults are
switched on the sandbox's fault board and switched off by the fixture after each test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from preflight.checks.base import CheckContext, run_checks
from preflight.checks.credentials import CredentialsCheck
from preflight.errors import InputError, PlatformError
from preflight.model import Finding, ImageUse, Status
from preflight.net.tls import ssl_context
from preflight.pipeline import PipelineSpec
from preflight.sandbox.platform_state import VIEWER_USER
from preflight.sandbox.runtime import Sandbox
from preflight.secret import Secret
from preflight.seqera.client import PlatformClient, build_platform_client
from preflight.settings import Settings
from preflight.wiring import build_http_client, build_services

pytestmark = pytest.mark.sandbox

LOGIN = "sandboxacr.azurecr.io"
OTHER = "otheracr.azurecr.io"


@pytest.fixture
def settings(sandbox_env: Sandbox) -> Settings:
    return Settings.from_environ(os.environ)


@pytest.fixture
def http(settings: Settings) -> Iterator[httpx.Client]:
    with build_http_client(settings) as client:
        yield client


@pytest.fixture
def sleeps() -> list[float]:
    return []


def quick_client(
    http: httpx.Client,
    settings: Settings,
    sleeps: list[float],
    token: str | None = None,
    **kwargs: float,
) -> PlatformClient:
    secret = Secret(token) if token is not None else settings.platform_token
    assert secret is not None
    return PlatformClient(http, settings.platform_endpoint, secret, sleep=sleeps.append, **kwargs)  # type: ignore[arg-type]


def image(registry: str, repository: str, tag: str) -> ImageUse:
    return ImageUse(
        image=f"{registry}/{repository}:{tag}",
        registry=registry,
        repository=repository,
        tag=tag,
        digest=None,
        acr=True,
        processes=("P",),
    )


def check(tmp_path: Path, settings: Settings, *images: ImageUse) -> list[Finding]:
    services = build_services(settings, os.environ)
    context = CheckContext(spec=PipelineSpec(root=tmp_path), settings=settings, services=services)
    context.facts.image_uses.provide(images or (image(LOGIN, "team/app", "1.0"),))
    try:
        report = run_checks([CredentialsCheck()], context)
    finally:
        services.close()
    assert isinstance(context.facts.matches.known(), dict) or any(
        f.status is Status.ERROR for f in report.findings
    )
    return list(report.findings)


def registry_finding(findings: list[Finding], host: str = LOGIN) -> Finding:
    [finding] = [f for f in findings if f.subject == host]
    return finding


def test_the_sandbox_env_reaches_the_platform(
    sandbox_env: Sandbox, settings: Settings, http: httpx.Client
) -> None:
    client = build_platform_client(settings, http)
    assert client.service_info()["apiVersion"] == "1.187.0"
    user = client.user_info()
    described = sandbox_env.platform.describe()
    assert user.id == described["user_id"]
    workspaces = client.workspaces(user.id)
    assert [(w.id, w.full_name, w.role) for w in workspaces] == [
        (w["id"], f"{w['org']}/{w['name']}", w["role"]) for w in described["workspaces"]
    ]
    assert settings.workspace == str(workspaces[0].id)


def test_enterprise_style_api_prefix(
    sandbox_env: Sandbox, settings: Settings, http: httpx.Client
) -> None:
    assert settings.platform_token is not None
    client = PlatformClient(http, settings.platform_endpoint + "/api", settings.platform_token)
    assert client.user_info().user_name == "demo-user"


def test_create_list_validate_delete(
    sandbox_env: Sandbox, settings: Settings, http: httpx.Client
) -> None:
    client = build_platform_client(settings, http)
    ws = int(settings.workspace or "0")
    client.validate_credential_name("acr-sandbox", ws)
    new_id = client.create_credential(
        ws,
        name="acr-sandbox",
        registry=LOGIN,
        user_name="pipeline-reader",
        password=Secret(sandbox_env.password(LOGIN, "pipeline-reader")),
    )
    listed = {c.id: c for c in client.list_credentials(ws)}
    assert (listed[new_id].registry, listed[new_id].user_name) == (LOGIN, "pipeline-reader")
    with pytest.raises(InputError, match="already exists"):
        client.validate_credential_name("acr-sandbox", ws)
    client.delete_credential(new_id, ws)
    assert new_id not in {c.id for c in client.list_credentials(ws)}


def test_check_passes_with_the_right_credential(
    sandbox_env: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    ws = int(settings.workspace or "0")
    stored = sandbox_env.platform.add_registry_credential(
        name="acr-sandbox",
        registry=LOGIN,
        user_name="pipeline-reader",
        password="irrelevant-here",
        workspace_id=ws,
    )
    finding = registry_finding(check(tmp_path, settings))
    assert finding.status is Status.PASS
    assert finding.details["credential_id"] == stored.id


def test_check_without_any_credential(
    sandbox_env: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    findings = check(
        tmp_path, settings, image(LOGIN, "team/app", "1.0"), image(OTHER, "lab/align", "3.0")
    )
    for host in (LOGIN, OTHER):
        finding = registry_finding(findings, host)
        assert finding.status is Status.FAIL and finding.details["reason"] == "missing"


@pytest.mark.parametrize(
    ("stored", "kind"),
    [
        (f"https://{LOGIN}", "scheme"),
        (f"{LOGIN}/", "trailing-slash"),
        (f"{LOGIN}/team", "path"),
        ("SandboxAcr.azurecr.io", "case"),
        (f"{LOGIN}:443", "port"),
        (f"\t{LOGIN}", "whitespace"),
    ],
)
def test_check_explains_each_near_miss(
    sandbox_env: Sandbox,
    settings: Settings,
    http: httpx.Client,
    tmp_path: Path,
    stored: str,
    kind: str,
) -> None:
    client = build_platform_client(settings, http)
    ws = int(settings.workspace or "0")
    client.create_credential(
        ws, name="almost", registry=stored, user_name="pipeline-reader", password=Secret("pw-pw-pw")
    )
    finding = registry_finding(check(tmp_path, settings))
    assert finding.status is Status.FAIL
    assert [n["kind"] for n in finding.details["near_misses"]] == [kind]
    assert finding.remedy.endswith(f'set "Registry server" to {LOGIN}')


def test_check_finds_the_credential_in_the_personal_workspace(
    sandbox_env: Sandbox, settings: Settings, http: httpx.Client, tmp_path: Path
) -> None:
    build_platform_client(settings, http).create_credential(
        None, name="mine", registry=LOGIN, user_name="pipeline-reader", password=Secret("pw-pw")
    )
    finding = registry_finding(check(tmp_path, settings))
    assert finding.details["reason"] == "other-workspace"
    assert finding.details["found_in"][0]["workspace"] == "user"


def test_check_flags_duplicates(
    sandbox_env: Sandbox, settings: Settings, http: httpx.Client, tmp_path: Path
) -> None:
    client = build_platform_client(settings, http)
    ws = int(settings.workspace or "0")
    first = client.create_credential(
        ws, name="first", registry=LOGIN, user_name="a", password=Secret("pw-pw")
    )
    client.create_credential(
        ws, name="second", registry=LOGIN, user_name="b", password=Secret("pw-pw")
    )
    finding = registry_finding(check(tmp_path, settings))
    assert finding.details["reason"] == "duplicates"
    assert finding.details["credential_id"] == first


def test_401_for_a_revoked_token(
    sandbox_env: Sandbox, settings: Settings, http: httpx.Client, sleeps: list[float]
) -> None:
    revoked = "revoked-token-for-preflight-tests"
    with pytest.raises(PlatformError) as info:
        quick_client(http, settings, sleeps, token=revoked).user_info()
    assert "401" in info.value.message
    assert revoked not in str(info.value) and sleeps == []


def test_403_for_a_viewer_creating_credentials(
    sandbox_env: Sandbox, settings: Settings, http: httpx.Client, sleeps: list[float]
) -> None:
    viewer = sandbox_env.platform.token_of(VIEWER_USER)
    client = quick_client(http, settings, sleeps, token=viewer)
    with pytest.raises(PlatformError) as info:
        client.create_credential(
            int(settings.workspace or "0"),
            name="x",
            registry=LOGIN,
            user_name="u",
            password=Secret("pw-pw"),
        )
    assert "403" in info.value.message and "create credentials" in info.value.message
    assert "view" in info.value.message  # the server's reason names the role


def test_429_with_retry_after_is_retried(
    sandbox_env: Sandbox, settings: Settings, http: httpx.Client, sleeps: list[float]
) -> None:
    sandbox_env.faults.set("platform", status=429, retry_after=1, times=2)
    assert quick_client(http, settings, sleeps).list_credentials(None) == []
    assert sleeps == [1.0, 1.0]


def test_5xx_is_retried_with_backoff_then_reported(
    sandbox_env: Sandbox, settings: Settings, http: httpx.Client, sleeps: list[float]
) -> None:
    sandbox_env.faults.set("platform", status=503, times=1)
    quick_client(http, settings, sleeps, backoff=0.2).user_info()
    assert sleeps == [0.2]
    sandbox_env.faults.set("platform", status=500)
    with pytest.raises(PlatformError, match="failed \\(500\\)"):
        quick_client(http, settings, sleeps, max_retries=2, backoff=0.0).user_info()


def test_dropped_connection_is_retried(
    sandbox_env: Sandbox, settings: Settings, http: httpx.Client, sleeps: list[float]
) -> None:
    sandbox_env.faults.set("platform", drop=True, times=1)
    assert quick_client(http, settings, sleeps).user_info().user_name == "demo-user"
    assert len(sleeps) == 1


def test_a_read_timeout_is_reported_without_asking_again(
    sandbox_env: Sandbox, settings: Settings, sleeps: list[float]
) -> None:
    """One full wait is the budget: a Platform that says nothing is not asked four times."""
    sandbox_env.faults.set("platform", latency_ms=800)
    with httpx.Client(verify=ssl_context(settings.ca_bundle), timeout=0.2) as http:
        with pytest.raises(PlatformError, match="timed out"):
            quick_client(http, settings, sleeps, max_retries=3).user_info()
    assert sleeps == []


def test_untrusted_certificate_names_the_ca_bundle(
    sandbox_env: Sandbox, settings: Settings, sleeps: list[float]
) -> None:
    with build_http_client(Settings()) as untrusting:
        with pytest.raises(PlatformError, match="not trusted") as info:
            quick_client(untrusting, settings, sleeps).user_info()
    assert "PREFLIGHT_CA_BUNDLE" in info.value.remedy and sleeps == []


def test_check_reports_a_platform_outage_as_an_error(
    sandbox_env: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    sandbox_env.faults.set("platform", status=503, retry_after=0)  # retried without waiting
    findings = check(tmp_path, settings)
    assert [f.status for f in findings] == [Status.ERROR]
    assert "503" in findings[0].message
