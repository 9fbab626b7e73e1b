"""The pull check end to end against the sandbox: the Platform's credential names the token,
the password comes from the options, the handshake runs against the real registry."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.registry.check_context import LOGIN, OTHER, TOKEN, add_credential, context, image

from preflight.checks.pull import PullCheck, group_uses
from preflight.checks.services import Services
from preflight.checks.token_health import TokenHealthCheck
from preflight.model import Finding, Status
from preflight.net.retry import RetryPolicy
from preflight.sandbox.runtime import Sandbox
from preflight.secret import Secret

pytestmark = pytest.mark.sandbox

QUICK = RetryPolicy(attempts=2, max_delay=1.0, backoff=0.01)


def _run(ctx: object) -> list[Finding]:
    try:
        return list(PullCheck(retry=QUICK).run(ctx))  # type: ignore[arg-type]
    finally:
        services = ctx.services  # type: ignore[attr-defined]
        if isinstance(services, Services):
            services.close()


def _by_subject(findings: list[Finding]) -> dict[str, Finding]:
    return {f.subject: f for f in findings}


def test_group_uses_keeps_tags_digests_and_pins() -> None:
    uses = [
        image(LOGIN, "team/app", "1.0"),
        image(LOGIN, "team/app", "1.1", "sha256:" + "a" * 64),
        image(LOGIN, "team/app", None, "sha256:" + "b" * 64),
        image(OTHER, "lab/align", "3.0"),
        image(LOGIN, "team/app", "1.0"),
    ]
    (app, align) = group_uses(uses)
    assert app.references == ("1.0", "1.1", "sha256:" + "b" * 64)
    assert app.pinned == {"1.1": "sha256:" + "a" * 64}
    assert (align.registry, align.references) == (OTHER, ("3.0",))


def test_every_image_passes_with_the_right_password(sandbox_env: Sandbox, tmp_path: Path) -> None:
    add_credential(sandbox_env)
    password = Secret(sandbox_env.password(LOGIN, TOKEN))
    uses = [
        image(LOGIN, "team/app", "1.0"),
        image(LOGIN, "team/app", "1.1"),
        image(LOGIN, "team/tool", "2.1"),
    ]
    findings = _run(context(tmp_path, uses, passwords={LOGIN: password}))
    assert [(f.check, f.status) for f in findings] == [("pull", Status.PASS)] * 3
    assert set(_by_subject(findings)) == {
        f"{LOGIN}/team/app:1.0",
        f"{LOGIN}/team/app:1.1",
        f"{LOGIN}/team/tool:2.1",
    }
    token_calls = [r for r in sandbox_env.acr_requests(LOGIN) if r.had_basic_auth]
    assert len(token_calls) == 2  # one per repository, not per tag
    assert all(r.username == TOKEN for r in token_calls)


def test_failures_name_the_step_and_the_remedy(sandbox_env: Sandbox, tmp_path: Path) -> None:
    add_credential(sandbox_env)
    password = Secret(sandbox_env.password(LOGIN, TOKEN))
    uses = [image(LOGIN, "team/app", "9.9"), image(LOGIN, "shared/base", "latest")]
    findings = _by_subject(_run(context(tmp_path, uses, passwords={LOGIN: password})))
    missing = findings[f"{LOGIN}/team/app:9.9"]
    assert missing.status is Status.FAIL and "manifest request failed" in missing.message
    assert "tags: 1.0, 1.1" in missing.message
    scope = findings[f"{LOGIN}/shared/base (latest)"]
    assert scope.status is Status.FAIL and "granted actions" in scope.message
    assert "repositories/shared/base/content/read" in scope.remedy
    assert password.reveal() not in repr(findings)


def test_a_disabled_token_is_named_when_azure_can_tell(
    sandbox_env: Sandbox, tmp_path: Path
) -> None:
    add_credential(sandbox_env)
    with sandbox_env.azure.lock:
        registry = sandbox_env.azure.registry(LOGIN)
        assert registry is not None
        registry.tokens[TOKEN].enabled = False
    password = Secret(sandbox_env.password(LOGIN, TOKEN))
    ctx = context(tmp_path, [image(LOGIN, "team/app", "1.0")], passwords={LOGIN: password})
    try:
        token_findings = list(TokenHealthCheck().run(ctx))
        (finding,) = PullCheck(retry=QUICK).run(ctx)
    finally:
        ctx.services.close()
    assert any("is disabled" in f.message for f in token_findings)
    assert finding.status is Status.FAIL
    assert "token request" in finding.message
    assert "Azure says: ACR token 'pipeline-reader' is disabled" in finding.message


def test_without_a_password_the_data_plane_proves_existence(
    sandbox_env: Sandbox, tmp_path: Path
) -> None:
    add_credential(sandbox_env)
    uses = [image(LOGIN, "team/app", "1.0"), image(LOGIN, "team/app", "7.7")]
    findings = _by_subject(_run(context(tmp_path, uses)))
    found = findings[f"{LOGIN}/team/app:1.0"]
    # Not tried is skipped, with why: the existence is proven, Wave's pull is not.
    assert found.status is Status.SKIP and "sha256:" in found.message
    assert "not tried" in found.message and found.details["via"] == "azure-identity"
    assert "--password-stdin" in found.remedy
    assert findings[f"{LOGIN}/team/app:7.7"].status is Status.FAIL
    assert not any(r.had_basic_auth for r in sandbox_env.acr_requests(LOGIN))


def test_without_password_or_azure_identity_the_check_is_skipped(
    sandbox_env: Sandbox, tmp_path: Path
) -> None:
    add_credential(sandbox_env)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_")}
    (finding,) = _run(context(tmp_path, [image(LOGIN, "team/app", "1.0")], environ=environ))
    assert finding.status is Status.SKIP
    assert "--password-stdin" in finding.remedy and "az login" in finding.remedy


def test_no_matching_credential_means_wave_pulls_anonymously(
    sandbox_env: Sandbox, tmp_path: Path
) -> None:
    password = Secret(sandbox_env.password(LOGIN, TOKEN))
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_")}
    (finding,) = _run(
        context(
            tmp_path,
            [image(LOGIN, "team/app", "1.0")],
            passwords={LOGIN: password},
            environ=environ,
        )
    )
    assert finding.status is Status.SKIP and "anonymously" in finding.message


def test_offline_and_no_acr_images_are_skips(tmp_path: Path) -> None:
    from preflight.checks.base import CheckContext, CheckOptions
    from preflight.pipeline import PipelineSpec
    from preflight.settings import Settings

    (tmp_path / "main.nf").write_text("workflow {}\n")
    spec = PipelineSpec.locate(tmp_path)
    offline = CheckContext(spec, Settings(), Services(), CheckOptions(offline=True))
    assert [f.status for f in PullCheck().run(offline)] == [Status.SKIP]
    empty = CheckContext(spec, Settings(), Services())
    assert [f.status for f in PullCheck().run(empty)] == [Status.SKIP]


def test_an_untried_pull_without_a_credential_does_not_ask_for_a_password(
    sandbox_env: Sandbox, tmp_path: Path
) -> None:
    """A password proves nothing while no credential names the token: the remedy says so."""
    findings = _by_subject(_run(context(tmp_path, [image(LOGIN, "team/app", "1.0")])))
    found = findings[f"{LOGIN}/team/app:1.0"]
    assert found.status is Status.SKIP
    assert "credentials check" in found.remedy and "--password-stdin" not in found.remedy
