"""The wording of each credential finding, straight from what the check learned."""

from __future__ import annotations

from preflight.checks.credential_findings import (
    create_role_finding,
    endpoint_finding,
    keys_role_finding,
    registry_finding,
)
from preflight.model import Status
from preflight.seqera.matching import ElsewhereMatch, match_registry
from preflight.seqera.models import Credential, WorkspaceRef

HOST = "myreg.azurecr.io"
PIPELINES = WorkspaceRef(11, "pipelines", 5, "acme", "owner")
RESEARCH = WorkspaceRef(12, "research", 5, "acme", "launch")
PERSONAL = WorkspaceRef(None, "user", None, None, "owner", personal=True)


def cred(name: str, registry: str | None, user: str = "tok") -> Credential:
    return Credential(
        id=f"id-{name}",
        name=name,
        provider="container-reg",
        registry=registry,
        user_name=user,
        date_created=None,
        last_updated=None,
        workspace_id=11,
    )


def test_pass_names_credential_and_token_user() -> None:
    finding = registry_finding(
        PIPELINES, match_registry([cred("acr", HOST, "reader")], HOST), [f"{HOST}/a:1"]
    )
    assert finding.status is Status.PASS and finding.remedy == ""
    assert finding.details["credential_user"] == "reader"
    assert "'acr' (id id-acr, user 'reader')" in finding.message


def test_duplicates_list_every_credential_to_delete() -> None:
    match = match_registry([cred("a", HOST), cred("b", HOST), cred("c", HOST)], HOST)
    finding = registry_finding(PIPELINES, match, [])
    assert finding.status is Status.FAIL
    assert "3 credentials" in finding.message and "'a' (id id-a" in finding.message
    assert "delete 'b' (id id-b), 'c' (id id-c)" in finding.remedy


def test_elsewhere_remedy_depends_on_where_the_credential_is() -> None:
    empty = match_registry([], HOST)
    org = registry_finding(PIPELINES, empty, [], (ElsewhereMatch(RESEARCH, cred("r", HOST)),))
    assert "set tower.workspaceId = 12" in org.remedy
    assert "acme/research (id 12)" in org.message
    personal = registry_finding(PIPELINES, empty, [], (ElsewhereMatch(PERSONAL, cred("p", HOST)),))
    assert "remove tower.workspaceId and TOWER_WORKSPACE_ID" in personal.remedy
    assert "your personal workspace" in personal.message


def test_missing_points_to_fix_and_to_the_exact_server() -> None:
    finding = registry_finding(PERSONAL, match_registry([cred("hub", None)], HOST), [])
    assert finding.details["reason"] == "missing"
    assert "preflight fix" in finding.remedy and f'"Registry server" {HOST}' in finding.remedy
    assert finding.details["workspace_id"] is None


def test_roles() -> None:
    assert keys_role_finding(RESEARCH).status is Status.PASS
    viewer = WorkspaceRef(11, "pipelines", 5, "acme", "view")
    assert keys_role_finding(viewer).status is Status.FAIL
    assert create_role_finding(RESEARCH).status is Status.WARN
    assert "'launch'" in create_role_finding(RESEARCH).message


def test_endpoint_finding() -> None:
    finding = endpoint_finding(
        "https://p.example/api", "nextflow.config:4", "https://api.cloud.seqera.io"
    )
    assert finding.status is Status.WARN
    assert "nextflow.config:4" in finding.message
    assert (
        finding.remedy
        == "check against the same Platform: set TOWER_API_ENDPOINT=https://p.example/api"
    )
