"""The ``token`` check: the health of the ACR token behind each registry's Seqera credential.

Platform never hands back a stored password, so without one the pull itself cannot be proven;
what can be checked, with the operator's Azure identity through Resource Manager, is everything
around it: the token named by the credential's user name exists and is enabled, it has a
password that has not expired (a warning when one expires soon), no password was generated
after the credential was last saved (regenerating replaces the value, so the credential would
hold a dead one), and its scope map grants ``content/read`` on every repository the run pulls.

Results are also published (``facts.token_health``) so that the pull check can say *which* of "wrong
password, disabled token, expired password" it was when ACR only answers "unauthorized".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from preflight.azure import actions
from preflight.azure.models import TokenInfo
from preflight.checks.base import CheckContext
from preflight.errors import AzureError, InputError, PreflightError
from preflight.model import Finding, ImageUse, Status

if TYPE_CHECKING:
    from preflight.azure.arm import ArmGateway
    from preflight.azure.models import RegistryInfo
    from preflight.seqera.matching import CredentialMatch

NAME = "token"
EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class TokenHealth:
    """What Azure says about one registry's token, for other checks to explain failures with."""

    registry: str
    token: str
    exists: bool
    enabled: bool = False
    live_passwords: int = 0
    expired_passwords: int = 0
    newer_than_credential: tuple[str, ...] = ()
    missing_repositories: tuple[str, ...] = ()

    def likely_cause(self) -> str:
        """The most likely reason the token service refuses this token, or ``""``."""
        if not self.exists:
            return f"ACR token '{self.token}' does not exist"
        if not self.enabled:
            return f"ACR token '{self.token}' is disabled"
        if self.live_passwords == 0 and self.expired_passwords:
            return f"every password of ACR token '{self.token}' has expired"
        if self.live_passwords == 0:
            return f"ACR token '{self.token}' has no password"
        if self.newer_than_credential:
            return (
                f"{', '.join(self.newer_than_credential)} was generated after the Seqera "
                "credential was last saved, so the credential likely holds an old password"
            )
        return ""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def parse_time(text: str | None) -> datetime | None:
    """An ISO-8601 time as the Platform writes it (``Z`` suffix allowed); ``None`` if unusable."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def repositories_by_registry(uses: Iterable[ImageUse]) -> dict[str, tuple[str, ...]]:
    """``{registry: repositories}`` in first-use order."""
    grouped: dict[str, dict[str, None]] = {}
    for use in uses:
        grouped.setdefault(use.registry, {})[use.repository] = None
    return {registry: tuple(repos) for registry, repos in grouped.items()}


class TokenHealthCheck:
    """Whether each registry's ACR token can serve the run, as far as Azure can tell."""

    name = NAME

    def __init__(
        self,
        *,
        expiry_warning_days: int = EXPIRY_WARNING_DAYS,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._warn_within = timedelta(days=expiry_warning_days)
        self._now = now

    def run(self, context: CheckContext) -> Iterable[Finding]:
        if context.options.offline:
            return [
                _finding(
                    Status.SKIP,
                    "token",
                    "skipped: offline",
                    remedy="run without --offline to check it against the services",
                )
            ]
        needed = repositories_by_registry(context.facts.acr_uses())
        if not needed:
            return [_finding(Status.SKIP, "token", "the run pulls no ACR image")]
        try:
            matches: Mapping[str, CredentialMatch] = context.facts.matches.get()
        except PreflightError:
            return [
                _finding(
                    Status.SKIP,
                    "token",
                    "no Seqera credential could be read, so there "
                    "is no token to check (see the credentials check)",
                )
            ]
        tokens = {
            r: m.credential
            for r, m in matches.items()
            if m.credential is not None and m.credential.user_name
        }
        findings: list[Finding] = [
            _finding(
                Status.SKIP,
                registry,
                "no Seqera credential matches this registry, so "
                "there is no token to check (see the credentials check)",
            )
            for registry in needed
            if registry not in tokens
        ]
        if not tokens:
            return findings
        try:
            arm: ArmGateway = context.services.arm
        except InputError as exc:
            return [
                *findings,
                _finding(
                    Status.SKIP,
                    "token",
                    f"token health not checked: {exc.message}",
                    remedy=exc.remedy
                    or "sign in to Azure to check the tokens behind the credentials",
                ),
            ]
        health: dict[str, TokenHealth] = {}
        for registry, credential in tokens.items():
            name = credential.user_name or ""
            subject = f"{registry} token {name}"
            try:
                info = arm.find_registry(registry)
                token = arm.get_token(info, name)
                found, verdict = self._judge(
                    arm,
                    info,
                    token,
                    registry,
                    name,
                    needed.get(registry, ()),
                    parse_time(credential.last_updated),
                    subject,
                )
            except AzureError as exc:
                findings.append(
                    _finding(
                        Status.ERROR, subject, f"could not check: {exc.message}", remedy=exc.remedy
                    )
                )
                continue
            health[registry] = verdict
            findings.extend(found)
        context.facts.token_health.update(health)
        return findings

    def _judge(
        self,
        arm: ArmGateway,
        info: RegistryInfo,
        token: TokenInfo | None,
        registry: str,
        name: str,
        repositories: Sequence[str],
        last_saved: datetime | None,
        subject: str,
    ) -> tuple[list[Finding], TokenHealth]:
        if token is None:
            return [
                _finding(
                    Status.FAIL,
                    subject,
                    f"ACR token '{name}' (the credential's user name) does not exist on {registry}",
                    remedy="set the Seqera credential's user name to an existing ACR token's name, "
                    "or create the token and credential with 'preflight fix'",
                )
            ], TokenHealth(registry, name, exists=False)
        now = self._now()
        live = token.live_passwords(now)
        expired = tuple(p for p in token.passwords if p.expired(now))
        newer = tuple(p.name for p in live if last_saved and p.created and p.created > last_saved)
        missing: tuple[str, ...] = ()
        scope_map = arm.get_scope_map(info, token.scope_map_name) if token.scope_map_name else None
        if scope_map is not None:
            missing = tuple(r for r in repositories if not actions.grants(scope_map.actions, r))
        else:
            missing = tuple(repositories)
        verdict = TokenHealth(
            registry,
            name,
            exists=True,
            enabled=token.enabled,
            live_passwords=len(live),
            expired_passwords=len(expired),
            newer_than_credential=newer,
            missing_repositories=missing,
        )
        findings: list[Finding] = []
        registry_name = info.name
        if not token.enabled:
            findings.append(
                _finding(
                    Status.FAIL,
                    subject,
                    f"ACR token '{name}' is disabled, so its passwords are refused",
                    remedy=f"az acr token update -r {registry_name} -n {name} --status enabled",
                )
            )
        if not live:
            what = "every password has expired" if expired else "it has no password"
            findings.append(
                _finding(
                    Status.FAIL,
                    subject,
                    f"ACR token '{name}': {what}",
                    remedy=f"generate one without expiry (az acr token credential generate -r "
                    f"{registry_name} -n {name} --password1) and store it in the Seqera "
                    "credential, or run 'preflight fix'",
                )
            )
        for password in live:
            if password.expiry is not None and password.expiry - now <= self._warn_within:
                days = max(0, (password.expiry - now).days)
                findings.append(
                    _finding(
                        Status.WARN,
                        subject,
                        f"{password.name} of ACR token '{name}' expires in "
                        f"{days} day(s) ({password.expiry:%Y-%m-%d})",
                        remedy="generate a password without expiry and update the Seqera "
                        "credential before then",
                    )
                )
        if newer and live:
            status = Status.FAIL if len(newer) == len(live) else Status.WARN
            findings.append(
                _finding(
                    status,
                    subject,
                    f"{verdict.likely_cause()}",
                    remedy="paste the current password into the Seqera credential (or run "
                    "'preflight fix'); Platform cannot show which one it holds",
                )
            )
        if scope_map is None:
            findings.append(
                _finding(
                    Status.FAIL,
                    subject,
                    f"the scope map '{token.scope_map_name}' of ACR token '{name}' cannot be found",
                    remedy="attach a scope map with content/read on the "
                    "run's repositories (preflight fix)",
                )
            )
        elif missing:
            findings.append(
                _finding(
                    Status.FAIL,
                    subject,
                    f"scope map '{scope_map.name}' does not grant content/read "
                    f"on {', '.join(missing)}",
                    remedy=f"az acr scope-map update -r {registry_name} -n {scope_map.name} "
                    + " ".join(f"--add-repository {r} content/read" for r in missing)
                    + " (or run 'preflight fix')",
                    details={
                        "missing": list(missing),
                        "actions_needed": [actions.read_action(r) for r in missing],
                    },
                )
            )
        if not findings:
            scope_map_name = scope_map.name if scope_map else ""
            findings.append(
                _finding(
                    Status.PASS,
                    subject,
                    f"ACR token '{name}' is enabled, has {len(live)} live password(s), and its "
                    f"scope map '{scope_map_name}' grants content/read on all "
                    f"{len(repositories)} repositories the run pulls",
                )
            )
        return findings, verdict


def _finding(
    status: Status,
    subject: str,
    message: str,
    *,
    remedy: str = "",
    details: Mapping[str, object] | None = None,
) -> Finding:
    return Finding(
        check=NAME,
        status=status,
        subject=subject,
        message=message,
        remedy=remedy,
        details=dict(details or {}),
    )
