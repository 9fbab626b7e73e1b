"""Git providers and their credentials, as Nextflow reads them from ``$NXF_HOME/scm``.

The scm file (``$NXF_SCM_FILE``, else ``$NXF_HOME/scm``) is a Nextflow config file:
``providers { NAME { server, platform, user, password, token, auth } }``, read here with
preflight's own config reader. Free names (``token = GITLAB_TOKEN``) and ``System.getenv('X')``
resolve to environment variables, as Nextflow binds the whole environment. The five built-in
providers (github, gitlab, gitea, bitbucket, azurerepos) are added when absent, their platform
fixed to their name. GitHub alone also takes ``GITHUB_TOKEN`` when the file gives no
credentials (sent as the user name with the password ``x-oauth-basic``, as Nextflow does);
GitLab and Gitea send the token as the password. Tokens and passwords travel as ``Secret``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from preflight.errors import InputError
from preflight.secret import Secret

DEFAULTS: dict[str, str] = {
    "github": "https://github.com",
    "gitlab": "https://gitlab.com",
    "gitea": "https://gitea.com",
    "bitbucket": "https://bitbucket.org",
    "azurerepos": "https://dev.azure.com",
}
PLATFORMS = frozenset(
    {"github", "gitlab", "gitea", "bitbucket", "bitbucketserver", "azurerepos", "file"}
)
_ENV_CALL = re.compile(r"""^(?:System\.getenv|env)\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\)$""")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# How the config reader describes a value bound to an environment variable (its source text is
# withheld for credential keys).
_ENV_REASON = re.compile(r"^environment variable '?([A-Za-z_][A-Za-z0-9_]*)'? at launch$")


@dataclass(frozen=True)
class GitCredentials:
    """What Git sends as HTTP Basic: a user name and a password (either may be the token)."""

    username: Secret
    password: Secret
    origin: str  # where they came from, for messages: "scm file providers.github", "GITHUB_TOKEN"


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    platform: str
    server: str
    user: str | None = None
    password: Secret | None = None
    token: Secret | None = None

    @property
    def domain(self) -> str:
        return (urlsplit(self.server).hostname or "").lower()

    def credentials(self, environ: Mapping[str, str]) -> GitCredentials | None:
        """The credentials Nextflow would clone with, or ``None`` (anonymous)."""
        origin = f"scm file providers.{self.name}"
        if self.platform == "github":
            if self.user or self.token:
                user = Secret(self.user) if self.user else self.token
                assert user is not None
                password = self.password or Secret("x-oauth-basic")
                return GitCredentials(user, password, origin)
            if environ.get("GITHUB_TOKEN"):
                return GitCredentials(
                    Secret(environ["GITHUB_TOKEN"]), Secret("x-oauth-basic"), "GITHUB_TOKEN"
                )
            return None
        secret = self.token or self.password
        if secret is None:
            return None
        return GitCredentials(Secret(self.user or "oauth2"), secret, origin)


def scm_file(environ: Mapping[str, str], nxf_home: Path) -> tuple[Path, bool]:
    """The scm file's path, and whether it must exist (``$NXF_SCM_FILE`` names one)."""
    named = environ.get("NXF_SCM_FILE")
    if named:
        return Path(named).expanduser(), True
    return nxf_home / "scm", False


def load_providers(
    path: Path, required: bool, environ: Mapping[str, str]
) -> dict[str, ProviderConfig]:
    """Every provider: those of the scm file at ``path`` (if any), then the built-in ones."""
    raw: Mapping[str, Any] = {}
    if path.is_file():
        raw = _read_providers(path)
    elif required:
        raise InputError(
            f"missing SCM config file: {path}", remedy="check the variable NXF_SCM_FILE"
        )
    providers: dict[str, ProviderConfig] = {}
    for name, attrs in raw.items():
        if not isinstance(attrs, Mapping):
            continue
        providers[name] = _provider(name, attrs, path, environ)
    for name, server in DEFAULTS.items():
        providers.setdefault(name, ProviderConfig(name=name, platform=name, server=server))
    return providers


def _read_providers(path: Path) -> Mapping[str, Any]:
    from preflight.nextflow.config.evaluator import resolve_config
    from preflight.pipeline import PipelineSpec

    spec = PipelineSpec(
        root=path.parent, config_files=(path,), replace_configs=True, launch_dir=path.parent
    )
    config = resolve_config(spec, syntax="v1")
    providers = config.get("providers")
    return providers if isinstance(providers, Mapping) else {}


def _provider(
    name: str, attrs: Mapping[str, Any], path: Path, environ: Mapping[str, str]
) -> ProviderConfig:
    def text(key: str) -> str | None:
        value = _value(attrs.get(key, None), environ)
        return value or None

    platform = name if name in DEFAULTS else text("platform")
    if text("path"):
        platform = "file"
    if platform is None:
        raise InputError(
            f"missing 'platform' attribute for the '{name}' SCM provider configuration",
            where=str(path),
            remedy=f"add platform = 'gitlab' (or github, gitea, bitbucket, …) to providers.{name}",
        )
    if platform not in PLATFORMS:
        raise InputError(
            f"unknown platform '{platform}' for the '{name}' SCM provider",
            where=str(path),
            remedy="use one of " + ", ".join(sorted(PLATFORMS)),
        )
    server = text("server") or DEFAULTS.get(name, "")
    if server and "://" not in server:
        server = "https://" + server
    user, password, token = text("user"), text("password"), text("token")
    auth = text("auth")
    if auth:  # 'tok' | 'user:password' | 'user:password:tok'
        pieces = auth.split(":")
        if len(pieces) == 1:
            token = pieces[0]
        else:
            user, password = pieces[0], pieces[1]
            token = pieces[2] if len(pieces) > 2 else token
    return ProviderConfig(
        name=name,
        platform=platform,
        server=server.rstrip("/"),
        user=user,
        password=Secret(password) if password else None,
        token=Secret(token) if token else None,
    )


def _value(value: Any, environ: Mapping[str, str]) -> str:
    """A provider attribute as text; an environment reference is looked up in ``environ``."""
    from preflight.nextflow.groovy.values import Dynamic

    if value is None:
        return ""
    if isinstance(value, Secret):
        return value.reveal()
    if isinstance(value, Dynamic):
        source = value.source.strip()
        call = _ENV_CALL.match(source)
        reason = _ENV_REASON.match(value.reason)
        variable = (
            call.group(1)
            if call
            else source
            if _ENV_NAME.match(source)
            else reason.group(1)
            if reason
            else ""
        )
        return environ.get(variable, "") if variable else ""
    return str(value)
