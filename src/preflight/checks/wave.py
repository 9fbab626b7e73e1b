"""The ``wave`` check: will this run have Wave enabled, with what Wave needs from the Platform?

Facts it applies (Nextflow's own rules): Wave is on when ``wave.enabled`` is true by Groovy
truth (nf-wave reads ``opts.enabled as boolean``: ``'true'``, ``'false'`` and ``1`` all turn it
on); ``NXF_DISABLE_WAVE_SERVICE`` turns it off whatever the files say; ``fusion.enabled``
stops the run without Wave; Wave reads registry credentials from Seqera Platform with
``tower.accessToken`` — a config key, even an empty one, beats ``TOWER_ACCESS_TOKEN`` — in
``tower.workspaceId`` (numeric), else ``TOWER_WORKSPACE_ID``.

The environment is handed in by whoever builds the check (the CLI), never read here. Whether
``tower.workspaceId`` names the workspace preflight checks is the credentials check's finding.
A non-numeric workspace id — in the configuration or in ``TOWER_WORKSPACE_ID`` — is this
check's ``fail`` with the place (Nextflow starts, Wave then fails): one rule, exit 1, for both.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

from preflight.checks.base import CheckContext
from preflight.model import Finding, Location, Status
from preflight.nextflow.config.resolved import ResolvedConfig
from preflight.nextflow.groovy.expressions import truthy
from preflight.nextflow.groovy.runtime import is_enabled
from preflight.nextflow.groovy.values import Dynamic
from preflight.secret import Secret

NAME = "wave"
_FIX = "run `preflight fix --only wave`, or launch with `nextflow run … -with-wave`"


def _platform_fix(compute_env: str) -> str:
    """The fix in Platform's terms: the compute environment's switch, or the launch's config."""
    return (
        f'turn on "Wave containers" in compute environment {compute_env}, or add '
        "wave.enabled = true to the launch's Nextflow config (tw launch --config FILE)"
    )


