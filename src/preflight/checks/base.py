"""What a check is, what it is given, and the runner that never lets one check hide another.

A check is an object with a ``name`` and ``run(context) -> Iterable[Finding]``. The context is
shared by every check of one run: expensive results (the resolved configuration, the images,
the Platform's credentials) are computed once, on first use, through :meth:`CheckContext.shared`.
Clients come from :class:`Services`, built by the caller, so tests hand in clients pointed at the
sandbox instead of patching anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from preflight.errors import EXIT_FAIL, EXIT_INPUT, EXIT_INTERNAL, EXIT_PASS, PreflightError
from preflight.model import Finding, ImageUse, Report, Status, Unresolved
from preflight.pipeline import PipelineSpec
from preflight.secret import Secret, redact_known
from preflight.settings import Settings

T = TypeVar("T")

# Keys of CheckContext.shared that the runner reads back into the report.
IMAGES_KEY = "images.uses"
UNRESOLVED_KEY = "images.unresolved"
# The key of an error finding's details that holds the exit code its exception stood for.
ERROR_EXIT_CODE = "exit_code"
# The key of CheckOptions.registry_passwords for a password given without naming its registry.
ANY_REGISTRY = "*"


@dataclass(frozen=True)
class CheckOptions:
    """How far the checks go, beyond what the pipeline and settings say.

    ``registry_passwords`` maps a registry login server to the token password the user gave
    (``--password-stdin`` or an environment variable named by an option) or that ``fix`` just
    provisioned. ``offline`` skips every check that needs the network.
    """

    offline: bool = False
    registry_passwords: Mapping[str, Secret] = field(default_factory=dict)
    insecure_registries: frozenset[str] = frozenset()
    platform_launch: bool = False

    def password_for(self, registry: str) -> Secret | None:
        """The password for ``registry``; one given for ``*`` serves every registry."""
        return self.registry_passwords.get(registry) or self.registry_passwords.get(ANY_REGISTRY)


class Services(Protocol):
    """The clients checks may use; each is created on first use by whoever builds the context."""

    def get(self, name: str) -> Any:
        """The client registered under ``name`` (``http``, ``platform``, ``arm``, ``dataplane``)."""


class ServiceRegistry:
    """A :class:`Services` built from factories; each client is made once, on first use."""

    def __init__(self, factories: Mapping[str, Callable[[], Any]]) -> None:
        self._factories = dict(factories)
        self._made: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name not in self._made:
            if name not in self._factories:
                raise PreflightError(f"no service named {name!r} was configured")
            self._made[name] = self._factories[name]()
        return self._made[name]

    def close(self) -> None:
        """Close every client that was made and has a ``close``."""
        for client in self._made.values():
            close = getattr(client, "close", None)
            if callable(close):
                close()
        self._made.clear()


@dataclass
class CheckContext:
    """Shared by every check of one run."""

    spec: PipelineSpec
    settings: Settings
    services: Services
    options: CheckOptions = field(default_factory=CheckOptions)
    _shared: dict[str, Any] = field(default_factory=dict, repr=False)

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """The value under ``key``, computed by ``factory`` the first time it is asked for.

        A factory that raises is not cached as a value: the exception is stored and raised again
        for every later caller, so a failed step is reported once per dependent check and never
        recomputed.
        """
        if key not in self._shared:
            try:
                self._shared[key] = ("ok", factory())
            except Exception as exc:  # noqa: BLE001 - re-raised to every caller below
                self._shared[key] = ("error", exc)
        kind, value = self._shared[key]
        if kind == "error":
            raise value
        result: T = value
        return result

    def peek(self, key: str) -> Any | None:
        """The value under ``key`` if it was computed successfully, else ``None``."""
        kind, value = self._shared.get(key, ("missing", None))
        return value if kind == "ok" else None


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
    """Run every check in order; a check that raises becomes one ``error`` finding."""
    findings: list[Finding] = []
    for check in checks:
        if progress is not None:
            progress.start(check.name)
        found: list[Finding] = []
        try:
            found.extend(check.run(context))
        except PreflightError as exc:
            found.append(_error_finding(check.name, exc, remedy=exc.remedy))
        except Exception as exc:  # noqa: BLE001 - one check's bug must not hide the others
            found.append(
                _error_finding(
                    check.name,
                    exc,
                    remedy="this is a bug in preflight; please report it with --debug output",
                )
            )
        findings.extend(found)
        if progress is not None:
            worst = max((f.status for f in found), key=_SEVERITY.index, default=Status.PASS)
            progress.done(check.name, worst)
    images: tuple[ImageUse, ...] = tuple(context.peek(IMAGES_KEY) or ())
    unresolved: tuple[Unresolved, ...] = tuple(context.peek(UNRESOLVED_KEY) or ())
    return Report(
        findings=tuple(findings),
        images=images,
        unresolved=unresolved,
        pipeline=str(context.spec.root),
    )


_SEVERITY = list(Status)


def _error_finding(name: str, exc: Exception, *, remedy: str) -> Finding:
    # Every Secret registers its value when made (tokens, given and generated passwords), so
    # text from code we do not own is redacted of all of them, not only of this run's options.
    message = redact_known(
        exc.message if isinstance(exc, PreflightError) else f"{type(exc).__name__}: {exc}"
    )
    where = exc.where if isinstance(exc, PreflightError) else ""
    return Finding(
        check=name,
        status=Status.ERROR,
        subject=where or name,
        message=f"could not check: {message}",
        remedy=redact_known(remedy),
        # The exit code the error would have had on its own: unusable input stays exit 2 and a
        # bug stays exit 3 even when the runner turned them into findings.
        details={ERROR_EXIT_CODE: exc.exit_code if isinstance(exc, PreflightError) else 3},
    )


def gate_exit_code(report: Report) -> int:
    """The run's exit code: 2 if some input was unusable, 3 if a check hit a bug, 1 if the gate
    says no, else 0."""
    codes = {f.details.get(ERROR_EXIT_CODE) for f in report.findings if f.status is Status.ERROR}
    if EXIT_INPUT in codes:
        return EXIT_INPUT
    if EXIT_INTERNAL in codes:
        return EXIT_INTERNAL
    return EXIT_PASS if report.passed else EXIT_FAIL
