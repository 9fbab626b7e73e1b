"""Decide what ``fix`` must create so Wave can pull every ACR image of a pipeline.

Two halves: :func:`gather_facts` reads what exists (the registry through ARM, the credential
Wave would pick through Seqera Platform, the token and scope map behind it) and
:func:`decide` — pure — turns those facts into a :class:`~preflight.provision.plan.RegistryPlan`.

The rules, per registry:

- A credential Wave already picks is kept. Its token's scope map is extended with the
  repositories it lacks; its password is regenerated only with ``rotate`` (the credential is
  then replaced), or never when the token is disabled (that may be deliberate: we say so).
- Without one, the workspace's own token (``wave-pull-<workspace>``) and its scope map are
  created or reused and extended, ``password1`` is generated, and a credential holding it is
  created under a name Seqera Platform confirms is free. An existing ``password1`` is never
  regenerated without ``rotate``: someone may depend on it.
- A scope map grants ``content/read`` on exactly the pipeline's repositories (a trailing ``/*``
  only for prefixes the user names) and never exceeds ACR's 500 actions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from preflight.azure import actions as grammar
from preflight.azure.models import RegistryInfo, ScopeMapInfo, TokenInfo
from preflight.errors import AzureError, InputError
from preflight.model import ImageUse
from preflight.provision import names
from preflight.provision.plan import (
    CreateCredential,
    CreateScopeMap,
    CreateToken,
    ExtendScopeMap,
    GeneratePassword,
    PlanStep,
    ProvisionPlan,
    Readiness,
    RegistryPlan,
)
from preflight.provision.ports import AzureRegistries, CredentialStore
from preflight.seqera.matching import match_registry
from preflight.seqera.models import Credential

MAX_ACTIONS = 500


@dataclass(frozen=True)
class ProvisionOptions:
    """How ``fix`` provisions: where, for how long, and what it may replace."""

    workspace_id: int | None = None
    expiry: datetime | None = None
    rotate: bool = False
    wildcards: tuple[str, ...] = ()
    token_name: str | None = None


@dataclass(frozen=True)
class RegistryFacts:
    """What exists for one registry, as far as the plan is concerned."""

    login_server: str
    repositories: tuple[str, ...]
    registry: RegistryInfo
    credential: Credential | None
    token_name: str
    token: TokenInfo | None
    scope_map_name: str
    scope_map: ScopeMapInfo | None
    credential_name: str = ""
    credential_name_problem: str = ""
    near_misses: tuple[str, ...] = ()  # credentials a person would take for this registry
    token_users: tuple[str, ...] = ()  # the workspace's credentials that sign in as the token


class _Blocked(Exception):
    """The plan for a registry needs the user: ``reason`` and ``remedy`` say what to do."""

    def __init__(self, reason: str, remedy: str) -> None:
        super().__init__(reason)
        self.reason, self.remedy = reason, remedy


class _Unmanaged(Exception):
    """The credential does not sign in with a token of the registry: nothing to manage."""

    def __init__(self, reason: str, remedy: str) -> None:
        super().__init__(reason)
        self.remedy = remedy


def acr_repositories(images: Iterable[ImageUse]) -> dict[str, tuple[str, ...]]:
    """Each ACR registry host the pipeline pulls from, with its repositories (sorted)."""
    found: dict[str, set[str]] = {}
    for image in images:
        if image.acr:
            found.setdefault(image.registry, set()).add(image.repository)
    return {host: tuple(sorted(repos)) for host, repos in sorted(found.items())}


def plan_provisioning(
    images: Iterable[ImageUse],
    *,
    arm: AzureRegistries,
    platform: CredentialStore,
    options: ProvisionOptions,
    now: datetime | None = None,
) -> ProvisionPlan:
    """The plan for every ACR registry among ``images`` (reads only; changes nothing)."""
    moment = now or datetime.now(timezone.utc)
    wanted = acr_repositories(images)
    if not wanted:
        return ProvisionPlan()
    credentials = platform.list_credentials(options.workspace_id)
    plans: list[RegistryPlan] = []
    for host, repositories in wanted.items():
        try:
            facts = gather_facts(
                host,
                repositories,
                arm=arm,
                platform=platform,
                credentials=credentials,
                options=options,
            )
        except AzureError as exc:
            plans.append(
                RegistryPlan(host, repositories, Readiness.BLOCKED, exc.message, remedy=exc.remedy)
            )
            continue
        plans.append(decide(facts, options, moment))
    return ProvisionPlan(tuple(plans))


def gather_facts(
    login_server: str,
    repositories: tuple[str, ...],
    *,
    arm: AzureRegistries,
    platform: CredentialStore,
    credentials: Sequence[Credential],
    options: ProvisionOptions,
) -> RegistryFacts:
    """Read the registry, Wave's credential, the token and scope map ``decide`` reasons about."""
    registry = arm.find_registry(login_server)
    match = match_registry(credentials, login_server)
    credential = match.credential
    if credential is not None:
        token_name = credential.user_name or ""
    else:
        token_name = options.token_name or names.default_token_name(options.workspace_id)
    token = arm.get_token(registry, token_name) if names.TOKEN_NAME.match(token_name) else None
    if token is not None:
        scope_map_name = token.scope_map_name
    elif credential is None:
        scope_map_name = names.scope_map_name_for(token_name)
    else:  # the credential signs in as something other than a token: nothing to look up
        scope_map_name = ""
    scope_map = arm.get_scope_map(registry, scope_map_name) if scope_map_name else None
    chosen, problem = "", ""
    if credential is None:
        chosen, problem = _free_credential_name(platform, registry.name, options.workspace_id)
    return RegistryFacts(
        login_server=login_server,
        repositories=repositories,
        registry=registry,
        credential=credential,
        token_name=token_name,
        token=token,
        scope_map_name=scope_map_name,
        scope_map=scope_map,
        credential_name=chosen,
        credential_name_problem=problem,
        near_misses=tuple(
            f"{miss.credential.name} ({miss.kind.value})" for miss in match.near_misses
        ),
        token_users=tuple(c.name for c in credentials if c.user_name == token_name),
    )


