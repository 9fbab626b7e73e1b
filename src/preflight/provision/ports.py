"""The two services provisioning talks to, as the small protocols it needs of them.

:class:`~preflight.azure.arm.ArmGateway` and :class:`~preflight.seqera.client.PlatformClient`
satisfy them; tests hand in the real clients pointed at the sandbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from preflight.azure.models import RegistryInfo, ScopeMapInfo, TokenInfo
from preflight.secret import Secret
from preflight.seqera.models import Credential


class AzureRegistries(Protocol):
    """What provisioning reads and writes through Azure Resource Manager."""

    def find_registry(self, login_server: str) -> RegistryInfo: ...

    def get_token(self, registry: RegistryInfo, name: str) -> TokenInfo | None: ...

    def get_scope_map(self, registry: RegistryInfo, name: str) -> ScopeMapInfo | None: ...

    def create_scope_map(
        self, registry: RegistryInfo, name: str, actions: Iterable[str], description: str = ""
    ) -> ScopeMapInfo: ...

    def update_scope_map(
        self, registry: RegistryInfo, name: str, actions: Iterable[str]
    ) -> ScopeMapInfo: ...

    def create_token(
        self, registry: RegistryInfo, name: str, scope_map_id: str, *, enabled: bool = True
    ) -> TokenInfo: ...

    def generate_password(
        self,
        registry: RegistryInfo,
        token: TokenInfo,
        *,
        slot: str = "password1",
        expiry: datetime | None = None,
    ) -> Secret: ...

    def delete_token(self, registry: RegistryInfo, name: str) -> None: ...

    def delete_scope_map(self, registry: RegistryInfo, name: str) -> None: ...


class CredentialStore(Protocol):
    """What provisioning reads and writes in Seqera Platform."""

    def list_credentials(self, workspace_id: int | None) -> Sequence[Credential]: ...

    def validate_credential_name(self, name: str, workspace_id: int | None) -> None: ...

    def create_credential(
        self,
        workspace_id: int | None,
        *,
        name: str,
        registry: str,
        user_name: str,
        password: Secret,
    ) -> str: ...

    def delete_credential(self, credential_id: str, workspace_id: int | None) -> None: ...
