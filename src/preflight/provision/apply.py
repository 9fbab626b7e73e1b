"""Apply a provisioning plan step by step; on failure undo what this run made, and say so.

Per registry the steps run in plan order. Each step that creates or changes something records
how to undo it; when a later step of the same registry fails, the undo actions run newest
first (token before scope map, as ACR requires) and :class:`~preflight.errors.ApplyError`
lists exactly what was rolled back, what could not be, and what earlier registries finished.
A registry that finished is kept: its token and credential are complete and a second run plans
nothing for it, which is what makes ``fix`` resumable.

The generated password travels from Azure's response straight into the Platform request inside
a :class:`~preflight.secret.Secret`; it is returned to the caller (keyed by login server) so
the pull handshake can be proved right away, and appears in no message, log or file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from preflight.azure.models import RegistryInfo, TokenInfo
from preflight.errors import EXIT_INTERRUPTED, ApplyError, PreflightError
from preflight.provision.plan import (
    CreateCredential,
    CreateScopeMap,
    CreateToken,
    ExtendScopeMap,
    GeneratePassword,
    PlanStep,
    ProvisionPlan,
    RegistryPlan,
)
from preflight.provision.ports import AzureRegistries, CredentialStore
from preflight.secret import Secret, redact

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


class ApplyInterrupted(ApplyError):
    """Ctrl-C during the apply: rolled back like any failure, but the run ends as interrupted
    (exit 130), so a script or CI job sees that the user stopped it, not that a step failed."""

    exit_code = EXIT_INTERRUPTED


@dataclass(frozen=True)
class Created:
    """One thing ``fix`` created or changed (names and ids; never a secret)."""

    registry: str
    kind: str  # scope_map | scope_map_extension | token | password | credential
    name: str
    id: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"registry": self.registry, "kind": self.kind, "name": self.name, "id": self.id}


@dataclass(frozen=True)
class ApplyResult:
    """What a successful apply made, and the new passwords by login server (as Secrets)."""

    created: tuple[Created, ...] = ()
    passwords: Mapping[str, Secret] = field(default_factory=dict)
    usernames: Mapping[str, str] = field(default_factory=dict)


@dataclass
class _Undo:
    description: str
    action: Callable[[], None]


@dataclass
class _RegistryRun:
    """The state of applying one registry's steps."""

    plan: RegistryPlan
    registry: RegistryInfo
    created: list[Created] = field(default_factory=list)
    undo: list[_Undo] = field(default_factory=list)
    irreversible: list[str] = field(default_factory=list)
    scope_map_ids: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, TokenInfo] = field(default_factory=dict)
    password: Secret | None = None
    username: str = ""


def apply_plan(
    plan: ProvisionPlan,
    *,
    arm: AzureRegistries,
    platform: CredentialStore,
    progress: Progress | None = None,
) -> ApplyResult:
    """Apply every registry's steps; raise :class:`ApplyError` saying what remains on failure."""
    say = progress or (lambda _message: None)
    created: list[Created] = []
    passwords: dict[str, Secret] = {}
    usernames: dict[str, str] = {}
    finished: list[str] = []
    for registry_plan in plan.registries:
        if not registry_plan.steps:
            continue
        if registry_plan.registry is None:
            raise ApplyError(
                f"{registry_plan.login_server}: the plan has steps but no registry",
                remedy="this is a bug in preflight; please report it",
            )
        run = _RegistryRun(registry_plan, registry_plan.registry)
        try:
            for step in registry_plan.steps:
                say(f"{registry_plan.login_server}: {step.describe()} …")
                _apply_step(run, step, arm, platform)
        except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - any failure rolls back
            raise _failure(run, step, exc, finished, say) from None
        created.extend(run.created)
        finished.append(registry_plan.login_server)
        if run.password is not None:
            passwords[registry_plan.login_server] = run.password
            usernames[registry_plan.login_server] = run.username
        say(f"{registry_plan.login_server}: done")
    return ApplyResult(tuple(created), passwords, usernames)


def _apply_step(
    run: _RegistryRun, step: PlanStep, arm: AzureRegistries, platform: CredentialStore
) -> None:
    registry, host = run.registry, run.plan.login_server
    if isinstance(step, CreateScopeMap):
        # The undo is registered before the request: a create that fails or is interrupted
        # may still have taken effect in Azure, and deleting what is not there is a no-op.
        run.undo.append(
            _Undo(f"scope map {step.name}", lambda: arm.delete_scope_map(registry, step.name))
        )
        made = arm.create_scope_map(
            registry, step.name, step.actions, description="Wave pull access (preflight fix)"
        )
        run.scope_map_ids[step.name] = made.id
        run.created.append(Created(host, "scope_map", step.name, made.id))
    elif isinstance(step, ExtendScopeMap):
        made = arm.update_scope_map(registry, step.name, step.actions)
        run.scope_map_ids[step.name] = made.id
        run.created.append(Created(host, "scope_map_extension", step.name, made.id))
        previous = step.previous
        run.undo.append(
            _Undo(
                f"the additions to scope map {step.name}",
                lambda: _ignore(arm.update_scope_map(registry, step.name, previous)),
            )
        )
    elif isinstance(step, CreateToken):
        scope_map_id = run.scope_map_ids.get(step.scope_map) or _scope_map_id(
            arm, registry, step.scope_map
        )
        # Registered first, as for the scope map: the token may exist even if the call failed.
        run.undo.append(_Undo(f"token {step.name}", lambda: arm.delete_token(registry, step.name)))
        token = arm.create_token(registry, step.name, scope_map_id)
        run.tokens[step.name] = token
        run.created.append(Created(host, "token", step.name, token.id))
    elif isinstance(step, GeneratePassword):
        token = run.tokens.get(step.token) or _token(arm, registry, step.token)
        run.password = arm.generate_password(registry, token, slot=step.slot, expiry=step.expiry)
        run.username = token.name
        run.created.append(Created(host, "password", f"{token.name}/{step.slot}"))
        if step.replaces:  # whoever held the old value is locked out for good
            run.irreversible.append(f"{step.slot} of token {step.token} was regenerated")
    elif isinstance(step, CreateCredential):
        if run.password is None:
            raise ApplyError(
                f"no password was generated for credential {step.name}",
                remedy="this is a bug in preflight; please report it",
            )
        if step.replaces:
            platform.delete_credential(step.replaces, step.workspace_id)
            run.irreversible.append(f"the old credential {step.name} was deleted")
        else:
            platform.validate_credential_name(step.name, step.workspace_id)
        # Registered first: a POST that fails or is interrupted may still have stored it.
        run.undo.append(
            _Undo(
                f"credential {step.name}, if the Platform stored it",
                lambda: _delete_credentials_named(platform, step.name, step.workspace_id),
            )
        )
        credential_id = platform.create_credential(
            step.workspace_id,
            name=step.name,
            registry=step.registry,
            user_name=step.user_name,
            password=run.password,
        )
        run.created.append(Created(host, "credential", step.name, credential_id))


