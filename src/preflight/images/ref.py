"""Container image references: parse, validate, normalise, and tell whether one lives on ACR.

An :class:`ImageRef` is what a ``container`` directive becomes once Nextflow has applied its
registry rule: ``registry/repository[:tag][@digest]``. Two rules differ from Docker's own and are
deliberate, because preflight must see the image Nextflow will ask Wave for:

* the first ``/`` component is a registry host only if it contains ``.`` or ``:`` (Nextflow's
  rule); ``localhost/x`` is therefore a repository on the default registry, not a host;
* the host keeps the case it was written in: Wave matches a credential's ``registry`` to the image
  host exactly, so ``MyAcr.azurecr.io`` and ``myacr.azurecr.io`` are different answers there.

Upper-case letters in the repository are accepted but flagged
(:attr:`ImageRef.uppercase_repository`): Docker refuses them and ACR rejects them, and a user who
wrote them deserves a finding, not a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from preflight.errors import InputError

DOCKER_HUB = "docker.io"
# Docker Hub's historical names for itself: all mean docker.io.
_DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})

# Login-server suffixes of Azure Container Registry in each cloud: public, China, US Government,
# and the sovereign clouds operated in France (Bleu) and Germany (Delos).
ACR_SUFFIXES = (
    ".azurecr.io",
    ".azurecr.cn",
    ".azurecr.us",
    ".azurecr.sovcloud-azure.fr",
    ".azurecr.sovcloud-azure.de",
)

_HOST_LABEL = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_HOST = re.compile(rf"(?:{_HOST_LABEL}(?:\.{_HOST_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{{1,5}})?")
# One path component of a repository; upper case is tolerated here and flagged separately.
_COMPONENT = re.compile(r"[A-Za-z0-9]+(?:(?:[._]|__|-+)[A-Za-z0-9]+)*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[A-Fa-f0-9]{32,}")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_ACR_REGIONAL = re.compile(r"^([a-z0-9-]+)\.[a-z0-9-]+\.geo(\..+)$")
_SPACE = re.compile(r"\s")
MAX_NAME_LENGTH = 255


def is_host_component(component: str) -> bool:
    """Nextflow's rule: a first path component names a registry only if it has ``.`` or ``:``."""
    return "." in component or ":" in component


def is_acr_host(host: str) -> bool:
    """Whether ``host`` (optionally with ``:port``) is an ACR login server in any cloud.

    Host names are case-insensitive on the wire, so this test is too (the exact-case question is
    Wave's credential match, asked elsewhere). Regional ``*.geo.azurecr.*`` endpoints count.
    """
    name = _strip_port(host).lower().rstrip(".")
    return any(name.endswith(suffix) and len(name) > len(suffix) for suffix in ACR_SUFFIXES)


def acr_login_server(host: str) -> str:
    """The login server of an ACR host: ``name.region.geo.azurecr.io`` → ``name.azurecr.io``.

    Non-ACR hosts and plain login servers come back unchanged.
    """
    if not is_acr_host(host):
        return host
    match = _ACR_REGIONAL.match(_strip_port(host).lower())
    return f"{match.group(1)}{match.group(2)}" if match else host


def _strip_port(host: str) -> str:
    if host.startswith("["):
        return host[: host.index("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if ":" in host else host


@dataclass(frozen=True)
class ImageRef:
    """A normalised image reference: ``registry/repository[:tag][@digest]``.

    ``tag`` and ``digest`` are ``None`` when not written; :attr:`reference` says what a pull asks
    for (the digest, else the tag, else ``latest``). ``str()`` is the normalised form, with the
    registry always spelled out and Docker Hub's ``library/`` made explicit.
    """

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str, *, default_registry: str = DOCKER_HUB) -> ImageRef:
        """Parse ``text``; relative names go to ``default_registry`` (Nextflow's registry rule).

        Raises :class:`InputError` naming the part that is wrong (host, repository component,
        tag, digest) and how to write it instead.
        """
        original = text
        text = text.strip()
        if not text:
            raise _bad(original, "it is empty", "write an image such as quay.io/org/tool:1.0")
        if _SCHEME.match(text):
            raise _bad(
                original,
                f"it is a URL ({text.split('://', 1)[0]}://), not a registry image",
                "use a registry reference (host/repository:tag); URLs are pulled by "
                "Singularity/Apptainer, not through a registry",
            )
        if _SPACE.search(text):
            raise _bad(original, "it contains white space", "remove the spaces")
        name, _, digest = text.partition("@")
        if "@" in digest:
            raise _bad(original, "it has more than one '@'", "write at most one @DIGEST")
        tag: str | None = None
        last_slash = name.rfind("/")
        colon = name.rfind(":")
        if colon > last_slash:
            name, tag = name[:colon], name[colon + 1 :]
        first, sep, rest = name.partition("/")
        if sep and is_host_component(first):
            registry, path = first, rest
        else:
            registry, path = default_registry.strip().rstrip("/"), name
        cls._check_host(original, registry)
        if registry.lower() in _DOCKER_HUB_ALIASES:
            registry = DOCKER_HUB
            if path and "/" not in path:
                path = f"library/{path}"
        cls._check_repository(original, path)
        if tag is not None and not _TAG.fullmatch(tag):
            raise _bad(
                original,
                f"tag {tag!r} is not valid",
                "a tag is 1-128 letters, digits, '_', '.', '-', not starting with '.' or '-'",
            )
        if digest and not _DIGEST.fullmatch(digest):
            raise _bad(
                original,
                f"digest {digest!r} is not valid",
                "write the digest as ALGORITHM:HEX, e.g. sha256: followed by 64 hex digits",
            )
        if digest.startswith("sha256:") and len(digest) != len("sha256:") + 64:
            raise _bad(
                original, "a sha256 digest needs exactly 64 hex digits", "copy the digest again"
            )
        if len(f"{registry}/{path}") > MAX_NAME_LENGTH:
            raise _bad(
                original,
                f"the name is longer than {MAX_NAME_LENGTH} characters",
                "shorten the repository",
            )
        return cls(registry=registry, repository=path, tag=tag, digest=digest or None)

    @staticmethod
    def _check_host(original: str, registry: str) -> None:
        if not registry or not _HOST.fullmatch(registry):
            raise _bad(
                original,
                f"registry host {registry!r} is not a valid host name",
                "write the host as name.domain[:port], without https:// or a trailing path",
            )

    @staticmethod
    def _check_repository(original: str, path: str) -> None:
        if not path:
            raise _bad(original, "the repository is missing", "add a repository after the host")
        for component in path.split("/"):
            if not _COMPONENT.fullmatch(component):
                raise _bad(
                    original,
                    f"repository component {component!r} is not valid",
                    "use letters and digits separated by '.', '_', '__' or '-' (no empty parts)",
                )

    @property
    def is_acr(self) -> bool:
        """Whether the registry is an Azure Container Registry login server, in any cloud."""
        return is_acr_host(self.registry)

    @property
    def uppercase_repository(self) -> bool:
        """Whether the repository has upper-case letters, which Docker and ACR reject."""
        return self.repository != self.repository.lower()

    @property
    def reference(self) -> str:
        """What a manifest request asks for: the digest, else the tag, else ``latest``."""
        return self.digest or self.tag or "latest"

    @property
    def implicit_latest(self) -> bool:
        """True when neither tag nor digest was written, so the pull means ``latest``."""
        return self.tag is None and self.digest is None

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def _bad(text: str, what: str, remedy: str) -> InputError:
    return InputError(f"image {text!r}: {what}", remedy=remedy)
