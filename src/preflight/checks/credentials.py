"""The ``credentials`` check: for each ACR registry the run pulls from, the Platform credential
Wave will use — found by Wave's own rule — or why there is none.

Reads the run's facts (:class:`~preflight.checks.facts.RunFacts`): its ACR images, the
workspace, its credentials listed once and matched to every ACR host with Wave's rule
(:func:`~preflight.seqera.matching.match_registry`).
One finding per registry: ``pass`` naming the credential, or ``fail`` explaining the near-miss,
the credential in another workspace, the duplicates, or the absence, with a remedy that names
the exact string to use. Plus findings about the workspace (the one Wave reads, the caller's role).

Later checks reuse the work through ``facts.matches``: ``{registry host: CredentialMatch}``.
"""

from __future__ import annotations

from collections.abc import Iterable

from preflight.checks.base import CheckContext
from preflight.checks.credential_findings import (
    NAME,
    create_role_finding,
    endpoint_finding,
    finding,
    keys_role_finding,
    launch_ignores_finding,
    listing_error_finding,
    no_token_finding,
    registry_finding,
    wave_disabled_finding,
)
from preflight.errors import InputError, PlatformError
from preflight.model import Finding, Status
from preflight.seqera.matching import ElsewhereMatch, find_in_other_workspaces
from preflight.seqera.models import WorkspaceRef
from preflight.seqera.workspaces import can_create_credentials, wave_workspace, workspace_mismatch


class CredentialsCheck:
    """Which Platform credential Wave will use for each ACR registry, and why not."""

    name = NAME

    def run(self, context: CheckContext) -> Iterable[Finding]:
        if context.options.offline:
            return [
                finding(
                    Status.SKIP,
                    "credentials",
                    "skipped: offline",
                    remedy="run without --offline to check it against the services",
                )
            ]
        facts = context.facts
        uses = facts.acr_uses()
        if not uses:
            return [
                finding(
                    Status.SKIP,
                    "credentials",
                    "the run pulls no ACR image; no registry credential is needed",
                )
            ]
        if facts.wave_token() is None:
            return [no_token_finding()]
        findings: list[Finding] = []
        try:
            workspace = facts.workspace.get()
        except InputError:
            unusable = facts.unusable_env_workspace
            if unusable is None or unusable != (context.settings.workspace or "").strip():
                raise  # preflight's own -w: unusable input (exit 2)
            return [
                finding(
                    Status.SKIP,
                    "workspace",
                    f"credentials not checked: TOWER_WORKSPACE_ID {unusable!r} names no workspace "
                    "preflight can check (see the wave check's tower.workspaceId finding)",
                )
            ]
        findings.extend(_wave_pairing_findings(context))
        findings.extend(_wave_target_findings(context, workspace))
        findings.append(keys_role_finding(workspace))
        try:
            matches = facts.matches.get()
        except PlatformError as exc:
            findings.append(listing_error_finding(workspace, exc.message, exc.remedy, exc.where))
            return findings
        for host, match in matches.items():
            images = sorted({u.image for u in uses if u.registry == host})
            lonely = not match.matched and not match.near_misses
            elsewhere = _elsewhere(context, host) if lonely else ()
            findings.append(registry_finding(workspace, match, images, elsewhere))
        if not can_create_credentials(workspace.role) and any(
            not m.matched for m in matches.values()
        ):
            findings.append(create_role_finding(workspace))
        return findings


def _wave_pairing_findings(context: CheckContext) -> list[Finding]:
    """A ``fail`` when the Platform says Wave is off there (``service-info``'s ``waveEnabled``):
    Wave then cannot read any of its credentials. Not knowing is not a finding."""
    try:
        info = context.facts.platform.get().service_info()
    except PlatformError:
        return []
    if info.get("waveEnabled") is not False:
        return []
    return [wave_disabled_finding(context.settings.platform_endpoint)]


def _config_workspace(context: CheckContext) -> tuple[str | int | None, str]:
    """``tower.workspaceId`` as the run's configuration sets it, and where (``file:line``).

    A value only known at run time (or none) counts as unset here; the wave check reports it.
    """
    explicit = context.facts.tower_workspace_id
    if isinstance(explicit, (str, int)) and not isinstance(explicit, bool):
        return explicit, ""
    config = context.facts.readable_config()
    if config is None:
        return None, ""
    value = config.get("tower.workspaceId")
    if not isinstance(value, (str, int)) or isinstance(value, bool) or str(value).strip() == "":
        return None, ""
    origin = config.origin("tower.workspaceId")
    return value, str(origin) if origin is not None else ""


def _wave_target_findings(context: CheckContext, checked: WorkspaceRef) -> list[Finding]:
    config_value, where = _config_workspace(context)
    try:
        wave = wave_workspace(
            config_workspace_id=config_value,
            env_workspace_id=_env_workspace_id(context, checked),
            platform_launch=context.options.platform_launch,
            where=where,
        )
    except InputError:
        return []  # a non-numeric workspace id is the wave check's finding; nothing to compare
    findings: list[Finding] = []
    if wave.ignored:
        findings.append(launch_ignores_finding(wave.ignored))
    mismatch = workspace_mismatch(checked, wave)
    if mismatch is not None:
        findings.append(mismatch)
    endpoint = _config_endpoint(context)
    if endpoint is not None and endpoint[0] != context.settings.platform_endpoint:
        findings.append(endpoint_finding(*endpoint, context.settings.platform_endpoint))
    return findings


def _config_endpoint(context: CheckContext) -> tuple[str, str] | None:
    """``tower.endpoint`` from the configuration (Wave's Platform), unless unset, empty or
    ``-`` (which Nextflow treats as unset), or a Platform-launched run."""
    config = context.facts.readable_config()
    if config is None or context.options.platform_launch:
        return None
    value = config.get("tower.endpoint")
    if not isinstance(value, str) or value.strip() in ("", "-"):
        return None
    origin = config.origin("tower.endpoint")
    return value.strip().rstrip("/"), str(origin) if origin is not None else ""


def _env_workspace_id(context: CheckContext, checked: WorkspaceRef) -> str | None:
    """What ``TOWER_WORKSPACE_ID`` gives the run: the checked workspace's id (settings hold it,
    as a number or resolved from org/name, which Nextflow itself would refuse)."""
    if context.settings.workspace is None:
        return None
    return None if checked.id is None else str(checked.id)


def _elsewhere(context: CheckContext, host: str) -> tuple[ElsewhereMatch, ...]:
    """Matches for ``host`` in the user's other workspaces (personal included)."""
    return find_in_other_workspaces(host, context.facts.other_listings.get())