class WaveCheck:
    """Findings about ``wave.enabled`` and the Platform settings Wave needs."""

    name = NAME

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = dict(environ) if environ is not None else None

    def run(self, context: CheckContext) -> Iterator[Finding]:
        config = context.facts.config.get()
        yield from self._unread(config)
        yield from self._syntax(config, context)
        compute_env = context.options.platform_compute_env
        enabled = yield from self._enabled(config, context.spec.root, compute_env)
        yield from self._fusion(config, enabled, compute_env)
        yield from self._token(config, context)
        yield from self._workspace(config, context)

    @staticmethod
    def _unread(config: ResolvedConfig) -> Iterator[Finding]:
        """Includes not followed (remote, dynamic): whatever they set is not seen here."""
        if not config.unread:
            return
        listing = "; ".join(f"{u.target} at {u.location} ({u.reason})" for u in config.unread)
        count = len(config.unread)
        yield _finding(
            Status.WARN,
            "includeConfig",
            f"{count} included configuration file{'s' if count > 1 else ''} not read, "
            f"so no setting there is seen: {listing}",
            "if one of them may set wave or tower settings, save it locally and pass it with -c",
            location=config.unread[0].location,
        )

    @staticmethod
    def _syntax(config: ResolvedConfig, context: CheckContext) -> Iterator[Finding]:
        """Legacy-only config stops Nextflow 26.04+ unless the legacy parser is asked for."""
        if not config.legacy or context.settings.syntax == "v1":
            return
        location, reason = config.legacy[0]
        yield _finding(
            Status.WARN,
            "NXF_SYNTAX_PARSER",
            f"the configuration needs Nextflow's legacy parser ({location}: {reason}); "
            "Nextflow 26.04 and later stop on it by default",
            "launch with NXF_SYNTAX_PARSER=v1, or move the code out of the config",
            location=location,
        )

    # -- wave.enabled
    def _enabled(
        self, config: ResolvedConfig, root: Path, compute_env: str | None = None
    ) -> Generator[Finding, None, bool]:
        """``compute_env``: a Seqera Platform launch's compute environment (fixes are said in
        Platform's terms; Wave off there is why no layer turned it on)."""
        key = "wave.enabled"
        fix = _FIX if compute_env is None else _platform_fix(compute_env)
        value = config.get(key)
        where = config.origin(key)
        disabled_by_env = (self.environ or {}).get("NXF_DISABLE_WAVE_SERVICE", "")
        if disabled_by_env:
            yield _finding(
                Status.FAIL,
                "NXF_DISABLE_WAVE_SERVICE",
                "NXF_DISABLE_WAVE_SERVICE is set, so Nextflow turns Wave off whatever "
                "the configuration says",
                "unset NXF_DISABLE_WAVE_SERVICE in the launch environment",
            )
        if is_enabled(value):
            if not disabled_by_env:
                yield self._on(key, value, where)
            return not disabled_by_env
        if isinstance(value, Dynamic):
            yield _finding(
                Status.WARN,
                key,
                f"wave.enabled is only known at run time: {value.reason}",
                "set wave.enabled = true literally, or launch with -with-wave",
                location=value.location,
            )
            return False
        if not config.has(key):
            message = "Wave is not enabled: no configuration file sets wave.enabled"
            if compute_env is not None:
                message = (
                    f"Wave is not enabled: compute environment {compute_env}: Wave containers "
                    "is off, and no configuration layer of the launch sets wave.enabled"
                )
            yield _finding(
                Status.FAIL,
                key,
                message,
                fix,
                # The file that would hold it (where `fix` writes it): line 1 when it exists,
                # the file alone when `fix` would create it; a Platform launch has no such file.
                location=None
                if compute_env is not None
                else Location("nextflow.config", 1 if (root / "nextflow.config").is_file() else 0),
            )
            return False
        yield _finding(Status.FAIL, key, self._why_off(config, value), fix, location=where)
        return False

    @staticmethod
    def _on(key: str, value: Any, where: Location | None) -> Finding:
        """Wave is on; a value other than ``true`` is on only by Groovy truth: say so."""
        # A place that is no line of a file (-with-wave) is said, not annotated.
        in_file = where if where is not None and where.line else None
        if value is True:
            return _finding(Status.PASS, key, f"Wave is enabled ({where})", location=in_file)
        return _finding(
            Status.PASS if value == "true" else Status.WARN,
            key,
            f"Wave is enabled ({where}): wave.enabled = {value!r} is true by Groovy truth, "
            "as Nextflow reads it",
            "write wave.enabled = true (or false), without quotes, so it reads as meant",
            location=in_file,
        )

    @staticmethod
    def _why_off(config: ResolvedConfig, value: Any) -> str:
        history = config.assignments("wave.enabled")
        last = history[-1]
        shown = (
            "null"
            if value is None
            else str(value).lower()
            if isinstance(value, bool)
            else repr(value)
        )
        if last.profile is not None:
            return (
                f"profile '{last.profile}' turns Wave off (wave.enabled = {shown} at "
                f"{last.location})"
            )
        earlier_on = [a for a in history[:-1] if is_enabled(a.value)]
        if earlier_on and earlier_on[-1].location.file != last.location.file:
            return (
                f"{earlier_on[-1].location} enables Wave, but {last.location}, read later, "
                f"sets wave.enabled = {shown}"
            )
        return f"Wave is off: wave.enabled = {shown} at {last.location}"

    # -- fusion
    def _fusion(
        self, config: ResolvedConfig, wave_on: bool, compute_env: str | None = None
    ) -> Iterator[Finding]:
        value = config.get("fusion.enabled")
        if not is_enabled(value) or wave_on:
            return
        where = config.origin("fusion.enabled")
        yield _finding(
            Status.FAIL,
            "fusion.enabled",
            f"Fusion is enabled ({where}) but Wave is not: Nextflow stops with "
            "'Fusion feature requires enabling Wave service'",
            _FIX if compute_env is None else _platform_fix(compute_env),
            location=where,
        )

    # -- the Platform token Wave sends
    def _token(self, config: ResolvedConfig, context: CheckContext) -> Iterator[Finding]:
        key = "tower.accessToken"
        environ = self.environ
        platform_launch = context.options.platform_launch or bool(
            (environ or {}).get("TOWER_WORKFLOW_ID")
        )
        env_token = (
            bool(environ.get("TOWER_ACCESS_TOKEN"))
            if environ is not None
            else context.settings.platform_token is not None
        )
        if platform_launch:
            status = Status.PASS if env_token or environ is None else Status.FAIL
            yield _finding(
                status,
                key,
                "a Platform-launched run: only the launch's TOWER_ACCESS_TOKEN counts"
                + ("" if status is Status.PASS else ", and it is not set"),
                "" if status is Status.PASS else "launch the run from Seqera Platform",
            )
            return
        if config.has(key):
            value = config.get(key)
            where = config.origin(key)
            if isinstance(value, Dynamic):
                yield _finding(
                    Status.WARN,
                    key,
                    f"tower.accessToken is only known at run time: {value.reason}",
                    "make sure it holds a Platform access token when the run starts",
                    location=value.location,
                )
            elif isinstance(value, Secret) and value:
                yield _finding(
                    Status.PASS, key, f"Wave gets the token set at {where}", location=where
                )
            else:
                yield _finding(
                    Status.FAIL,
                    key,
                    f"tower.accessToken is set but empty at {where}; a config key, "
                    "even empty, beats TOWER_ACCESS_TOKEN, so Wave gets no token",
                    "remove the empty tower.accessToken line, or give it a token",
                    location=where,
                )
            return
        if env_token:
            yield _finding(Status.PASS, key, "Wave gets the token from TOWER_ACCESS_TOKEN")
        else:
            yield _finding(
                Status.FAIL,
                key,
                "no Platform access token: Wave cannot use the registry credentials "
                "stored in Seqera Platform",
                "export TOWER_ACCESS_TOKEN, or set tower.accessToken in the config",
            )

    # -- the workspace Wave looks in
    def _workspace(self, config: ResolvedConfig, context: CheckContext) -> Iterator[Finding]:
        key = "tower.workspaceId"
        value = config.get(key)
        where = config.origin(key)
        source = f"tower.workspaceId at {where}"
        if isinstance(value, Dynamic):
            yield _finding(
                Status.WARN,
                key,
                f"tower.workspaceId is only known at run time: {value.reason}",
                "make sure it names the workspace that holds the registry credential",
                location=value.location,
            )
            return
        if not truthy(value):
            value = (
                (self.environ or {}).get("TOWER_WORKSPACE_ID")
                if self.environ is not None
                else context.settings.workspace
            )
            source, where = "TOWER_WORKSPACE_ID", None
            flag = context.settings.workspace
            if truthy(value) and flag and str(value).strip() != flag.strip():
                # -w won (flag > environment): say so here, once, with the risk it carries.
                yield _finding(
                    Status.WARN,
                    key,
                    f"-w {flag} wins over TOWER_WORKSPACE_ID={str(value).strip()}: the checks "
                    f"look in {flag}, but a launch with this environment has Wave look in "
                    f"{str(value).strip()}",
                    f"launch with TOWER_WORKSPACE_ID set to the numeric id of {flag}, or drop -w",
                )
                return
        if not truthy(value):
            yield _finding(
                Status.PASS,
                key,
                "no workspace set: Wave uses the credentials of your personal workspace",
            )
            return
        text = str(value).strip()
        if isinstance(value, bool) or not text.isdigit():
            if source == "TOWER_WORKSPACE_ID":
                # The credentials check must not report the same cause again, as exit 2.
                context.facts.unusable_env_workspace = text
            yield _finding(
                Status.FAIL,
                key,
                f"{source} is {value!r}; Nextflow needs the numeric workspace id",
                "use the number shown by `tw workspaces list`",
                location=where,
            )
            return
        # Whether this is the workspace whose credentials preflight checks is the credentials
        # check's finding: it knows the workspace it resolved.
        yield _finding(
            Status.PASS, key, f"Wave looks in workspace {text} ({source})", location=where
        )


def _finding(
    status: Status,
    subject: str,
    message: str,
    remedy: str = "",
    location: Location | None = None,
) -> Finding:
    return Finding(
        check=NAME,
        status=status,
        subject=subject,
        message=message,
        remedy=remedy if status is not Status.PASS else "",
        location=location,
    )
