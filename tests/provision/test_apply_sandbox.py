"""Provisioning end to end against the sandbox: plan, apply, pull, idempotence, rollback."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import jwt
import pytest

from preflight.errors import ApplyError
from preflight.model import ImageUse
from preflight.net.tls import ssl_context
from preflight.provision import ProvisionOptions, Readiness, apply_plan, plan_provisioning
from preflight.provision.plan import ExtendScopeMap
from preflight.secret import Secret

if TYPE_CHECKING:
    from tests.provision.conftest import Clients

pytestmark = pytest.mark.sandbox
ACR = "sandboxacr.azurecr.io"
OTHER = "otheracr.azurecr.io"


def pull_actions(clients: Clients, host: str, user: str, password: str, repo: str) -> list[str]:
    """The actions the registry's token service grants for a pull of ``repo``."""
    with httpx.Client(verify=ssl_context(clients.sandbox.ca_bundle), timeout=10) as http:
        response = http.get(
            f"https://{host}/oauth2/token",
            params={"service": host, "scope": f"repository:{repo}:pull"},
            auth=(user, password),
        )
    if response.status_code != 200:
        return []
    body = response.json()
    claims = jwt.decode(
        body.get("access_token") or body["token"], options={"verify_signature": False}
    )
    return [a for e in claims["access"] for a in (e.get("Actions") or e.get("actions") or [])]


def stored_credentials(clients: Clients) -> list[tuple[str, str, str, str]]:
    """(name, registry, user, password) of each container-reg credential Platform holds."""
    state = clients.sandbox.platform
    user_id = state.account_by_name("demo-user").id
    return [
        (c.name, c.keys.get("registry"), c.keys.get("userName"), c.password)
        for c in state.credentials_in(user_id, clients.workspace_id)
        # Only ACR ones: the sandbox also seeds docker.io and ghcr.io credentials.
        if c.provider == "container-reg" and c.keys.get("registry") not in ("docker.io", "ghcr.io")
    ]


def options(clients: Clients, **changes: object) -> ProvisionOptions:
    return ProvisionOptions(workspace_id=clients.workspace_id, **changes)  # type: ignore[arg-type]


def test_fix_provisions_tokens_and_credentials_that_pull_and_a_second_run_plans_nothing(
    clients: Clients, pipeline_images: list[ImageUse]
) -> None:
    plan = plan_provisioning(
        pipeline_images, arm=clients.arm, platform=clients.platform, options=options(clients)
    )
    assert [r.login_server for r in plan.registries] == [OTHER, ACR]
    assert all(r.outcome is Readiness.PLANNED for r in plan.registries)
    messages: list[str] = []
    result = apply_plan(plan, arm=clients.arm, platform=clients.platform, progress=messages.append)

    assert set(result.passwords) == {ACR, OTHER}
    token = f"wave-pull-{clients.workspace_id}"
    assert {c.kind for c in result.created} == {"scope_map", "token", "password", "credential"}
    stored = stored_credentials(clients)
    assert {(name, reg, user) for name, reg, user, _ in stored} == {
        ("sandboxacr-wave-pull", ACR, token),
        ("otheracr-wave-pull", OTHER, token),
    }
    for _, registry, _user, password in stored:
        assert password == result.passwords[registry].reveal()
    by_host = {reg: pw for _, reg, _, pw in stored}
    for repo in ("team/app", "team/tool", "shared/base"):
        assert pull_actions(clients, ACR, token, by_host[ACR], repo) == ["pull"]
    assert pull_actions(clients, OTHER, token, by_host[OTHER], "lab/align") == ["pull"]
    # Exactly the pipeline's repositories: nothing else on the registry.
    assert clients.sandbox.azure.registries[ACR].scope_maps[f"{token}-scope-map"].actions == [
        "repositories/shared/base/content/read",
        "repositories/team/app/content/read",
        "repositories/team/tool/content/read",
    ]
    assert any("create token" in m for m in messages)

    again = plan_provisioning(
        pipeline_images, arm=clients.arm, platform=clients.platform, options=options(clients)
    )
    assert again.empty
    assert all(r.outcome is Readiness.READY for r in again.registries)


