"""The credentials check, with the real client talking to the real emulator in-process.

Images are seeded into the context the way the images check shares them; the Platform client
comes from the context's services, as in a real run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from preflight.checks.base import (
    CheckContext,
    CheckOptions,
    run_checks,
)
from preflight.checks.credentials import (
    CredentialsCheck,
)
from preflight.checks.services import Services
from preflight.model import Finding, ImageUse, Status
from preflight.nextflow.config.evaluator import resolve_config
from preflight.pipeline import PipelineSpec
from preflight.sandbox.platform import PlatformEmulator, PlatformState
from preflight.sandbox.platform_state import DEMO_USER, VIEWER_USER
from preflight.secret import Secret
from preflight.seqera.client import PlatformClient
from preflight.seqera.matching import CredentialMatch
from preflight.settings import Settings

from .conftest import ENDPOINT, LOGIN_SERVER, bridge

OTHER_SERVER = "otheracr.azurecr.io"


def use(image: str, registry: str, *, acr: bool = True, process: str = "ALIGN") -> ImageUse:
    repository, _, tag = image.split("/", 1)[1].partition(":")
    return ImageUse(
        image=image,
        registry=registry,
        repository=repository,
        tag=tag or None,
        digest=None,
        acr=acr,
        processes=(process,),
    )


SANDBOX_IMAGE = use(f"{LOGIN_SERVER}/tools/align:1.0", LOGIN_SERVER)


def make_context(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    *,
    token: str | None,
    workspace: str | None = "acme/pipelines",
    images: tuple[ImageUse, ...] | None = (SANDBOX_IMAGE,),
    options: CheckOptions | None = None,
) -> CheckContext:
    """A context as a run builds it; ``images=None`` publishes none (the pipeline is read)."""
    settings = Settings(
        platform_endpoint=ENDPOINT,
        workspace=workspace,
        platform_token=Secret(token) if token else None,
    )
    context = CheckContext(
        spec=PipelineSpec(root=tmp_path) if images is not None else PipelineSpec.locate(tmp_path),
        settings=settings,
        services=Services(platform=lambda: make_client(token=token or "")),
        options=options or CheckOptions(),
    )
    if images is not None:
        context.facts.image_uses.provide(images)
    return context


def by_subject(findings: list[Finding], subject: str) -> Finding:
    [finding] = [f for f in findings if f.subject == subject]
    return finding


@pytest.fixture
def demo(state: PlatformState) -> str:
    return state.token_of(DEMO_USER)


@pytest.fixture
def pipelines(state: PlatformState) -> int:
    return state.workspace_by_name("acme", "pipelines").id


def add(
    state: PlatformState,
    name: str,
    registry: str | None,
    workspace_id: int | None,
    owner: str = DEMO_USER,
) -> str:
    return state.add_registry_credential(
        name=name,
        registry=registry,
        user_name=f"{name}-tok",
        password="pw-secret-value",
        workspace_id=workspace_id,
        owner=owner,
    ).id


def run(context: CheckContext) -> list[Finding]:
    return list(CredentialsCheck().run(context))


def test_exact_match_passes_and_is_shared(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
    demo: str,
    pipelines: int,
) -> None:
    add(state, "near", f"https://{LOGIN_SERVER}", pipelines)
    cred_id = add(state, "acr-sandbox", LOGIN_SERVER, pipelines)
    context = make_context(tmp_path, make_client, token=demo)
    findings = run(context)
    finding = by_subject(findings, LOGIN_SERVER)
    assert finding.status is Status.PASS
    assert finding.details["credential_name"] == "acr-sandbox"
    assert finding.details["credential_id"] == cred_id
    assert finding.details["workspace"] == "acme/pipelines"
    assert finding.details["images"] == [SANDBOX_IMAGE.image]
    assert "acr-sandbox" in finding.message and cred_id in finding.message
    role = by_subject(findings, "acme/pipelines")
    assert role.status is Status.PASS and role.details["role"] == "owner"
    matches = context.facts.matches.known()
    assert isinstance(matches, dict) and isinstance(matches[LOGIN_SERVER], CredentialMatch)
    matched = matches[LOGIN_SERVER].credential
    assert matched is not None and matched.id == cred_id
    assert context.facts.matches.get() is matches
    json.dumps([f.details for f in findings])  # the JSON report can carry every detail


def test_no_credential_fails_with_the_exact_host(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    demo: str,
) -> None:
    finding = by_subject(run(make_context(tmp_path, make_client, token=demo)), LOGIN_SERVER)
    assert finding.status is Status.FAIL
    assert finding.details["reason"] == "missing"
    assert "preflight fix" in finding.remedy
    assert f'"Registry server" {LOGIN_SERVER}' in finding.remedy
    assert "acme/pipelines" in finding.message


@pytest.mark.parametrize(
    ("stored", "kind"),
    [
        (f"https://{LOGIN_SERVER}", "scheme"),
        (f"{LOGIN_SERVER}/", "trailing-slash"),
        (f"{LOGIN_SERVER}/tools", "path"),
        ("SandboxACR.azurecr.io", "case"),
        (f"{LOGIN_SERVER}:443", "port"),
        (f"{LOGIN_SERVER} ", "whitespace"),
    ],
)
def test_each_near_miss_fails_naming_the_fix(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
    demo: str,
    pipelines: int,
    stored: str,
    kind: str,
) -> None:
    cred_id = add(state, "almost", stored, pipelines)
    finding = by_subject(run(make_context(tmp_path, make_client, token=demo)), LOGIN_SERVER)
    assert finding.status is Status.FAIL
    assert finding.details["reason"] == "near-miss"
    [near] = finding.details["near_misses"]
    assert (near["kind"], near["registry"], near["credential_id"]) == (kind, stored, cred_id)
    assert finding.remedy == (
        f"edit credential 'almost' (id {cred_id}) in acme/pipelines and set "
        f'"Registry server" to {LOGIN_SERVER}'
    )


def test_credential_in_another_workspace(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
    demo: str,
    pipelines: int,
) -> None:
    research = state.workspace_by_name("acme", "research").id
    personal_id = add(state, "mine", LOGIN_SERVER, None)
    add(state, "theirs", LOGIN_SERVER, research)
    finding = by_subject(run(make_context(tmp_path, make_client, token=demo)), LOGIN_SERVER)
    assert finding.status is Status.FAIL and finding.details["reason"] == "other-workspace"
    assert [f["workspace"] for f in finding.details["found_in"]] == ["user", "acme/research"]
    assert personal_id in finding.message and "personal workspace" in finding.message
    assert "TOWER_WORKSPACE_ID" in finding.remedy


def test_personal_check_finds_the_org_credential(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
    demo: str,
    pipelines: int,
) -> None:
    add(state, "org", LOGIN_SERVER, pipelines)
    finding = by_subject(
        run(make_context(tmp_path, make_client, token=demo, workspace=None)), LOGIN_SERVER
    )
    assert finding.details["reason"] == "other-workspace"
    assert f"tower.workspaceId = {pipelines}" in finding.remedy


def test_duplicates_fail_and_name_the_one_wave_uses(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
    demo: str,
    pipelines: int,
) -> None:
    first = add(state, "first", LOGIN_SERVER, pipelines)
    second = add(state, "second", LOGIN_SERVER, pipelines)
    context = make_context(tmp_path, make_client, token=demo)
    finding = by_subject(run(context), LOGIN_SERVER)
    assert finding.status is Status.FAIL and finding.details["reason"] == "duplicates"
    assert finding.details["credential_id"] == first
    assert finding.details["duplicates"] == [{"credential_name": "second", "credential_id": second}]
    assert second in finding.remedy
    first_match = context.facts.matches.get()[LOGIN_SERVER].credential
    assert first_match is not None and first_match.id == first


def test_one_finding_per_acr_registry(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
    demo: str,
    pipelines: int,
) -> None:
    add(state, "acr", LOGIN_SERVER, pipelines)
    images = (
        SANDBOX_IMAGE,
        use(f"{LOGIN_SERVER}/tools/sort:2", LOGIN_SERVER),
        use(f"{OTHER_SERVER}/x/y:1", OTHER_SERVER),
        use("quay.io/biocontainers/fastqc:0.12", "quay.io", acr=False),
    )
    context = make_context(tmp_path, make_client, token=demo, images=images)
    assert context.facts.acr_registries() == (LOGIN_SERVER, OTHER_SERVER)
    findings = run(context)
    registry_findings = [f for f in findings if "registry" in f.details]
    assert [(f.subject, f.status) for f in registry_findings] == [
        (LOGIN_SERVER, Status.PASS),
        (OTHER_SERVER, Status.FAIL),
    ]
    assert len(registry_findings[0].details["images"]) == 2


@pytest.mark.parametrize(
    ("workspace", "role"), [("acme/pipelines", "view"), ("acme/research", "connect")]
)
def test_low_roles_cannot_let_wave_read_keys(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
    workspace: str,
    role: str,
) -> None:
    org, name = workspace.split("/")
    add(state, "acr", LOGIN_SERVER, state.workspace_by_name(org, name).id)
    viewer = state.token_of(VIEWER_USER)
    findings = run(make_context(tmp_path, make_client, token=viewer, workspace=workspace))
    role_finding = by_subject(findings, workspace)
    assert role_finding.status is Status.FAIL and role_finding.details["role"] == role
    assert "launch or higher" in role_finding.remedy
    assert by_subject(findings, LOGIN_SERVER).status is Status.PASS  # listing is still allowed


def test_launch_role_is_warned_it_cannot_create(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    demo: str,
) -> None:
    findings = run(make_context(tmp_path, make_client, token=demo, workspace="acme/research"))
    warn = [f for f in findings if f.status is Status.WARN]
    assert len(warn) == 1 and "cannot create" in warn[0].message
    assert (
        by_subject([f for f in findings if f.status is not Status.WARN], "acme/research").status
        is Status.PASS
    )


def test_config_workspace_differs_from_the_checked_one(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
    demo: str,
    pipelines: int,
) -> None:
    research = state.workspace_by_name("acme", "research").id
    context = make_context(tmp_path, make_client, token=demo)
    context.facts.tower_workspace_id = str(research)
    mismatch = by_subject(run(context), "workspace")
    assert mismatch.status is Status.FAIL
    assert mismatch.details == {
        "checked_workspace_id": pipelines,
        "wave_workspace_id": research,
        "wave_workspace_source": "tower.workspaceId in the configuration",
    }


def test_workspace_from_the_resolved_nextflow_config(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
    demo: str,
    pipelines: int,
) -> None:
    research = state.workspace_by_name("acme", "research").id
    (tmp_path / "nextflow.config").write_text(
        f"wave.enabled = true\ntower {{\n  workspaceId = {research}\n}}\n"
    )
    context = make_context(tmp_path, make_client, token=demo)
    context.facts.config.provide(resolve_config(context.spec))
    mismatch = by_subject(run(context), "workspace")
    assert mismatch.status is Status.FAIL
    assert mismatch.details["wave_workspace_id"] == research
    assert "nextflow.config:3" in mismatch.details["wave_workspace_source"]
    (tmp_path / "nextflow.config").write_text(f"tower.workspaceId = '{pipelines}'\n")
    agreeing = make_context(tmp_path, make_client, token=demo)
    agreeing.facts.config.provide(resolve_config(agreeing.spec))
    assert not [f for f in run(agreeing) if f.subject == "workspace"]


def test_config_endpoint_elsewhere_is_a_warning(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    demo: str,
) -> None:
    (tmp_path / "nextflow.config").write_text("tower.endpoint = 'https://tower.example.org/api/'\n")
    context = make_context(tmp_path, make_client, token=demo)
    context.facts.config.provide(resolve_config(context.spec))
    finding = by_subject(run(context), "tower.endpoint")
    assert finding.status is Status.WARN
    assert "https://tower.example.org/api " in finding.message + " "
    assert "nextflow.config:1" in finding.message
    (tmp_path / "nextflow.config").write_text(f"tower.endpoint = '{ENDPOINT}/'\n")
    same = make_context(tmp_path, make_client, token=demo)
    same.facts.config.provide(resolve_config(same.spec))
    assert not [f for f in run(same) if f.subject == "tower.endpoint"]


def test_platform_launch_ignores_the_config_workspace(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
    demo: str,
    pipelines: int,
) -> None:
    context = make_context(
        tmp_path, make_client, token=demo, options=CheckOptions(platform_launch=True)
    )
    context.facts.tower_workspace_id = "184950002"
    findings = run(context)
    ignored = by_subject(findings, "workspace")
    assert ignored.status is Status.WARN and "ignored" in ignored.message


@pytest.mark.parametrize(
    ("images", "options", "token"),
    [
        ((), None, "t"),
        ((use("quay.io/a/b:1", "quay.io", acr=False),), None, "t"),
        ((SANDBOX_IMAGE,), CheckOptions(offline=True), "t"),
    ],
)
def test_nothing_to_check_is_a_skip(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    images: tuple[ImageUse, ...],
    options: CheckOptions | None,
    token: str,
) -> None:
    findings = run(make_context(tmp_path, make_client, token=token, images=images, options=options))
    assert [f.status for f in findings] == [Status.SKIP]


def test_images_are_resolved_when_nobody_published_them(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
    demo: str,
    pipelines: int,
) -> None:
    add(state, "acr", LOGIN_SERVER, pipelines)
    (tmp_path / "main.nf").write_text(
        "process ALIGN {\n"
        f"  container '{LOGIN_SERVER}/tools/align:1.0'\n"
        "  script:\n  'true'\n}\n"
        "workflow { ALIGN() }\n"
    )
    context = make_context(tmp_path, make_client, token=demo, images=None)
    finding = by_subject(run(context), LOGIN_SERVER)
    assert finding.status is Status.PASS
    assert finding.details["images"] == [f"{LOGIN_SERVER}/tools/align:1.0"]


def test_unreadable_images_are_an_error_not_a_skip(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    demo: str,
) -> None:
    (tmp_path / "nextflow.config").write_text("process {\n  container = \n")
    context = make_context(tmp_path, make_client, token=demo, images=None)
    report = run_checks([CredentialsCheck()], context)
    assert [f.status for f in report.findings] == [Status.ERROR]
    assert "nextflow.config" in report.findings[0].subject + report.findings[0].message


def test_platform_without_wave_fails(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
    demo: str,
    pipelines: int,
) -> None:
    add(state, "acr", LOGIN_SERVER, pipelines)
    assert not [
        f for f in run(make_context(tmp_path, make_client, token=demo)) if f.subject == "platform"
    ]
    state.wave_enabled = False
    finding = by_subject(run(make_context(tmp_path, make_client, token=demo)), "platform")
    assert finding.status is Status.FAIL and "TOWER_ENABLE_WAVE" in finding.remedy


def test_no_token_fails_before_any_call(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
) -> None:
    [finding] = run(make_context(tmp_path, make_client, token=None))
    assert finding.status is Status.FAIL and "TOWER_ACCESS_TOKEN" in finding.remedy


def test_bad_token_is_one_error_finding_without_the_token(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
) -> None:
    bad = "expired-token-0123456789"
    report = run_checks([CredentialsCheck()], make_context(tmp_path, make_client, token=bad))
    [finding] = report.findings
    assert finding.status is Status.ERROR and "401" in finding.message
    assert "/tokens" in finding.remedy
    assert bad not in json.dumps([finding.message, finding.remedy, finding.subject])


def test_unknown_workspace_is_an_error_listing_choices(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    demo: str,
) -> None:
    report = run_checks(
        [CredentialsCheck()], make_context(tmp_path, make_client, token=demo, workspace="acme/nope")
    )
    [finding] = report.findings
    assert finding.status is Status.ERROR and "acme/pipelines" in finding.remedy


def test_findings_never_hold_a_secret(
    tmp_path: Path,
    make_client: Callable[..., PlatformClient],
    state: PlatformState,
    demo: str,
    pipelines: int,
) -> None:
    add(state, "a", LOGIN_SERVER, pipelines)
    add(state, "b", LOGIN_SERVER, pipelines)
    text = json.dumps([_plain(f) for f in run(make_context(tmp_path, make_client, token=demo))])
    assert demo not in text and "pw-secret-value" not in text


def _plain(finding: Finding) -> dict[str, Any]:
    return {"message": finding.message, "remedy": finding.remedy, "details": finding.details}


def test_the_config_token_is_the_one_wave_uses(
    tmp_path: Path,
    emulator: PlatformEmulator,
    state: PlatformState,
    pipelines: int,
) -> None:
    """``tower.accessToken`` beats TOWER_ACCESS_TOKEN: the check asks as the config's user."""
    add(state, "acr", LOGIN_SERVER, pipelines)
    viewer = state.token_of(VIEWER_USER)
    (tmp_path / "nextflow.config").write_text(f"tower.accessToken = '{viewer}'\n")

    def unused() -> PlatformClient:
        raise AssertionError("the settings' client must not be used")

    for settings_token in (Secret(state.token_of(DEMO_USER)), None):
        with httpx.Client(transport=bridge(emulator), timeout=5.0) as http:

            def this_http(h: httpx.Client = http) -> httpx.Client:
                return h

            context = CheckContext(
                spec=PipelineSpec(root=tmp_path),
                settings=Settings(
                    platform_endpoint=ENDPOINT,
                    workspace="acme/pipelines",
                    platform_token=settings_token,
                ),
                services=Services(platform=unused, http=this_http),
            )
            context.facts.image_uses.provide((SANDBOX_IMAGE,))
            context.facts.config.provide(resolve_config(context.spec))
            findings = run(context)
        role = by_subject(findings, "acme/pipelines")
        assert role.status is Status.FAIL and role.details["role"] == "view"
        assert by_subject(findings, LOGIN_SERVER).status is Status.PASS
        assert viewer not in json.dumps([_plain(f) for f in findings])


def test_a_workspace_that_refuses_its_listing_is_left_out(
    tmp_path: Path,
    emulator: PlatformEmulator,
    state: PlatformState,
    demo: str,
) -> None:
    research = state.workspace_by_name("acme", "research").id
    add(state, "theirs", LOGIN_SERVER, research)
    add(state, "mine", LOGIN_SERVER, None)
    inner = bridge(emulator)

    def refuse_research(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("workspaceId") == str(research):
            return httpx.Response(403, json={"message": "Forbidden"})
        return inner.handle_request(request)

    with httpx.Client(transport=httpx.MockTransport(refuse_research), timeout=5.0) as http:
        client = PlatformClient(http, ENDPOINT, Secret(demo), sleep=lambda _: None)
        context = make_context(tmp_path, lambda token: client, token=demo)
        finding = by_subject(run(context), LOGIN_SERVER)
    assert finding.details["reason"] == "other-workspace"
    assert [f["workspace"] for f in finding.details["found_in"]] == ["user"]
