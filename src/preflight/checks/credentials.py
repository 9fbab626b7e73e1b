"""The ``credentials`` check: for each ACR registry the run pulls from, the Platform credential
Wave will use — found by Wave's own rule — or why there is none.

Reads the run's images (``images.uses``, shared by the images work), resolves the workspace,
lists its credentials once and matches every ACR host with Wave's rule
(:func:`~preflight.seqera.matching.match_registry`).
One finding per registry: ``pass`` naming the credential, or ``fail`` explaining the near-miss,
the credential in another workspace, the duplicates, or the absence, with a remedy that names
the exact string to use. Plus findings about the workspace (the one Wave reads, the caller's role).

Later checks reuse the work through :func:`credential_matches` (``credentials.matches``):
``{registry host: CredentialMatch}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from preflight.checks.base import IMAGES_KEY, CheckContext
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
from preflight.model import Finding, ImageUse, Status
from preflight.net.threads import map_in_threads
from preflight.secret import Secret
from preflight.seqera.client import PlatformClient
from preflight.seqera.matching import (
    CredentialMatch,
    ElsewhereMatch,
    find_in_other_workspaces,
    match_registry,
)
from preflight.seqera.models import Credential, PlatformUser, WorkspaceRef
from preflight.seqera.workspaces import (
    can_create_credentials,
    personal_workspace,
    resolve_workspace,
    wave_workspace,
    workspace_mismatch,
)

MATCHES_KEY = "credentials.matches"
USER_KEY = "platform.user"
WORKSPACES_KEY = "platform.workspaces"
WORKSPACE_KEY = "platform.workspace"
LISTING_KEY = "platform.credentials"
# The resolved Nextflow configuration, as the wave check shares it (``ResolvedConfig``); its
# ``tower.workspaceId`` is the workspace Wave reads before TOWER_WORKSPACE_ID.
CONFIG_KEY = "config.resolved"
# The TOWER_WORKSPACE_ID the wave check already failed as non-numeric (as the wave check's
# ``UNUSABLE_ENV_WORKSPACE_KEY``); the same cause is not reported twice.
UNUSABLE_ENV_WORKSPACE_KEY = "wave.unusable_env_workspace"
# An explicit ``tower.workspaceId`` (str | int) for callers without a resolved configuration
# (wrappers, tests); it wins over ``CONFIG_KEY``.
TOWER_WORKSPACE_KEY = "config.tower.workspaceId"
OTHER_WORKSPACE_WORKERS = 4


def acr_uses(context: CheckContext) -> tuple[ImageUse, ...]:
    """The run's ACR image uses: those the images work published, else resolved now.

    Resolving through the images work's shared resolution means a pipeline whose images could
    not be read raises here (an ``error`` finding), instead of passing as "no ACR image".
    """
    published: Iterable[ImageUse] | None = context.peek(IMAGES_KEY)
    if published is None:
        from preflight.checks.images import shared_resolution

        published = shared_resolution(context).uses
    return tuple(u for u in published if u.acr)


def acr_registries(context: CheckContext) -> tuple[str, ...]:
    """The ACR registry hosts the run pulls from, each once, in first-use order."""
    return tuple(dict.fromkeys(u.registry for u in acr_uses(context)))


def wave_token(context: CheckContext) -> Secret | None:
    """The Platform token Wave will be sent: ``tower.accessToken`` from the configuration when
    set (it beats ``TOWER_ACCESS_TOKEN``), else the settings' token; for a Platform-launched run
    only the launch's environment counts."""
    if not context.options.platform_launch:
        config = context.peek(CONFIG_KEY)
        if config is not None and config.has("tower.accessToken"):
            value = config.get("tower.accessToken")
            if isinstance(value, Secret):
                return value if value else None
            if isinstance(value, str):
                return Secret(value) if value else None
    return context.settings.platform_token


def platform(context: CheckContext) -> PlatformClient:
    """The Platform client acting as Wave will: with the token the run hands Wave.

    Normally the ``platform`` service; when the configuration's ``tower.accessToken`` differs
    from the settings' token, a client with that token over the shared ``http`` client.
    """
    token = wave_token(context)
    if token is not None and token != context.settings.platform_token:
        return context.shared(
            "platform.config_token_client",
            lambda: PlatformClient(
                context.services.get("http"), context.settings.platform_endpoint, token
            ),
        )
    client: PlatformClient = context.services.get("platform")
    return client


def platform_user(context: CheckContext) -> PlatformUser:
    return context.shared(USER_KEY, lambda: platform(context).user_info())


