"""The provisioning plan: what ``fix`` will create or change, per registry, before it does it.

Every step is a frozen dataclass that can describe itself in a sentence and as JSON; none holds
a secret (a password exists only while the plan is applied). A registry's plan is ``ready``
(nothing to do), ``planned`` (steps to apply), ``blocked`` (preflight will not act without the
user: the reason says what to do) or ``unmanaged`` (the credential is not a repository-scoped
token, so there is nothing preflight may change).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from preflight.azure.models import RegistryInfo

SCHEMA_VERSION = 1


class Readiness(str, enum.Enum):
    """How far one registry is from letting Wave pull: ready, fixable by the plan, or not."""

    READY = "ready"
    PLANNED = "planned"
    BLOCKED = "blocked"
    UNMANAGED = "unmanaged"


@dataclass(frozen=True)
class CreateScopeMap:
    """A new scope map granting exactly ``actions``."""

    name: str
    actions: tuple[str, ...]

    def describe(self) -> str:
        return f"create scope map {self.name} with {_count(self.actions, 'action')}"


@dataclass(frozen=True)
class ExtendScopeMap:
    """Add ``added`` to an existing scope map (``previous`` is restored on rollback)."""

    name: str
    previous: tuple[str, ...]
    added: tuple[str, ...]

    @property
    def actions(self) -> tuple[str, ...]:
        return (*self.previous, *self.added)

    def describe(self) -> str:
        return f"extend scope map {self.name} with {_count(self.added, 'action')}"


@dataclass(frozen=True)
class CreateToken:
    """A new, enabled token bound to ``scope_map``."""

    name: str
    scope_map: str

    def describe(self) -> str:
        return f"create token {self.name} (scope map {self.scope_map})"


@dataclass(frozen=True)
class GeneratePassword:
    """Generate ``slot`` for ``token``; ``replaces`` when the slot already held a password."""

    token: str
    slot: str = "password1"
    expiry: datetime | None = None
    replaces: bool = False

    def describe(self) -> str:
        verb = "regenerate" if self.replaces else "generate"
        until = f"expiring {self.expiry.date().isoformat()}" if self.expiry else "without expiry"
        return f"{verb} {self.slot} of token {self.token} ({until})"


@dataclass(frozen=True)
class CreateCredential:
    """A Seqera ``container-reg`` credential; ``replaces`` names one deleted first (rotation)."""

    name: str
    registry: str
    user_name: str
    workspace_id: int | None
    replaces: str | None = None

    def describe(self) -> str:
        where = f"workspace {self.workspace_id}" if self.workspace_id else "personal workspace"
        verb = (
            f"replace credential {self.name} (id {self.replaces})"
            if self.replaces
            else (f"create credential {self.name}")
        )
        return f"{verb} in {where}: registry {self.registry}, user {self.user_name}"


PlanStep = CreateScopeMap | ExtendScopeMap | CreateToken | GeneratePassword | CreateCredential


@dataclass(frozen=True)
class RegistryPlan:
    """What ``fix`` will do for one registry, and why."""

    login_server: str
    repositories: tuple[str, ...]
    outcome: Readiness
    reason: str
    registry: RegistryInfo | None = None
    steps: tuple[PlanStep, ...] = ()
    remedy: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "registry": self.login_server,
            "resource_group": self.registry.resource_group if self.registry else None,
            "repositories": list(self.repositories),
            "outcome": self.outcome.value,
            "reason": self.reason,
            "remedy": self.remedy,
            "steps": [_step_dict(s) for s in self.steps],
        }


@dataclass(frozen=True)
class ProvisionPlan:
    """The plan for every ACR registry the pipeline uses."""

    registries: tuple[RegistryPlan, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        """True when applying the plan would change nothing."""
        return not any(r.steps for r in self.registries)

    @property
    def blocked(self) -> tuple[RegistryPlan, ...]:
        return tuple(r for r in self.registries if r.outcome is Readiness.BLOCKED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "registries": [r.to_dict() for r in self.registries],
        }

    def describe(self) -> list[str]:
        """One line per registry and one per step, for people."""
        lines: list[str] = []
        for plan in self.registries:
            lines.append(f"{plan.login_server}: {plan.outcome.value} — {plan.reason}")
            lines.extend(f"  • {step.describe()}" for step in plan.steps)
            if plan.remedy:
                lines.append(f"  → {plan.remedy}")
        return lines


def _step_dict(step: PlanStep) -> dict[str, Any]:
    kinds: dict[type[Any], str] = {
        CreateScopeMap: "create_scope_map",
        ExtendScopeMap: "extend_scope_map",
        CreateToken: "create_token",
        GeneratePassword: "generate_password",
        CreateCredential: "create_credential",
    }
    data: dict[str, Any] = {"action": kinds[type(step)], "description": step.describe()}
    for key, value in vars(step).items():
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        data[key] = value
    return data


def _count(items: tuple[str, ...], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