def decide(facts: RegistryFacts, options: ProvisionOptions, now: datetime) -> RegistryPlan:
    """The plan for one registry, from its facts alone (see the module docstring)."""
    try:
        if facts.credential is not None:
            steps, reason = _keep_credential(facts, facts.credential, options, now)
        else:
            steps, reason = _new_credential(facts, options)
    except _Blocked as blocked:
        return _plan(facts, Readiness.BLOCKED, blocked.reason, remedy=blocked.remedy)
    except _Unmanaged as unmanaged:
        return _plan(facts, Readiness.UNMANAGED, str(unmanaged), remedy=unmanaged.remedy)
    if not steps:
        return _plan(facts, Readiness.READY, reason)
    return _plan(facts, Readiness.PLANNED, reason, steps=tuple(steps))


def _keep_credential(
    facts: RegistryFacts, credential: Credential, options: ProvisionOptions, now: datetime
) -> tuple[list[PlanStep], str]:
    token = facts.token
    if token is None:
        raise _Unmanaged(
            f"credential {credential.name} signs in as {credential.user_name or '(nobody)'}, "
            f"which is not a token of {facts.login_server} (an admin user or a service "
            "principal?); preflight leaves it alone",
            "to let preflight manage access, delete that credential and run `preflight fix`",
        )
    _require_enabled(token, facts)
    steps: list[PlanStep] = list(_scope_map_steps(facts, token.scope_map_name, options))
    live = token.live_passwords(now)
    saved = _saved_at(credential)
    # As the token check judges it: every live password is newer than the credential.
    stale = bool(live) and saved is not None and all(p.created and p.created > saved for p in live)
    if not live and not options.rotate:
        raise _Blocked(
            f"token {token.name} has no password that is still valid, so credential "
            f"{credential.name} cannot sign in",
            f"run `preflight fix --rotate` to generate password1 and replace credential "
            f"{credential.name}",
        )
    if stale and not options.rotate:
        raise _Blocked(
            f"every password of token {token.name} was generated after credential "
            f"{credential.name} was last saved, so it likely holds an old one",
            f"run `preflight fix --rotate` to generate password1 and replace credential "
            f"{credential.name}",
        )
    # --rotate is for the registries that need it: a credential that signs in is left alone.
    rotating = options.rotate and (not live or stale)
    if rotating:
        steps.append(
            GeneratePassword(
                token.name,
                "password1",
                options.expiry,
                replaces=token.password("password1") is not None,
            )
        )
        steps.append(
            CreateCredential(
                credential.name,
                facts.login_server,
                token.name,
                options.workspace_id,
                replaces=credential.id,
            )
        )
    reason = f"credential {credential.name} uses token {token.name}"
    if options.rotate and not rotating:
        reason += " (its password is valid, so --rotate leaves it alone)"
    if not steps:
        return steps, f"{reason}, which covers {_repos(facts.repositories)}"
    changes = []
    if not isinstance(steps[0], GeneratePassword):
        changes.append(f"its scope map will cover {_repos(facts.repositories)}")
    if rotating:
        changes.append("its password1 and the credential will be replaced (--rotate)")
    return steps, f"{reason}; {' and '.join(changes)}"


