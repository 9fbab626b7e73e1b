"""Nextflow's rules around a process's container: the engine, its registry, Wave's strategy.

Pure functions over the merged configuration, read with plain mapping access
(:func:`~preflight.images.rules.child`): which container engine runs (``<engine>.enabled``,
Groovy truth), how ``<engine>.registry`` and ``registryOverride`` rewrite an image name
(Nextflow's ``ContainerHandler``), and whether Wave builds from ``conda`` before it pulls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from preflight.images.ref import is_acr_host
from preflight.images.rules import Origin, child
from preflight.model import Finding, Location, Status
from preflight.nextflow.groovy.runtime import is_enabled
from preflight.pipeline import ENGINES

CHECK = "images"
SINGULARITY_LIKE = ("singularity", "apptainer")
DEFAULT_WAVE_STRATEGY = ("container", "dockerfile", "conda")
_SCHEME = re.compile(r"^[^/:. ]+://")


def choose_engine(
    requested: str | None, tree: Mapping[str, Any], origin: Origin
) -> tuple[str, list[Finding]]:
    """The container engine: as requested, else the one enabled in the config, else docker."""
    if requested:
        return requested, []
    enabled = [name for name in ENGINES if is_enabled(child(child(tree, name), "enabled"))]
    findings: list[Finding] = []
    if len(enabled) > 1:
        findings.append(
            Finding(
                check=CHECK,
                status=Status.FAIL,
                subject="container engine",
                message=f"more than one container engine is enabled ({', '.join(enabled)}); "
                "Nextflow refuses to start",
                remedy="enable exactly one engine, e.g. with a single -profile",
                location=origin(f"{enabled[1]}.enabled"),
            )
        )
    return (enabled[0] if enabled else "docker"), findings


def is_absolute_image(name: str) -> bool:
    """Nextflow's test: the part before the first ``/`` names a host iff it has ``.`` or ``:``."""
    slash = name.find("/")
    return slash > 0 and ("." in name[:slash] or ":" in name[:slash])


@dataclass(frozen=True)
class RegistryRule:
    """``<engine>.registry`` and ``registryOverride``, applied to image names as Nextflow does."""

    engine: str
    registry: str | None = None
    override: bool = False
    location: Location | None = None

    @classmethod
    def from_config(cls, tree: Mapping[str, Any], engine: str, origin: Origin) -> RegistryRule:
        scope = child(tree, engine)
        registry = child(scope, "registry")
        return cls(
            engine=engine,
            registry=str(registry).strip()
            if isinstance(registry, str) and registry.strip()
            else None,
            override=is_enabled(child(scope, "registryOverride")),
            location=origin(f"{engine}.registry"),
        )

    def apply(self, name: str) -> str:
        """Prefix a relative name with the registry; with ``registryOverride``, replace the host.

        A name with a scheme (``oras://quay.io/x``) counts as absolute — its first segment
        holds ``:`` — so only an override touches it: the host after the scheme is replaced
        and the scheme kept (``oras://REGISTRY/x``), as Nextflow's ``overrideRegistryName``.
        """
        if not self.registry:
            return name
        prefix = self.registry if self.registry.endswith("/") else f"{self.registry}/"
        if not is_absolute_image(name):
            return prefix + name
        if not self.override:
            return name
        scheme = _SCHEME.match(name)
        rest = name[scheme.end() :] if scheme is not None else name
        head, slash, tail = rest.partition("/")
        if slash and ("." in head or ":" in head):
            rest = tail
        return (scheme.group() if scheme is not None else "") + prefix + rest

    def normalise(self, value: str) -> tuple[str, str]:
        """``(image, "")`` for a registry image; ``(value, reason)`` when it is not one.

        Singularity and Apptainer also take URLs (``https://``, ``oras://``, ``library://``) and
        files; those never go through a registry pull and are set aside with the reason.
        """
        if self.engine in SINGULARITY_LIKE:
            if value.startswith("docker://"):
                return self.apply(value[len("docker://") :]), ""
            if _SCHEME.match(value) or value.startswith(("/", "./", "file:")):
                return value, f"{self.engine} pulls it as a URL or file, not from a registry"
        return self.apply(value), ""


def registry_findings(rule: RegistryRule) -> Iterable[Finding]:
    """What users trip on in the registry rule: an ACR host as ``<engine>.registry``."""
    if rule.registry and is_acr_host(rule.registry):
        scope = "every image" if rule.override else "every image written without a host"
        yield Finding(
            check=CHECK,
            status=Status.WARN,
            subject=f"{rule.engine}.registry",
            message=f"{rule.engine}.registry is the ACR host {rule.registry}: {scope} "
            "(e.g. biocontainers/…) becomes an image in that private registry",
            remedy="make sure the registry mirrors those images, or set the registry to the "
            "public one and name ACR images with their full host",
            details={"registry": rule.registry, "override": rule.override},
            location=rule.location,
        )


def wave_strategy(tree: Mapping[str, Any]) -> tuple[str, ...]:
    """``wave.strategy`` as a tuple (a list or a comma-separated string); Nextflow's default."""
    value = child(child(tree, "wave"), "strategy")
    if isinstance(value, str):
        items = tuple(p.strip() for p in value.split(",") if p.strip())
    elif isinstance(value, (list, tuple)):
        items = tuple(str(p).strip() for p in value)
    else:
        items = ()
    return items or DEFAULT_WAVE_STRATEGY


def conda_wins(tree: Mapping[str, Any]) -> bool:
    """Whether Wave builds from a process's ``conda`` directive rather than pull its container.

    Wave takes the first attribute of ``wave.strategy`` the task has. Preflight asks what happens
    once Wave is on, so this holds whether or not ``wave.enabled`` is set yet.
    """
    strategy = wave_strategy(tree)
    if "conda" not in strategy:
        return False
    return "container" not in strategy or strategy.index("conda") < strategy.index("container")
