"""Routing for the ARM emulator: path patterns as ARM writes them, matched segment by segment.

A pattern is an ARM path with ``{placeholders}``; literal segments compare case-insensitively,
as ARM's do. A path that matches a pattern under another method is a 405, one that matches no
pattern a 404 (:func:`find`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from preflight.sandbox.http import Request, Response
from preflight.sandbox.state import RegistryState

PROVIDER_PATH = "providers/Microsoft.ContainerRegistry"
SUBSCRIPTION = "/subscriptions/{subscription}"
RESOURCE_GROUP = SUBSCRIPTION + "/resourceGroups/{group}/" + PROVIDER_PATH
REGISTRY = RESOURCE_GROUP + "/registries/{registry}"


@dataclass(frozen=True)
class Place:
    """Where a request is addressed: the path's placeholders and the registry they name."""

    params: Mapping[str, str]
    found_registry: RegistryState | None = None

    def __getitem__(self, name: str) -> str:
        return self.params[name]

    @property
    def registry(self) -> RegistryState:
        """The registry of a path under ``REGISTRY`` (looked up before any route runs)."""
        assert self.found_registry is not None, "a route under REGISTRY without its registry"
        return self.found_registry


Handler = Callable[[Request, Place], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Handler
    segments: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.pattern.strip("/").split("/")))

    def match(self, parts: Sequence[str]) -> dict[str, str] | None:
        """The placeholders' values when ``parts`` (the decoded path) fits the pattern."""
        if len(parts) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for segment, part in zip(self.segments, parts, strict=True):
            if segment.startswith("{") and segment.endswith("}"):
                params[segment[1:-1]] = part
            elif segment.lower() != part.lower():
                return None
        return params


def find(
    routes: Sequence[Route], method: str, parts: Sequence[str]
) -> tuple[Route, dict[str, str]] | bool:
    """The route for ``method`` and its placeholders; else whether another method has one."""
    elsewhere = False
    for route in routes:
        params = route.match(parts)
        if params is None:
            continue
        if route.method == method.upper():
            return route, params
        elsewhere = True
    return elsewhere
