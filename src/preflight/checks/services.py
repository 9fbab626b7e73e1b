"""The clients the checks of one run use, each made on first use and closed at the end.

Whoever builds the run hands in one factory per client (:mod:`preflight.wiring` for the CLI,
tests for the sandbox); a check asks for the client by its typed attribute. A client with no
factory is an error that says so — a check that needs Azure in a run built without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from preflight.errors import PreflightError

if TYPE_CHECKING:
    import httpx

    from preflight.azure.arm import ArmGateway
    from preflight.azure.dataplane import RegistryDataPlane
    from preflight.seqera.client import PlatformClient

T = TypeVar("T")


class _Lazy(Generic[T]):
    """One client: made by its factory the first time it is asked for."""

    def __init__(self, name: str, factory: Callable[[], T] | None) -> None:
        self._name = name
        self._factory = factory
        self._made: list[T] = []

    def get(self) -> T:
        if not self._made:
            if self._factory is None:
                raise PreflightError(f"no {self._name} client was configured for this run")
            self._made.append(self._factory())
        return self._made[0]

    def close(self) -> None:
        for client in self._made:
            close = getattr(client, "close", None)
            if callable(close):
                close()
        self._made.clear()


class Services:
    """``http`` (plain HTTP), ``platform`` (Seqera Platform), ``arm`` (Azure Resource Manager)
    and ``dataplane`` (ACR with the operator's Azure identity)."""

    def __init__(
        self,
        *,
        http: Callable[[], httpx.Client] | None = None,
        platform: Callable[[], PlatformClient] | None = None,
        arm: Callable[[], ArmGateway] | None = None,
        dataplane: Callable[[], RegistryDataPlane] | None = None,
    ) -> None:
        self._http = _Lazy("HTTP", http)
        self._platform = _Lazy("Seqera Platform", platform)
        self._arm = _Lazy("Azure Resource Manager", arm)
        self._dataplane = _Lazy("ACR data-plane", dataplane)

    @property
    def http(self) -> httpx.Client:
        return self._http.get()

    @property
    def platform(self) -> PlatformClient:
        return self._platform.get()

    @property
    def arm(self) -> ArmGateway:
        return self._arm.get()

    @property
    def dataplane(self) -> RegistryDataPlane:
        return self._dataplane.get()

    def close(self) -> None:
        """Close every client that was made (the Platform client before the HTTP one it uses)."""
        for lazy in (self._platform, self._arm, self._dataplane, self._http):
            lazy.close()
