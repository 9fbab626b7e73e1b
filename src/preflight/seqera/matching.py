"""Wave's rule for picking a registry credential, and the near-misses a user would never spot.

Wave lists the credentials of exactly one workspace, keeps those whose provider is
``container-reg``, and takes the *first* whose ``keys.registry`` (``docker.io`` when missing or
empty) equals the image's registry host — as strings: no lower-casing, no scheme stripping, no
trimming. A credential for ``https://myreg.azurecr.io`` is therefore never used for
``myreg.azurecr.io/app:1``, and nothing tells the user why. This module reproduces the rule
exactly and names every near-miss with the exact string that would have matched.

Pure functions over :class:`~preflight.seqera.models.Credential`; no I/O.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from preflight.seqera.models import Credential, WorkspaceRef

CONTAINER_REGISTRY_PROVIDER = "container-reg"
DEFAULT_REGISTRY = "docker.io"  # Wave's default for a credential or an image without a host

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Characters a copy from a web page or a document brings along and nobody sees.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


class NearMissKind(str, enum.Enum):
    """Why a stored ``Registry server`` looks right to a person but never equals the host."""

    SCHEME = "scheme"  # https://myreg.azurecr.io
    WHITESPACE = "whitespace"  # " myreg.azurecr.io", or an invisible zero-width character
    PATH = "path"  # myreg.azurecr.io/team
    TRAILING_SLASH = "trailing-slash"  # myreg.azurecr.io/
    PORT = "port"  # myreg.azurecr.io:443
    CASE = "case"  # MyReg.azurecr.io

    @property
    def explanation(self) -> str:
        return _EXPLANATIONS[self]


_EXPLANATIONS = {
    NearMissKind.SCHEME: "it starts with a scheme (http:// or https://)",
    NearMissKind.WHITESPACE: "it has leading or trailing whitespace (maybe invisible)",
    NearMissKind.PATH: "it carries a path after the host",
    NearMissKind.TRAILING_SLASH: "it ends with a slash",
    NearMissKind.PORT: "it names the port :443",
    NearMissKind.CASE: "its letter case differs",
}


@dataclass(frozen=True)
class NearMiss:
    """A ``container-reg`` credential meant for this registry that Wave will not use.

    ``fix`` is the exact ``Registry server`` value that would match: the image's host.
    """

    credential: Credential
    kind: NearMissKind
    fix: str

    def explain(self) -> str:
        """One sentence for a finding: which credential, what it holds, why it never matches."""
        return (
            f"credential {self.credential.name!r} (id {self.credential.id}) has Registry server "
            f"{self.credential.registry!r}, which Wave never takes for {self.fix}: "
            f"{self.kind.explanation}"
        )


@dataclass(frozen=True)
class CredentialMatch:
    """The credential Wave will use for ``registry`` in one workspace's listing, and why not.

    ``credential`` is the first exact match (or ``None``: Wave pulls anonymously);
    ``duplicates`` are the later exact matches Wave ignores; ``near_misses`` are the credentials
    a person would take for this registry but Wave does not.
    """

    registry: str
    credential: Credential | None
    duplicates: tuple[Credential, ...] = ()
    near_misses: tuple[NearMiss, ...] = ()

    @property
    def matched(self) -> bool:
        return self.credential is not None


@dataclass(frozen=True)
class ElsewhereMatch:
    """A credential that would match, but in a workspace the run does not use."""

    workspace: WorkspaceRef
    credential: Credential


def registry_of(credential: Credential) -> str:
    """The registry Wave compares for ``credential``: ``keys.registry``, or ``docker.io``."""
    return credential.registry or DEFAULT_REGISTRY


def match_registry(credentials: Sequence[Credential], registry: str) -> CredentialMatch:
    """Which credential Wave uses for images on ``registry``, exactly as Wave decides it."""
    host = registry or DEFAULT_REGISTRY
    candidates = [c for c in credentials if c.provider == CONTAINER_REGISTRY_PROVIDER]
    exact = [c for c in candidates if registry_of(c) == host]
    near = tuple(
        NearMiss(credential=c, kind=kind, fix=host)
        for c in candidates
        if registry_of(c) != host and (kind := near_miss_kind(registry_of(c), host)) is not None
    )
    return CredentialMatch(
        registry=host,
        credential=exact[0] if exact else None,
        duplicates=tuple(exact[1:]),
        near_misses=near,
    )


def near_miss_kind(stored: str, host: str) -> NearMissKind | None:
    """Why ``stored`` is a near-miss for ``host``, or ``None`` when it names another registry.

    A value is a near-miss when, with whitespace, a scheme, a path or a trailing slash, the
    port ``:443`` and letter case set aside, it names ``host``. When several differences are
    present the first of scheme, whitespace, path, trailing slash, port, case is reported —
    the fix (``host`` itself) is the same for all of them.
    """
    if stored == host:
        return None
    value = stored.strip().strip(_INVISIBLE).strip()
    kinds: list[NearMissKind] = []
    if value != stored:
        kinds.append(NearMissKind.WHITESPACE)
    scheme = _SCHEME.match(value)
    if scheme:
        kinds.insert(0, NearMissKind.SCHEME)
        value = value[scheme.end() :]
    if "/" in value:
        value, _, rest = value.partition("/")
        kinds.append(NearMissKind.PATH if rest.strip("/") else NearMissKind.TRAILING_SLASH)
    if value.endswith(":443") and not host.endswith(":443"):
        value = value[: -len(":443")]
        kinds.append(NearMissKind.PORT)
    if value != host and value.lower() == host.lower():
        kinds.append(NearMissKind.CASE)
        value = host
    if value != host or not kinds:
        return None
    return kinds[0]


def find_in_other_workspaces(
    registry: str, listings: Iterable[tuple[WorkspaceRef, Sequence[Credential]]]
) -> tuple[ElsewhereMatch, ...]:
    """Workspaces, among ``listings``, whose credentials Wave *would* match for ``registry``.

    Wave never falls back from one workspace to another (personal and organisation workspaces
    included), so each of these is a credential the run will not see.
    """
    found: list[ElsewhereMatch] = []
    for workspace, credentials in listings:
        match = match_registry(credentials, registry)
        if match.credential is not None:
            found.append(ElsewhereMatch(workspace=workspace, credential=match.credential))
    return tuple(found)
