"""The findings of the ``credentials`` check, as pure functions of what it learned.

Separate from the check so that each wording — the matched credential, every near-miss, the
credential in another workspace, the duplicates, the absence, the roles — is tested without a
Platform, and so that the check itself reads as the sequence of questions it asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from preflight.model import Finding, Status
from preflight.seqera.matching import CredentialMatch, ElsewhereMatch
from preflight.seqera.models import WorkspaceRef
from preflight.seqera.roles import can_read_credentials

NAME = "credentials"


def finding(
    status: Status, subject: str, message: str, remedy: str = "", **details: Any
) -> Finding:
    return Finding(
        check=NAME, status=status, subject=subject, message=message, remedy=remedy, details=details
    )


def keys_role_finding(workspace: WorkspaceRef) -> Finding:
    """Whether Wave, running with the caller's token, may read the credentials' keys."""
    if can_read_credentials(workspace.role):
        return finding(
            Status.PASS,
            workspace.full_name,
            f"your role {workspace.role!r} in {workspace.describe()} lets Wave read the "
            "credentials' keys",
            role=workspace.role,
            workspace_id=workspace.id,
        )
    return finding(
        Status.FAIL,
        workspace.full_name,
        f"your role {workspace.role!r} in {workspace.describe()} does not let Wave read "
        "credential keys (connect and view cannot), so every private pull fails",
        remedy="run with the token of a user whose role is launch or higher in this workspace",
        role=workspace.role,
        workspace_id=workspace.id,
    )


def registry_finding(
    workspace: WorkspaceRef,
    match: CredentialMatch,
    images: Sequence[str],
    elsewhere: Sequence[ElsewhereMatch] = (),
) -> Finding:
    """The verdict on one ACR registry in the checked workspace.

    ``pass`` names the credential Wave will use; ``fail`` explains the duplicates, the
    near-misses, the matches in other workspaces (``elsewhere``) or the absence, with a remedy
    naming the exact ``Registry server`` string.
    """
    host = match.registry
    base: dict[str, Any] = {
        "registry": host,
        "workspace": workspace.full_name,
        "workspace_id": workspace.id,
        "images": list(images),
    }
    if match.credential is not None and not match.duplicates:
        cred = match.credential
        return finding(
            Status.PASS,
            host,
            f"Wave will use credential {cred.name!r} (id {cred.id}, user {cred.user_name!r}) "
            f"from {workspace.describe()}",
            credential_name=cred.name,
            credential_id=cred.id,
            credential_user=cred.user_name,
            **base,
        )
    if match.credential is not None:
        return _duplicates_finding(workspace, match, base)
    if match.near_misses:
        first = match.near_misses[0]
        return finding(
            Status.FAIL,
            host,
            f"no credential in {workspace.describe()} matches {host!r} exactly, so Wave pulls "
            "anonymously and fails; " + "; ".join(n.explain() for n in match.near_misses),
            remedy=f"edit credential {first.credential.name!r} (id {first.credential.id}) in "
            f'{workspace.full_name} and set "Registry server" to {first.fix}',
            reason="near-miss",
            near_misses=[
                {
                    "credential_name": n.credential.name,
                    "credential_id": n.credential.id,
                    "registry": n.credential.registry,
                    "kind": n.kind.value,
                    "fix": n.fix,
                }
                for n in match.near_misses
            ],
            **base,
        )
    if elsewhere:
        where = elsewhere[0]
        return finding(
            Status.FAIL,
            host,
            f"no credential for {host!r} in {workspace.describe()}, which is the workspace Wave "
            f"reads; credential {where.credential.name!r} (id {where.credential.id}) for it is in "
            f"{where.workspace.describe()}, and Wave never looks there",
            remedy=_elsewhere_remedy(where, workspace, host),
            reason="other-workspace",
            found_in=[
                {
                    "workspace": e.workspace.full_name,
                    "workspace_id": e.workspace.id,
                    "credential_name": e.credential.name,
                    "credential_id": e.credential.id,
                }
                for e in elsewhere
            ],
            **base,
        )
    return finding(
        Status.FAIL,
        host,
        f"no container registry credential for {host!r} in {workspace.describe()}: Wave pulls "
        'anonymously and the run fails with "does not exist or access is not authorized"',
        remedy=f"run 'preflight fix' to create a pull-only token and the credential, or add a "
        f'Container registry credential in {workspace.full_name} with "Registry server" {host}',
        reason="missing",
        **base,
    )


def _duplicates_finding(
    workspace: WorkspaceRef, match: CredentialMatch, base: dict[str, Any]
) -> Finding:
    first = match.credential
    assert first is not None
    others = ", ".join(f"{c.name!r} (id {c.id})" for c in match.duplicates)
    return finding(
        Status.FAIL,
        match.registry,
        f"{len(match.duplicates) + 1} credentials in {workspace.describe()} name "
        f"{match.registry!r}; Wave uses only the first, {first.name!r} (id {first.id}, user "
        f"{first.user_name!r}), which may be a token for other repositories",
        remedy=f'delete {others} so that only one credential has "Registry server" '
        f"{match.registry}, and make sure its token reads every repository the run pulls",
        reason="duplicates",
        credential_name=first.name,
        credential_id=first.id,
        credential_user=first.user_name,
        duplicates=[{"credential_name": c.name, "credential_id": c.id} for c in match.duplicates],
        **base,
    )


def _elsewhere_remedy(where: ElsewhereMatch, checked: WorkspaceRef, host: str) -> str:
    if where.workspace.personal:
        use = "remove tower.workspaceId and TOWER_WORKSPACE_ID if the run belongs there"
    else:
        use = f"set tower.workspaceId = {where.workspace.id} if the run belongs there"
    return (
        f"{use}; otherwise run 'preflight fix', or add the credential to {checked.full_name} "
        f'with "Registry server" {host}'
    )


def no_token_finding() -> Finding:
    return finding(
        Status.FAIL,
        "credentials",
        "cannot look up the registry credentials: no Seqera Platform access token is "
        "configured, so Wave pulls every image anonymously and private ACR images fail",
        remedy="create an access token in Seqera Platform (Your tokens) and export "
        "TOWER_ACCESS_TOKEN, or set tower.accessToken",
    )


def wave_disabled_finding(endpoint: str) -> Finding:
    return finding(
        Status.FAIL,
        "platform",
        f"Seqera Platform at {endpoint} has Wave disabled (service-info: waveEnabled false), "
        "so Wave cannot read its registry credentials",
        remedy="on Platform Enterprise, set TOWER_ENABLE_WAVE=true and WAVE_SERVER_URL, "
        "then restart it",
    )


def launch_ignores_finding(ignored: str) -> Finding:
    return finding(
        Status.WARN,
        "workspace",
        f"{ignored} is ignored when Seqera Platform launches the run; Wave reads the launch "
        "workspace",
        remedy="launch from the workspace that holds the registry credentials",
    )


def endpoint_finding(wave_endpoint: str, where: str, checked_endpoint: str) -> Finding:
    at = f" at {where}" if where else ""
    return finding(
        Status.WARN,
        "tower.endpoint",
        f"Wave will read credentials from the Platform at {wave_endpoint} (tower.endpoint{at}), "
        f"but preflight checked {checked_endpoint}",
        remedy=f"check against the same Platform: set TOWER_API_ENDPOINT={wave_endpoint}",
    )


def listing_error_finding(
    workspace: WorkspaceRef, message: str, remedy: str, where: str = ""
) -> Finding:
    """An ``error``: the listing failed; ``where`` (the endpoint that answered) is named."""
    at = f" ({where})" if where else ""
    return finding(
        Status.ERROR,
        workspace.full_name,
        f"could not list the credentials of {workspace.describe()}{at}: {message}",
        remedy=remedy,
    )


def create_role_finding(workspace: WorkspaceRef) -> Finding:
    """A warning that ``preflight fix`` cannot add what is missing with this role."""
    return finding(
        Status.WARN,
        workspace.full_name,
        f"your role {workspace.role!r} in {workspace.describe()} cannot create credentials "
        "(owner and admin only), so 'preflight fix' cannot add them there",
        remedy="ask a workspace owner or admin to run 'preflight fix', or to give you the "
        "admin role",
        role=workspace.role,
    )
