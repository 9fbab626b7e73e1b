"""Where each setting comes from, in one written-down order: flag > environment > default.

Core code never reads the environment: the CLI layer builds a :class:`Settings` once, from its
flags and ``os.environ``, and hands it down. The names are the ones ``tw``, Nextflow and
azure-identity already use, so a shell set up for them works unchanged.

    TOWER_ACCESS_TOKEN        Seqera Platform access token
    TOWER_API_ENDPOINT        Platform API (default https://api.cloud.seqera.io; Enterprise: https://HOST/api)
    TOWER_WORKSPACE_ID        workspace id (numeric) or org/workspace
    AZURE_SUBSCRIPTION_ID     subscription that holds the registries
    AZURE_AUTHORITY_HOST      Entra ID authority (sovereign clouds; the sandbox)
    PREFLIGHT_ARM_ENDPOINT    Azure Resource Manager endpoint (default https://management.azure.com)
    PREFLIGHT_CA_BUNDLE       extra trusted CA certificates (PEM)
    PREFLIGHT_CONNECT_TO      host map, HOST:PORT:ADDR:ADDRPORT[,…] (see preflight.net.connect_to)
    NXF_SYNTAX_PARSER         Nextflow's config parser, v1 or v2 (default: auto, as Nextflow)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from preflight.secret import Secret

DEFAULT_PLATFORM_ENDPOINT = "https://api.cloud.seqera.io"
DEFAULT_ARM_ENDPOINT = "https://management.azure.com"
DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
SYNTAXES = ("auto", "v1", "v2")


@dataclass(frozen=True)
class Settings:
    """Everything preflight needs to know about the user's services, resolved once."""

    platform_endpoint: str = DEFAULT_PLATFORM_ENDPOINT
    platform_token: Secret | None = None
    workspace: str | None = None
    azure_subscription_id: str | None = None
    azure_authority: str = DEFAULT_AUTHORITY
    arm_endpoint: str = DEFAULT_ARM_ENDPOINT
    ca_bundle: Path | None = None
    connect_to: str = ""
    syntax: str = "auto"

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str], **flags: str | Path | Secret | None
    ) -> Settings:
        """Build settings from ``environ``; a flag that is not ``None`` wins over its variable."""

        def pick(flag: str, var: str, default: str | None = None) -> str | None:
            value = flags.get(flag)
            if value is not None:
                return str(value)
            return environ.get(var) or default

        token = flags.get("platform_token")
        if token is None and environ.get("TOWER_ACCESS_TOKEN"):
            token = Secret(environ["TOWER_ACCESS_TOKEN"])
        ca = pick("ca_bundle", "PREFLIGHT_CA_BUNDLE")
        endpoint = pick("platform_endpoint", "TOWER_API_ENDPOINT", DEFAULT_PLATFORM_ENDPOINT)
        authority = pick("azure_authority", "AZURE_AUTHORITY_HOST", DEFAULT_AUTHORITY)
        arm = pick("arm_endpoint", "PREFLIGHT_ARM_ENDPOINT", DEFAULT_ARM_ENDPOINT)
        syntax = pick("syntax", "NXF_SYNTAX_PARSER", "auto")
        return cls(
            platform_endpoint=(endpoint or DEFAULT_PLATFORM_ENDPOINT).rstrip("/"),
            platform_token=token if isinstance(token, Secret) else None,
            workspace=pick("workspace", "TOWER_WORKSPACE_ID"),
            azure_subscription_id=pick("azure_subscription_id", "AZURE_SUBSCRIPTION_ID"),
            azure_authority=(authority or DEFAULT_AUTHORITY).rstrip("/"),
            arm_endpoint=(arm or DEFAULT_ARM_ENDPOINT).rstrip("/"),
            ca_bundle=Path(ca) if ca else None,
            connect_to=pick("connect_to", "PREFLIGHT_CONNECT_TO", "") or "",
            # Nextflow takes only v1 and v2; anything else leaves its own default.
            syntax=syntax if syntax in SYNTAXES else "auto",
        )