def _new_credential(facts: RegistryFacts, options: ProvisionOptions) -> tuple[list[PlanStep], str]:
    if not facts.credential_name:
        raise _Blocked(
            f"no free Seqera credential name for {facts.login_server}: "
            f"{facts.credential_name_problem}",
            "delete or rename the credentials that hold the names preflight tried",
        )
    token = facts.token
    steps: list[PlanStep] = []
    if token is None:
        names.check_token_name(facts.token_name)
        steps.extend(_scope_map_steps(facts, facts.scope_map_name, options))
        steps.append(CreateToken(facts.token_name, facts.scope_map_name))
        steps.append(GeneratePassword(facts.token_name, "password1", options.expiry))
        reason = f"no credential for {facts.login_server}; a new token will read " + _repos(
            facts.repositories
        )
    else:
        _require_enabled(token, facts)
        steps.extend(_scope_map_steps(facts, token.scope_map_name, options))
        has_password = token.password("password1") is not None
        leftover = has_password and _left_by_preflight(facts, token, options)
        if has_password and not options.rotate and not leftover:
            raise _Blocked(
                f"no credential for {facts.login_server}, and token {token.name} already has "
                "a password1 that something else may use",
                "run `preflight fix --rotate` to regenerate it, or `--token-name NAME` for a "
                "new token",
            )
        steps.append(
            GeneratePassword(token.name, "password1", options.expiry, replaces=has_password)
        )
        reason = f"no credential for {facts.login_server}; existing token {token.name} will " + (
            "read " + _repos(facts.repositories)
        )
        if leftover:
            reason += (
                "; it was left by a `preflight fix` that did not finish (no credential signs "
                "in with it, and preflight never shows its password), so its password1 is "
                "regenerated"
            )
    steps.append(
        CreateCredential(
            facts.credential_name, facts.login_server, facts.token_name, options.workspace_id
        )
    )
    if facts.near_misses:
        reason += (
            f"; Wave does not use {', '.join(facts.near_misses)}, whose registry does not "
            f"equal {facts.login_server} exactly"
        )
    return steps, reason


def _saved_at(credential: Credential) -> datetime | None:
    """When the credential was last saved (its password set), as Platform says; else None."""
    text = credential.last_updated or credential.date_created
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _left_by_preflight(facts: RegistryFacts, token: TokenInfo, options: ProvisionOptions) -> bool:
    """Whether ``token`` is what an unfinished ``fix`` of this workspace left, known by name.

    It carries the names ``fix`` gives (``wave-pull-<workspace>`` bound to its own
    ``…-scope-map``) and no credential of the workspace signs in with it. Its password1 then
    reached nobody: ``fix`` hands a password only to the credential it creates.
    """
    own_name = names.default_token_name(options.workspace_id)
    return (
        token.name == own_name
        and token.scope_map_name == names.scope_map_name_for(own_name)
        and not facts.token_users
    )