def user_workspaces(context: CheckContext) -> list[WorkspaceRef]:
    return context.shared(
        WORKSPACES_KEY, lambda: platform(context).workspaces(platform_user(context).id)
    )


def checked_workspace(context: CheckContext) -> WorkspaceRef:
    """The workspace named by ``-w`` / ``TOWER_WORKSPACE_ID`` (personal when none)."""
    return context.shared(
        WORKSPACE_KEY,
        lambda: resolve_workspace(
            context.settings.workspace, platform_user(context), user_workspaces(context)
        ),
    )


def workspace_credentials(context: CheckContext) -> list[Credential]:
    """The checked workspace's credentials, in the order Wave sees them."""
    return context.shared(
        LISTING_KEY, lambda: platform(context).list_credentials(checked_workspace(context).id)
    )


def credential_matches(context: CheckContext) -> dict[str, CredentialMatch]:
    """``{ACR host: CredentialMatch}`` for the run, computed once per run and shared."""

    def compute() -> dict[str, CredentialMatch]:
        credentials = workspace_credentials(context)
        return {host: match_registry(credentials, host) for host in acr_registries(context)}

    return context.shared(MATCHES_KEY, compute)


class CredentialsCheck:
    """Which Platform credential Wave will use for each ACR registry, and why not."""

    name = NAME

    def run(self, context: CheckContext) -> Iterable[Finding]:
        if context.options.offline:
            return [finding(Status.SKIP, "credentials", "skipped: offline")]
        uses = acr_uses(context)
        if not uses:
            return [
                finding(
                    Status.SKIP,
                    "credentials",
                    "the run pulls no ACR image; no registry credential is needed",
                )
            ]
        if wave_token(context) is None:
            return [no_token_finding()]
        findings: list[Finding] = []
        try:
            workspace = checked_workspace(context)
        except InputError:
            unusable = context.peek(UNUSABLE_ENV_WORKSPACE_KEY)
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
            matches = credential_matches(context)
        except PlatformError as exc:
            findings.append(listing_error_finding(workspace, exc.message, exc.remedy, exc.where))
            return findings
        for host, match in matches.items():
            images = sorted({u.image for u in uses if u.registry == host})
            lonely = not match.matched and not match.near_misses
            elsewhere = _elsewhere(context, workspace, host) if lonely else ()
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
        info = platform(context).service_info()
    except PlatformError:
        return []
    if info.get("waveEnabled") is not False:
        return []
    return [wave_disabled_finding(context.settings.platform_endpoint)]


def _config_workspace(context: CheckContext) -> tuple[str | int | None, str]:
    """``tower.workspaceId`` as the run's configuration sets it, and where (``file:line``).

    A value only known at run time (or none) counts as unset here; the wave check reports it.
    """
    explicit = context.peek(TOWER_WORKSPACE_KEY)
    if isinstance(explicit, (str, int)) and not isinstance(explicit, bool):
        return explicit, ""
    config = context.peek(CONFIG_KEY)
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
    config = context.peek(CONFIG_KEY)
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


def _elsewhere(
    context: CheckContext, checked: WorkspaceRef, host: str
) -> tuple[ElsewhereMatch, ...]:
    """Matches for ``host`` in the user's other workspaces (personal included)."""
    return find_in_other_workspaces(host, _other_listings(context, checked))


def _other_listings(
    context: CheckContext, checked: WorkspaceRef
) -> list[tuple[WorkspaceRef, Sequence[Credential]]]:
    """The credentials of every other workspace the user may read, listed once per run.

    Listed a few at a time: a user of many workspaces should not wait for them one by one.
    A workspace that refuses (or fails) is left out — it cannot explain anything.
    """

    def list_all() -> list[tuple[WorkspaceRef, Sequence[Credential]]]:
        client = platform(context)
        others = [personal_workspace(platform_user(context)), *user_workspaces(context)]
        others = [w for w in others if w.id != checked.id]

        def listing(workspace: WorkspaceRef) -> Sequence[Credential] | None:
            try:
                return client.list_credentials(workspace.id)
            except PlatformError:
                return None

        # Ctrl-C must not wait for listings in flight (a stalled Platform holds each until its
        # timeout): map_in_threads leaves them behind.
        listed = map_in_threads(
            listing, others, max_workers=OTHER_WORKSPACE_WORKERS, name="other-workspaces"
        )
        pairs = zip(others, listed, strict=True)
        return [(w, creds) for w, creds in pairs if creds is not None]

    return context.shared(f"{LISTING_KEY}.others", list_all)
