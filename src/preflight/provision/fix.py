"""``fix`` as one plan and one apply: the Wave edit, then the tokens and credentials.

:func:`plan_fix` reads everything and changes nothing (``--dry-run`` stops there);
:func:`apply_fix` carries a plan out and returns what it made, including the new passwords
(as :class:`~preflight.secret.Secret`) so ``check`` can prove the pull right after. Clients and
the image discovery come from the caller, so the CLI, ``run --fix`` and tests share this code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from preflight.errors import ApplyError, InputError
from preflight.model import ImageUse
from preflight.pipeline import PipelineSpec
from preflight.provision.apply import ApplyResult, Progress, apply_plan
from preflight.provision.plan import SCHEMA_VERSION, ProvisionPlan, Readiness
from preflight.provision.planner import ProvisionOptions, plan_provisioning
from preflight.provision.ports import AzureRegistries
from preflight.provision.wave import apply_wave, describe_wave, plan_wave, wave_dict
from preflight.seqera.client import PlatformClient
from preflight.seqera.models import WorkspaceRef

if TYPE_CHECKING:
    from preflight.nextflow.config.editor import WaveEdit

PARTS = ("wave", "credentials")


@dataclass(frozen=True)
class FixPlan:
    """What ``fix`` will do for the asked ``parts``.

    ``wave`` is the edit (``None``: Wave already on, or the part not asked); ``credentials`` is
    ``None`` when that part was not asked.
    """

    parts: tuple[str, ...]
    wave: WaveEdit | None = None
    credentials: ProvisionPlan | None = None
    workspace: WorkspaceRef | None = None
    acr_images: int = 0

    @property
    def wave_pending(self) -> bool:
        return "wave" in self.parts and self.wave is not None and not self.wave.blocked

    @property
    def empty(self) -> bool:
        """True when applying would change nothing."""
        return not self.wave_pending and (self.credentials is None or self.credentials.empty)

    @property
    def blocked(self) -> bool:
        """True when some part needs the user before Wave can pull everything."""
        wave_blocked = "wave" in self.parts and self.wave is not None and self.wave.blocked
        return wave_blocked or bool(self.credentials and self.credentials.blocked)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "parts": list(self.parts)}
        if "wave" in self.parts:
            data["wave"] = wave_dict(self.wave)
        if self.credentials is not None:
            data["workspace"] = _workspace_dict(self.workspace)
            data["registries"] = self.credentials.to_dict()["registries"]
        data["empty"] = self.empty
        data["blocked"] = self.blocked
        return data

    def describe(self) -> list[str]:
        lines: list[str] = []
        if "wave" in self.parts:
            lines.extend(describe_wave(self.wave))
        if self.credentials is not None:
            where = self.workspace.describe() if self.workspace else "personal workspace"
            if not self.credentials.registries:
                lines.append(f"credentials: ready — the pipeline uses no ACR images ({where})")
            else:
                lines.append(f"credentials ({where}):")
                lines.extend(f"  {line}" for line in self.credentials.describe())
        return lines


@dataclass(frozen=True)
class FixResult:
    """What ``apply_fix`` changed."""

    wave_written: str = ""
    applied: ApplyResult = field(default_factory=ApplyResult)

    def to_dict(self) -> dict[str, Any]:
        return {
            "wave_written": self.wave_written or None,
            "created": [c.to_dict() for c in self.applied.created],
        }

    def describe(self) -> list[str]:
        lines = [f"wrote {self.wave_written}"] if self.wave_written else []
        for made in self.applied.created:
            ident = f" ({made.id})" if made.id else ""
            lines.append(f"{made.registry}: {made.kind.replace('_', ' ')} {made.name}{ident}")
        return lines or ["nothing changed"]


def plan_fix(
    spec: PipelineSpec,
    *,
    parts: Sequence[str] = PARTS,
    images: Callable[[PipelineSpec], Sequence[ImageUse]],
    arm: Callable[[], AzureRegistries],
    platform: Callable[[], PlatformClient],
    workspace: str | None,
    options: ProvisionOptions,
    progress: Progress | None = None,
) -> FixPlan:
    """Plan the asked ``parts`` (read-only). Clients are made only when a part needs them."""
    say = progress or (lambda _message: None)
    wave: WaveEdit | None = None
    if "wave" in parts:
        say("reading the pipeline's configuration …")
        wave = plan_wave(spec)
    if "credentials" not in parts:
        return FixPlan(tuple(parts), wave=wave)
    say("resolving the pipeline's images …")
    acr = [use for use in images(spec) if use.acr]
    if not acr:
        return FixPlan(tuple(parts), wave=wave, credentials=ProvisionPlan())
    client = platform()
    say("reading Seqera Platform workspaces and credentials …")
    chosen = resolve_target_workspace(client, workspace)
    say("reading Azure registries, tokens and scope maps …")
    plan = plan_provisioning(
        acr,
        arm=arm(),
        platform=client,
        options=ProvisionOptions(
            workspace_id=chosen.id,
            expiry=options.expiry,
            rotate=options.rotate,
            wildcards=options.wildcards,
            token_name=options.token_name,
        ),
    )
    return FixPlan(tuple(parts), wave, plan, chosen, len(acr))


def resolve_target_workspace(client: PlatformClient, reference: str | None) -> WorkspaceRef:
    """The workspace to create credentials in; refuse one where the user may not."""
    from preflight.seqera.roles import can_create_credentials
    from preflight.seqera.workspaces import resolve_workspace

    user = client.user_info()
    chosen = resolve_workspace(reference, user, client.workspaces(user.id))
    if not can_create_credentials(chosen.role):
        raise InputError(
            f"your role in {chosen.describe()} is {chosen.role!r}, which may not create "
            "credentials",
            remedy="ask a workspace owner or admin to run `preflight fix`, or name another "
            "workspace with -w",
        )
    return chosen


def apply_fix(
    plan: FixPlan,
    *,
    arm: Callable[[], AzureRegistries],
    platform: Callable[[], PlatformClient],
    progress: Progress | None = None,
) -> FixResult:
    """Apply ``plan``: the Wave edit first (local, cheap), then the credential steps."""
    say = progress or (lambda _message: None)
    written = ""
    if plan.wave_pending and plan.wave is not None:
        say(f"writing {plan.wave.shown} …")
        apply_wave(plan.wave)
        written = plan.wave.shown
    applied = ApplyResult()
    if plan.credentials is not None and not plan.credentials.empty:
        try:
            applied = apply_plan(plan.credentials, arm=arm(), platform=platform(), progress=say)
        except ApplyError as exc:
            if not written:
                raise
            # The same class: an interrupted apply stays an interrupt (exit 130).
            raise type(exc)(
                f"{exc.message}\n  kept: {written} now enables Wave", remedy=exc.remedy
            ) from None
    return FixResult(written, applied)


def _workspace_dict(workspace: WorkspaceRef | None) -> dict[str, Any] | None:
    if workspace is None:
        return None
    return {"id": workspace.id, "name": workspace.full_name, "role": workspace.role}


__all__ = ["PARTS", "FixPlan", "FixResult", "Readiness", "apply_fix", "plan_fix"]
