"""What a check is, what it is given, and the runner that never lets one check hide another.

A check is an object with a ``name`` and ``run(context) -> Iterable[Finding]``. The context is
shared by every check of one run: what the checks know (the resolved configuration, the images,
the Platform's credentials) is in :attr:`CheckContext.facts`, each fact typed and computed once;
clients come from :attr:`CheckContext.services`, built by the caller, so tests hand in clients
pointed at the sandbox instead of patching anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from preflight.checks.facts import RunFacts
from preflight.checks.services import Services
from preflight.errors import (
    EXIT_FAIL,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_PASS,
    EXIT_UNREACHABLE,
    PreflightError,
)
from preflight.model import Finding, Report, Status
from preflight.pipeline import PipelineSpec
from preflight.secret import Secret, redact_known
from preflight.settings import Settings

# The key of an error finding's details that holds the exit code its exception stood for.
ERROR_EXIT_CODE = "exit_code"
# The key of CheckOptions.registry_passwords for a password given without naming its registry.
ANY_REGISTRY = "*"


@dataclass(frozen=True)
class CheckOptions:
    """How far the checks go, beyond what the pipeline and settings say.

    ``registry_passwords`` maps a registry login server to the token password the user gave
    (``--password-stdin`` or an environment variable named by an option) or that ``fix`` just
    provisioned. ``offline`` skips every check that needs the network. ``trusted_realms`` are
    the token-service hosts the user trusts beyond the registry's own and the known pairs
    (``--trust-realm``); ``acr_only`` keeps the run to ACR images (``--acr-only``).
    """

    offline: bool = False
    registry_passwords: Mapping[str, Secret] = field(default_factory=dict)
    insecure_registries: frozenset[str] = frozenset()
    platform_launch: bool = False
    trusted_realms: frozenset[str] = frozenset()
    acr_only: bool = False
    # A Seqera Platform launch read from Platform: its compute environment's name.
    platform_compute_env: str | None = None

    def password_for(self, registry: str) -> Secret | None:
        """The password for ``registry``; one given for ``*`` serves every registry."""
        return self.registry_passwords.get(registry) or self.registry_passwords.get(ANY_REGISTRY)


@dataclass
class CheckContext:
    """Shared by every check of one run: its inputs, its clients and what it has found out."""

    spec: PipelineSpec
    settings: Settings
    services: Services = field(default_factory=Services)
    options: CheckOptions = field(default_factory=CheckOptions)
    facts: RunFacts = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.facts = RunFacts(self.spec, self.settings, self.options, self.services)


class Progress(Protocol):
    """Told when each check starts and ends (a display on stderr, or nothing)."""

    def start(self, label: str) -> None: ...

    def done(self, label: str, status: Status) -> None: ...


class Check(Protocol):
    """One area of checks."""

    name: str

    def run(self, context: CheckContext) -> Iterable[Finding]:
        """Findings about this area; raising means "could not check" and becomes an error."""


def run_checks(
    checks: Iterable[Check], context: CheckContext, progress: Progress | None = None
) -> Report:
    """Run every check in order; a check that raises becomes one ``error`` finding.

    A fact that failed raises the same exception object to every check that reads it: it is
    reported as an error once, by the first of them; the others say they could not check
    because of it (a ``skip``), so one unreadable file is one error, where it is.
    """
    findings: list[Finding] = []
    reported: dict[int, str] = {}
    for check in checks:
        if progress is not None:
            progress.start(check.name)
        found: list[Finding] = []
        try:
            found.extend(check.run(context))
        except Exception as exc:  # noqa: BLE001 - one check's failure must not hide the others
            first = reported.get(id(exc))
            if first is not None:
                found.append(_blocked_finding(check.name, exc, first))
            else:
                reported[id(exc)] = check.name
                found.append(_error_finding(check.name, exc))
        findings.extend(found)
        if progress is not None:
            worst = max((f.status for f in found), key=_SEVERITY.index, default=Status.PASS)
            progress.done(check.name, worst)
    images, unresolved = context.facts.known_images()
    return Report(
        findings=tuple(findings),
        images=images,
        unresolved=unresolved,
        pipeline=str(context.spec.root),
        source=context.spec.source,
    )


_SEVERITY = list(Status)


def _error_finding(name: str, exc: Exception) -> Finding:
    # Every Secret registers its value when made (tokens, given and generated passwords), so
    # text from code we do not own is redacted of all of them, not only of this run's options.
    if isinstance(exc, PreflightError):
        message, remedy, where = exc.message, exc.remedy, exc.where
    else:
        message = f"{type(exc).__name__}: {exc}"
        remedy = "this is a bug in preflight; please report it with --debug output"
        where = ""
    return Finding(
        check=name,
        status=Status.ERROR,
        subject=where or name,
        message=f"could not check: {redact_known(message)}",
        remedy=redact_known(remedy),
        # The exit code the error would have had on its own: unusable input stays exit 2 and a
        # bug stays exit 3 even when the runner turned them into findings.
        details={ERROR_EXIT_CODE: exc.exit_code if isinstance(exc, PreflightError) else 3},
    )


def _blocked_finding(name: str, exc: Exception, first: str) -> Finding:
    where = exc.where if isinstance(exc, PreflightError) else ""
    return Finding(
        check=name,
        status=Status.SKIP,
        subject=where or name,
        message=f"not checked: its input could not be read (see the {first} check's error)",
    )


def gate_exit_code(report: Report) -> int:
    """The run's exit code: 2 if some input was unusable, 3 if a check hit a bug, 1 if the gate
    says no, 4 if the only thing wrong is a service that could not be reached, else 0."""
    codes = {f.details.get(ERROR_EXIT_CODE) for f in report.findings if f.status is Status.ERROR}
    if EXIT_INPUT in codes:
        return EXIT_INPUT
    if EXIT_INTERNAL in codes:
        return EXIT_INTERNAL
    unreachable = [
        f
        for f in report.findings
        if f.status is Status.ERROR and f.details.get(ERROR_EXIT_CODE) == EXIT_UNREACHABLE
    ]
    # A definite "no" stands whatever an unreachable service would have said.
    if unreachable and not any(f.status.blocks for f in report.findings if f not in unreachable):
        return EXIT_UNREACHABLE
    return EXIT_PASS if report.passed else EXIT_FAIL
