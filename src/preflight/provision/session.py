"""One ``fix`` from start to end: plan, confirm, apply, prove — for every caller alike.

The verbs (``fix``, ``run --fix``) only render: they hand in how to show the plan, how to ask,
and where progress goes, and get a :class:`FixOutcome` back. Each stage's result is kept on the
:class:`FixSession` as it is reached, so a caller whose run was stopped by an error or Ctrl-C
can still say how far it got (the JSON failure document does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from preflight.errors import EXIT_FAIL, EXIT_PASS
from preflight.model import ImageUse, Report
from preflight.pipeline import PipelineSpec
from preflight.provision.fix import PARTS, FixPlan, FixResult, apply_fix, plan_fix
from preflight.provision.planner import ProvisionOptions
from preflight.provision.verify import verify_pull
from preflight.settings import Settings


@dataclass(frozen=True)
class FixOutcome:
    """How a fix ended: the plan, whether it was applied, what it made, and the proof."""

    plan: FixPlan
    applied: bool = False
    declined: bool = False
    result: FixResult | None = None
    verification: Report | None = None

    @property
    def exit_code(self) -> int:
        """0 when done (or nothing to do); 1 when blocked, declined, or the pull not proven."""
        proven = self.verification is None or self.verification.passed
        if self.plan.blocked or self.declined or not proven:
            return EXIT_FAIL
        return EXIT_PASS


def discover_images(spec: PipelineSpec, settings: Settings) -> Sequence[ImageUse]:
    """Every image the pipeline's processes use, read as the checks read it (the settings'
    config syntax included)."""
    from preflight.checks.base import CheckOptions
    from preflight.checks.facts import RunFacts
    from preflight.checks.services import Services

    return RunFacts(spec, settings, CheckOptions(), Services()).image_uses.get()


class FixSession:
    """The stages of one fix, and what each produced so far."""

    def __init__(
        self,
        spec: PipelineSpec,
        settings: Settings,
        options: ProvisionOptions,
        *,
        environ: Mapping[str, str],
        parts: Sequence[str] = PARTS,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.spec = spec
        self.settings = settings
        self.options = options
        self.parts = tuple(parts)
        self._environ = environ
        self._progress = progress
        self.plan: FixPlan | None = None
        self.applying = False
        self.result: FixResult | None = None

    def run(
        self,
        *,
        dry_run: bool = False,
        show_plan: Callable[[FixPlan], None] = lambda _plan: None,
        confirm: Callable[[FixPlan], bool] = lambda _plan: True,
        verify: bool = True,
    ) -> FixOutcome:
        """Plan and show; stop there for a dry run or an empty plan; else ask, apply, and
        (``verify``) prove the pull with each new password while it exists."""
        from preflight.wiring import build_services

        services = build_services(self.settings, self._environ)
        try:
            self.plan = plan = plan_fix(
                self.spec,
                parts=self.parts,
                images=lambda pipeline: discover_images(pipeline, self.settings),
                arm=lambda: services.arm,
                platform=lambda: services.platform,
                workspace=self.settings.workspace,
                options=self.options,
                progress=self._progress,
            )
            show_plan(plan)
            if dry_run or plan.empty:
                return FixOutcome(plan)
            if not confirm(plan):
                return FixOutcome(plan, declined=True)
            self.applying = True
            self.result = result = apply_fix(
                plan,
                arm=lambda: services.arm,
                platform=lambda: services.platform,
                progress=self._progress,
            )
        finally:
            services.close()
        verification = (
            verify_pull(self.spec, self.settings, result.applied.passwords, self._environ)
            if verify
            else None
        )
        return FixOutcome(plan, applied=True, result=result, verification=verification)
