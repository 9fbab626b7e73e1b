"""The token check against the sandbox's ARM emulator, with real azure-identity and the real
management SDK: existence, enabled, password expiry, stale credential, scope-map coverage."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from tests.registry.check_context import LOGIN, OTHER, TOKEN, add_credential, context, image

from preflight.checks.token_health import TokenHealth, TokenHealthCheck, parse_time
from preflight.model import Finding, ImageUse, Status
from preflight.sandbox.runtime import Sandbox
from preflight.sandbox.state import AcrToken, utcnow

pytestmark = pytest.mark.sandbox

APP = [image(LOGIN, "team/app", "1.0"), image(LOGIN, "team/tool", "2.1")]


def _run(
    sandbox: Sandbox,
    tmp_path: Path,
    uses: list[ImageUse] = APP,
    environ: dict[str, str] | None = None,
) -> tuple[list[Finding], dict[str, TokenHealth]]:
    ctx = context(tmp_path, uses, environ=environ)
    try:
        findings = list(TokenHealthCheck().run(ctx))
    finally:
        ctx.services.close()
    return findings, ctx.facts.token_health


def _token(sandbox: Sandbox) -> AcrToken:
    registry = sandbox.azure.registry(LOGIN)
    assert registry is not None
    return registry.tokens[TOKEN]


def test_parse_time() -> None:
    assert parse_time("2026-11-01T10:00:00Z") == datetime(2026, 11, 1, 10, tzinfo=timezone.utc)
    assert parse_time("2026-11-01T10:00:00") == datetime(2026, 11, 1, 10, tzinfo=timezone.utc)
    assert parse_time("yesterday") is None and parse_time(None) is None


def test_a_healthy_token_passes(sandbox_env: Sandbox, tmp_path: Path) -> None:
    add_credential(sandbox_env)
    findings, health = _run(sandbox_env, tmp_path)
    (finding,) = findings
    assert (finding.check, finding.status) == ("token", Status.PASS)
    assert "all 2 repositories" in finding.message
    assert health[LOGIN].likely_cause() == ""


def test_a_missing_token(sandbox_env: Sandbox, tmp_path: Path) -> None:
    add_credential(sandbox_env, user_name="no-such-token")
    (finding,), health = _run(sandbox_env, tmp_path)
    assert finding.status is Status.FAIL and "does not exist" in finding.message
    assert "does not exist" in health[LOGIN].likely_cause()


def test_a_disabled_token(sandbox_env: Sandbox, tmp_path: Path) -> None:
    add_credential(sandbox_env)
    with sandbox_env.azure.lock:
        _token(sandbox_env).enabled = False
    findings, _ = _run(sandbox_env, tmp_path)
    (finding,) = [f for f in findings if f.status is Status.FAIL]
    assert "disabled" in finding.message and "--status enabled" in finding.remedy


def test_expired_and_expiring_passwords(sandbox_env: Sandbox, tmp_path: Path) -> None:
    add_credential(sandbox_env)
    with sandbox_env.azure.lock:
        _token(sandbox_env).passwords[0].expiry = utcnow() - timedelta(hours=1)
    findings, health = _run(sandbox_env, tmp_path)
    assert any(
        f.status is Status.FAIL and "every password has expired" in f.message for f in findings
    )
    assert "expired" in health[LOGIN].likely_cause()
    with sandbox_env.azure.lock:
        _token(sandbox_env).passwords[0].expiry = utcnow() + timedelta(days=5)
    findings, _ = _run(sandbox_env, tmp_path)
    (warning,) = findings
    assert warning.status is Status.WARN and "expires in 4 day(s)" in warning.message


def test_a_password_newer_than_the_credential_means_a_stale_credential(
    sandbox_env: Sandbox, tmp_path: Path
) -> None:
    add_credential(sandbox_env)
    with sandbox_env.azure.lock:
        _token(sandbox_env).passwords[0].created = utcnow() + timedelta(minutes=5)
    findings, health = _run(sandbox_env, tmp_path)
    (finding,) = findings
    assert finding.status is Status.FAIL
    assert "password1 was generated after the Seqera credential was last saved" in finding.message
    assert "old password" in health[LOGIN].likely_cause()


def test_scope_map_coverage_with_wildcards(sandbox_env: Sandbox, tmp_path: Path) -> None:
    add_credential(sandbox_env)
    uses = [*APP, image(LOGIN, "shared/base", "latest"), image(LOGIN, "lab/x", "1")]
    findings, _ = _run(sandbox_env, tmp_path, uses)
    (finding,) = findings
    assert finding.status is Status.FAIL
    assert finding.details["missing"] == ["shared/base", "lab/x"]
    assert "--add-repository shared/base content/read" in finding.remedy
    with sandbox_env.azure.lock:
        registry = sandbox_env.azure.registry(LOGIN)
        assert registry is not None
        registry.scope_maps["pipeline-reader-scope"].actions.extend(
            ["repositories/shared/*/content/read", "repositories/lab/*/content/read"]
        )
    (finding,), _ = _run(sandbox_env, tmp_path, uses)
    assert finding.status is Status.PASS


def test_registries_without_a_credential_and_without_azure_are_skips(
    sandbox_env: Sandbox, tmp_path: Path
) -> None:
    add_credential(sandbox_env)
    findings, _ = _run(sandbox_env, tmp_path, [*APP, image(OTHER, "lab/align", "3.0")])
    assert [(f.subject, f.status) for f in findings] == [
        (OTHER, Status.SKIP),
        (f"{LOGIN} token {TOKEN}", Status.PASS),
    ]
    environ = {k: v for k, v in os.environ.items() if k not in ("AZURE_SUBSCRIPTION_ID",)}
    findings, _ = _run(sandbox_env, tmp_path, environ=environ)
    (skip,) = findings
    assert skip.status is Status.SKIP and "AZURE_SUBSCRIPTION_ID" in skip.remedy