def test_a_platform_failure_rolls_back_the_token_and_scope_map(
    clients: Clients, pipeline_images: list[ImageUse]
) -> None:
    acr_only = [i for i in pipeline_images if i.registry == ACR]
    plan = plan_provisioning(
        acr_only, arm=clients.arm, platform=clients.platform, options=options(clients)
    )
    clients.sandbox.faults.set("platform", path_prefix="/credentials", status=500)
    with pytest.raises(ApplyError) as caught:
        apply_plan(plan, arm=clients.arm, platform=clients.platform)
    registry = clients.sandbox.azure.registries[ACR]
    assert set(registry.tokens) == {"pipeline-reader"}
    assert set(registry.scope_maps) == {"pipeline-reader-scope"}
    text = str(caught.value)
    assert "rolled back: token wave-pull-" in text and "scope map wave-pull-" in text
    assert "remains of this registry's steps: nothing" in text
    assert stored_credentials(clients) == []

    clients.sandbox.faults.clear()
    resumed = plan_provisioning(
        acr_only, arm=clients.arm, platform=clients.platform, options=options(clients)
    )
    apply_plan(resumed, arm=clients.arm, platform=clients.platform)
    assert len(stored_credentials(clients)) == 1


def test_an_existing_credential_keeps_its_password_and_gains_repositories(
    clients: Clients, pipeline_images: list[ImageUse]
) -> None:
    seeded = clients.sandbox.password(ACR, "pipeline-reader")
    clients.sandbox.platform.add_registry_credential(
        name="acr-reader",
        registry=ACR,
        user_name="pipeline-reader",
        password=seeded,
        workspace_id=clients.workspace_id,
    )
    acr_only = [i for i in pipeline_images if i.registry == ACR]
    assert pull_actions(clients, ACR, "pipeline-reader", seeded, "shared/base") == []
    plan = plan_provisioning(
        acr_only, arm=clients.arm, platform=clients.platform, options=options(clients)
    )
    [registry_plan] = plan.registries
    assert registry_plan.steps == (
        ExtendScopeMap(
            "pipeline-reader-scope",
            ("repositories/team/app/content/read", "repositories/team/tool/content/read"),
            ("repositories/shared/base/content/read",),
        ),
    )
    result = apply_plan(plan, arm=clients.arm, platform=clients.platform)
    assert result.passwords == {}
    assert pull_actions(clients, ACR, "pipeline-reader", seeded, "shared/base") == ["pull"]


def test_rotate_replaces_the_password_and_the_credential_of_the_blocked_registry_only(
    clients: Clients, pipeline_images: list[ImageUse]
) -> None:
    from datetime import timedelta

    from preflight.sandbox.state import utcnow

    # otheracr: provisioned by a plain fix, and healthy.
    other = [i for i in pipeline_images if i.registry == OTHER]
    apply_plan(
        plan_provisioning(
            other, arm=clients.arm, platform=clients.platform, options=options(clients)
        ),
        arm=clients.arm,
        platform=clients.platform,
    )
    other_token = f"wave-pull-{clients.workspace_id}"
    other_password = clients.sandbox.azure.registries[OTHER].tokens[other_token].passwords[0].value
    # sandboxacr: a credential whose token's only password has expired — blocked.
    seeded = clients.sandbox.password(ACR, "pipeline-reader")
    clients.sandbox.platform.add_registry_credential(
        name="acr-reader",
        registry=ACR,
        user_name="pipeline-reader",
        password=seeded,
        workspace_id=clients.workspace_id,
    )
    with clients.sandbox.azure.lock:
        reader = clients.sandbox.azure.registries[ACR].tokens["pipeline-reader"]
        reader.passwords[0].expiry = utcnow() - timedelta(days=1)
    images = [i for i in pipeline_images if i.repository in ("team/app", "team/tool")] + other
    plain = plan_provisioning(
        images, arm=clients.arm, platform=clients.platform, options=options(clients)
    )
    assert [r.outcome for r in plain.registries] == [Readiness.READY, Readiness.BLOCKED]
    rotate = plan_provisioning(
        images, arm=clients.arm, platform=clients.platform, options=options(clients, rotate=True)
    )
    result = apply_plan(rotate, arm=clients.arm, platform=clients.platform)
    assert set(result.passwords) == {ACR}  # nothing was rotated on otheracr
    new = result.passwords[ACR].reveal()
    assert new != seeded
    assert pull_actions(clients, ACR, "pipeline-reader", seeded, "team/app") == []
    assert pull_actions(clients, ACR, "pipeline-reader", new, "team/app") == ["pull"]
    assert pull_actions(clients, OTHER, other_token, other_password, "lab/align") == ["pull"]
    stored = {n: p for n, _, _, p in stored_credentials(clients)}
    assert stored["acr-reader"] == new and other_password in stored.values()