def _scope_map_steps(
    facts: RegistryFacts, scope_map_name: str, options: ProvisionOptions
) -> list[PlanStep]:
    """Create the scope map, extend it, or nothing when it already covers every repository."""
    scope_map = facts.scope_map
    if scope_map is None:
        needed = needed_actions(facts.repositories, (), options.wildcards)
        _check_limit(scope_map_name, len(needed))
        return [CreateScopeMap(scope_map_name, needed)]
    added = needed_actions(facts.repositories, scope_map.actions, options.wildcards)
    if not added:
        return []
    if scope_map.system_defined:
        raise _Blocked(
            f"scope map {scope_map.name} is system-defined and lacks "
            f"{_repos(uncovered(facts.repositories, scope_map.actions))}",
            "bind the token to a user-defined scope map, or use another token",
        )
    _check_limit(scope_map.name, len(scope_map.actions) + len(added))
    return [ExtendScopeMap(scope_map.name, scope_map.actions, added)]


def needed_actions(
    repositories: Iterable[str], existing: Iterable[str], wildcards: Iterable[str] = ()
) -> tuple[str, ...]:
    """The pull actions to add so that ``existing`` covers every repository.

    A repository under one of ``wildcards`` (prefixes) is covered by that prefix's ``/*``
    action instead of its own.
    """
    have = list(existing)
    prefixes = [p.strip("/") for p in wildcards if p.strip("/")]
    added: list[str] = []
    for repository in uncovered(repositories, have):
        prefix = next((p for p in prefixes if p == "*" or repository.startswith(p + "/")), None)
        action = grammar.wildcard_read_action(prefix) if prefix else grammar.read_action(repository)
        if action not in added:
            added.append(action)
    return tuple(added)


def uncovered(repositories: Iterable[str], actions: Iterable[str]) -> tuple[str, ...]:
    """The repositories ``actions`` do not grant pull on."""
    have = list(actions)
    return tuple(r for r in repositories if not grammar.grants(have, r))


def _check_limit(scope_map: str, count: int) -> None:
    if count > MAX_ACTIONS:
        raise _Blocked(
            f"scope map {scope_map} would need {count} actions; ACR allows {MAX_ACTIONS}",
            "name repository prefixes to cover with a trailing /* (--wildcard PREFIX)",
        )


def _require_enabled(token: TokenInfo, facts: RegistryFacts) -> None:
    if not token.enabled:
        raise _Blocked(
            f"token {token.name} of {facts.login_server} is disabled",
            f"if that was not deliberate, enable it: az acr token update -r "
            f"{facts.registry.name} -n {token.name} --status enabled",
        )


def _free_credential_name(
    platform: CredentialStore, registry_name: str, workspace_id: int | None
) -> tuple[str, str]:
    """The first candidate name Seqera Platform accepts, or ``('', why not)``."""
    problem = ""
    for candidate in names.credential_names_for(registry_name):
        try:
            platform.validate_credential_name(candidate, workspace_id)
        except InputError as exc:
            problem = exc.message
            continue
        return candidate, ""
    return "", problem


def _plan(
    facts: RegistryFacts,
    outcome: Readiness,
    reason: str,
    *,
    steps: tuple[PlanStep, ...] = (),
    remedy: str = "",
) -> RegistryPlan:
    return RegistryPlan(
        login_server=facts.login_server,
        repositories=facts.repositories,
        outcome=outcome,
        reason=reason,
        registry=facts.registry,
        steps=steps,
        remedy=remedy,
    )


def _repos(repositories: Sequence[str]) -> str:
    shown = ", ".join(repositories[:5]) + (" …" if len(repositories) > 5 else "")
    noun = "repository" if len(repositories) == 1 else "repositories"
    return f"{len(repositories)} {noun} ({shown})"