def _failure(
    run: _RegistryRun,
    step: PlanStep,
    exc: BaseException,
    finished: list[str],
    say: Progress,
) -> ApplyError:
    """Roll back ``run`` and describe, without secrets, what happened and what remains.

    An interrupt (Ctrl-C) rolls back the same way and becomes :class:`ApplyInterrupted`; a
    further interrupt during the rollback stops it there, and what was not undone is listed
    as remaining (still :class:`ApplyInterrupted`, exit 130).
    """
    secrets = [run.password] if run.password else []
    if isinstance(exc, PreflightError):
        reason = exc.message
    elif isinstance(exc, KeyboardInterrupt):
        reason = "interrupted"
    else:
        reason = f"{type(exc).__name__}: {exc}"
    reason = redact(reason, secrets)
    where = exc.where if isinstance(exc, PreflightError) else ""
    log.info("fix failed at %r: %s", step.describe(), reason)
    rolled_back: list[str] = []
    left: list[str] = []
    interrupted = isinstance(exc, KeyboardInterrupt)
    undos = list(reversed(run.undo))
    for index, undo in enumerate(undos):
        try:
            # Announcing the step is inside the guard: a second Ctrl-C may land there too.
            say(f"{run.plan.login_server}: rolling back {undo.description} …")
            undo.action()
        except KeyboardInterrupt:
            # A second Ctrl-C: stop undoing at once, but still say what this run leaves behind.
            interrupted = True
            left.extend(f"{u.description} (not rolled back: interrupted)" for u in undos[index:])
            break
        except Exception as undo_exc:  # noqa: BLE001 - every undo is tried; failures are listed
            detail = redact(str(undo_exc).splitlines()[0] if str(undo_exc) else "", secrets)
            left.append(f"{undo.description} (could not be removed: {detail})")
        else:
            rolled_back.append(undo.description)
    lines = [f"{run.plan.login_server}: could not {step.describe()}: {reason}"]
    if where:
        lines.append(f"  at {where}")
    lines.append(f"  rolled back: {', '.join(rolled_back) if rolled_back else 'nothing'}")
    remains = left + run.irreversible
    remaining = "; ".join(remains) if remains else "nothing"
    lines.append(f"  remains of this registry's steps: {remaining}")
    if finished:
        lines.append(f"  finished and kept: {', '.join(finished)}")
    remedy = "fix the cause above and run `preflight fix` again; it resumes where this run stopped"
    if interrupted:
        remedy = "run `preflight fix` again when ready; it resumes where this run stopped"
    if left:
        remedy = (
            "run `preflight fix` again: it finds a token and scope map it left under its own "
            "names and reuses them (with --token-name, add --rotate); or delete what remains "
            "(Azure portal, or az acr token delete / az acr scope-map delete)"
        )
    if isinstance(exc, PreflightError) and exc.remedy:
        remedy = f"{redact(exc.remedy, secrets)}; then {remedy}"
    return (ApplyInterrupted if interrupted else ApplyError)("\n".join(lines), remedy=remedy)


def _scope_map_id(arm: AzureRegistries, registry: RegistryInfo, name: str) -> str:
    scope_map = arm.get_scope_map(registry, name)
    if scope_map is None:
        raise ApplyError(
            f"scope map {name} of {registry.login_server} disappeared while fix ran",
            remedy="run `preflight fix` again",
        )
    return scope_map.id


def _token(arm: AzureRegistries, registry: RegistryInfo, name: str) -> TokenInfo:
    token = arm.get_token(registry, name)
    if token is None:
        raise ApplyError(
            f"token {name} of {registry.login_server} disappeared while fix ran",
            remedy="run `preflight fix` again",
        )
    return token


def _delete_credentials_named(
    platform: CredentialStore, name: str, workspace_id: int | None
) -> None:
    """Delete the credential ``name`` of the workspace, found by name (its id may never have
    reached us); nothing to do when there is none."""
    for credential in platform.list_credentials(workspace_id):
        if credential.name == name:
            platform.delete_credential(credential.id, workspace_id)


def _ignore(_value: object) -> None:
    return None