def test_the_password_appears_in_no_output_log_or_file(
    clients: Clients,
    pipeline_images: list[ImageUse],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    plan = plan_provisioning(
        pipeline_images, arm=clients.arm, platform=clients.platform, options=options(clients)
    )
    messages: list[str] = []
    result = apply_plan(plan, arm=clients.arm, platform=clients.platform, progress=messages.append)
    secrets = [s.reveal() for s in result.passwords.values()]
    assert len(secrets) == 2 and all(len(s) >= 20 for s in secrets)
    visible = "\n".join(
        [
            caplog.text,
            *messages,
            str(plan.to_dict()),
            str(result),
            repr(result.created),
            *plan.describe(),
            repr(result.passwords),
        ]
    )
    assert caplog.records, "nothing was logged: this test would prove nothing"
    for secret in secrets:
        assert secret not in visible
        assert secret not in str(Secret(secret))
    for directory in (tmp_path, Path(os.environ["HOME"])):
        for path in directory.rglob("*"):
            if path.is_file() and path.stat().st_size < 5_000_000:
                data = path.read_bytes()
                assert all(s.encode() not in data for s in secrets), path


def test_a_near_miss_credential_is_named_and_a_matching_one_is_created(
    clients: Clients, pipeline_images: list[ImageUse]
) -> None:
    seeded = clients.sandbox.password(ACR, "pipeline-reader")
    clients.sandbox.platform.add_registry_credential(
        name="acr-with-scheme",
        registry=f"https://{ACR}",
        user_name="pipeline-reader",
        password=seeded,
        workspace_id=clients.workspace_id,
    )
    acr_only = [i for i in pipeline_images if i.registry == ACR]
    plan = plan_provisioning(
        acr_only, arm=clients.arm, platform=clients.platform, options=options(clients)
    )
    [registry_plan] = plan.registries
    assert registry_plan.outcome is Readiness.PLANNED
    assert "acr-with-scheme (scheme)" in registry_plan.reason


def test_when_rollback_fails_too_the_error_says_what_remains_and_rotate_resumes(
    clients: Clients, pipeline_images: list[ImageUse]
) -> None:
    acr_only = [i for i in pipeline_images if i.registry == ACR]
    plan = plan_provisioning(
        acr_only, arm=clients.arm, platform=clients.platform, options=options(clients)
    )

    def break_both_services(message: str) -> None:
        if "create credential" in message:
            clients.sandbox.faults.set("platform", path_prefix="/credentials", status=500)
            clients.sandbox.faults.set("arm", status=503)

    with pytest.raises(ApplyError) as caught:
        apply_plan(plan, arm=clients.arm, platform=clients.platform, progress=break_both_services)
    text = str(caught.value)
    token = f"wave-pull-{clients.workspace_id}"
    assert f"token {token} (could not be removed" in text
    assert f"scope map {token}-scope-map (could not be removed" in text
    assert "run `preflight fix` again" in caught.value.remedy
    clients.sandbox.faults.clear()

    # What remains carries preflight's own names: a plain second fix resumes with it.
    resumed = plan_provisioning(
        acr_only, arm=clients.arm, platform=clients.platform, options=options(clients)
    )
    assert resumed.registries[0].outcome is Readiness.PLANNED
    result = apply_plan(resumed, arm=clients.arm, platform=clients.platform)
    assert pull_actions(clients, ACR, token, result.passwords[ACR].reveal(), "team/app") == ["pull"]


class _InterruptedPlatform:
    """The real Platform client, but Ctrl-C arrives while the credential is being created."""

    def __init__(self, real: object) -> None:
        self._real = real

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)

    def create_credential(self, *args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt


def test_a_second_ctrl_c_as_the_rollback_starts_is_recorded_and_the_next_fix_reuses_it(
    clients: Clients, pipeline_images: list[ImageUse]
) -> None:
    from preflight.provision.apply import ApplyInterrupted

    acr_only = [i for i in pipeline_images if i.registry == ACR]
    plan = plan_provisioning(
        acr_only, arm=clients.arm, platform=clients.platform, options=options(clients)
    )
    said: list[str] = []

    def progress(message: str) -> None:  # the second Ctrl-C lands as the rollback is announced
        said.append(message)
        if "rolling back" in message and sum("rolling back" in m for m in said) == 1:
            raise KeyboardInterrupt

    platform = _InterruptedPlatform(clients.platform)
    with pytest.raises(ApplyInterrupted) as caught:
        apply_plan(plan, arm=clients.arm, platform=platform, progress=progress)  # type: ignore[arg-type]
    token = f"wave-pull-{clients.workspace_id}"
    text = str(caught.value)
    assert f"token {token} (not rolled back: interrupted)" in text
    assert f"scope map {token}-scope-map (not rolled back: interrupted)" in text
    registry = clients.sandbox.azure.registries[ACR]
    assert token in registry.tokens and f"{token}-scope-map" in registry.scope_maps

    # The next fix recognises preflight's own leftover by name instead of being blocked by it.
    again = plan_provisioning(
        acr_only, arm=clients.arm, platform=clients.platform, options=options(clients)
    )
    [registry_plan] = again.registries
    assert registry_plan.outcome is Readiness.PLANNED, registry_plan.reason
    apply_plan(again, arm=clients.arm, platform=clients.platform)
    [(_, host, user, password)] = stored_credentials(clients)
    assert host == ACR and user == token
    assert pull_actions(clients, ACR, user, password, acr_only[0].repository) == ["pull"]


def test_a_request_held_by_latency_past_a_reset_never_reaches_the_next_test(
    clients: Clients,
) -> None:
    """The race behind a 401 right after `fix`: an earlier test's request, held by a long
    latency fault after its client gave up, was handled once the fault's wait ended — in the
    world the next test had set up (it deleted that test's new token). A reset abandons it."""
    import threading

    from preflight.errors import AzureError

    sandbox = clients.sandbox
    registry = sandbox.azure.registries[ACR]
    path = (
        f"/subscriptions/{sandbox.azure.subscription_id}/resourceGroups/"
        f"{registry.resource_group}/providers/Microsoft.ContainerRegistry/registries/"
        f"{registry.name}/tokens/pipeline-reader"
    )
    held = sandbox.faults.set("arm", path_prefix=path, latency_ms=1500, times=1)
    info = clients.arm.find_registry(ACR)
    outcome: list[str] = []

    def delete() -> None:  # the earlier test's request, its client waiting
        try:
            clients.arm.delete_token(info, "pipeline-reader")
            outcome.append("answered")
        except AzureError:
            outcome.append("dropped")

    worker = threading.Thread(target=delete)
    worker.start()
    while held in sandbox.faults.active():  # until the request is held by the fault
        assert worker.is_alive(), outcome
    sandbox.reset()  # the next test begins: the seeded token is back
    worker.join(timeout=30)
    assert outcome == ["dropped"]
    assert "pipeline-reader" in sandbox.azure.registries[ACR].tokens
