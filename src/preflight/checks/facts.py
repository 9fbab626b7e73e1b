"""What the checks of one run know: each fact typed, computed once from the run's inputs.

A fact is computed from the :class:`~preflight.pipeline.PipelineSpec`, the
:class:`~preflight.settings.Settings`, the options and the clients — never from which check
happened to ask first — so the order of the checks cannot change an answer. A fact whose
computation fails keeps its exception and raises that same object to every reader: the runner
reports it once, where it first arose, and the checks that depended on it say so.

Two facts are observations a check publishes for the checks after it (the token health the pull
check explains refusals with, and a ``TOWER_WORKSPACE_ID`` the wave check already failed); they
are plain typed attributes, empty until published.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from preflight.checks.services import Services
from preflight.errors import PlatformError
from preflight.model import ImageUse, Unresolved
from preflight.net.threads import map_in_threads
from preflight.pipeline import PipelineSpec
from preflight.secret import Secret
from preflight.settings import Settings

if TYPE_CHECKING:
    from preflight.checks.base import CheckOptions
    from preflight.checks.token_health import TokenHealth
    from preflight.images.resolve import ImageResolution
    from preflight.nextflow.config.resolved import ResolvedConfig
    from preflight.seqera.client import PlatformClient
    from preflight.seqera.matching import CredentialMatch
    from preflight.seqera.models import Credential, PlatformUser, WorkspaceRef

T = TypeVar("T")
OTHER_WORKSPACE_WORKERS = 4


class Fact(Generic[T]):
    """One fact: computed on first use, once; or provided by a caller that already knows it."""

    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute = compute
        self._value: list[T] = []
        self._error: BaseException | None = None

    def get(self) -> T:
        """The value; the exception of a failed computation is raised again, the same object."""
        if self._error is not None:
            raise self._error
        if not self._value:
            try:
                self._value.append(self._compute())
            except Exception as exc:
                self._error = exc
                raise
        return self._value[0]

    def provide(self, value: T) -> None:
        """Set the fact without computing it (wrappers and tests that already know it)."""
        self._value[:] = [value]
        self._error = None

    def known(self) -> T | None:
        """The value if it was computed (or provided) successfully; never computes."""
        return self._value[0] if self._value else None


class RunFacts:
    """Every fact the checks of one run share."""

    def __init__(
        self, spec: PipelineSpec, settings: Settings, options: CheckOptions, services: Services
    ) -> None:
        self.spec = spec
        self.settings = settings
        self.options = options
        self.services = services
        # -- the pipeline
        self.config: Fact[ResolvedConfig] = Fact(self._read_config)
        self.resolution: Fact[ImageResolution] = Fact(self._resolve_images)
        self.image_uses: Fact[tuple[ImageUse, ...]] = Fact(lambda: self.resolution.get().uses)
        self.unresolved: Fact[tuple[Unresolved, ...]] = Fact(
            lambda: self.resolution.get().unresolved
        )
        # -- the Platform, as Wave will see it
        self.platform: Fact[PlatformClient] = Fact(self._wave_platform_client)
        self.user: Fact[PlatformUser] = Fact(lambda: self.platform.get().user_info())
        self.workspaces: Fact[list[WorkspaceRef]] = Fact(
            lambda: self.platform.get().workspaces(self.user.get().id)
        )
        self.workspace: Fact[WorkspaceRef] = Fact(self._checked_workspace)
        self.credentials: Fact[list[Credential]] = Fact(
            lambda: self.platform.get().list_credentials(self.workspace.get().id)
        )
        self.matches: Fact[dict[str, CredentialMatch]] = Fact(self._match_credentials)
        self.other_listings: Fact[list[tuple[WorkspaceRef, Sequence[Credential]]]] = Fact(
            self._list_other_workspaces
        )
        # -- published by checks for the checks after them
        self.token_health: dict[str, TokenHealth] = {}
        self.unusable_env_workspace: str | None = None
        # An explicit ``tower.workspaceId`` for callers without a configuration (wrappers,
        # tests); it wins over the configuration's.
        self.tower_workspace_id: str | int | None = None

    # -- the pipeline
    def _read_config(self) -> ResolvedConfig:
        from preflight.nextflow.config.evaluator import resolve_config

        return resolve_config(self.spec, syntax=self.settings.syntax)

    def _resolve_images(self) -> ImageResolution:
        from preflight.images.resolve import resolve_images

        return resolve_images(self.spec, self.config.get())

    def known_images(self) -> tuple[tuple[ImageUse, ...], tuple[Unresolved, ...]]:
        """The image uses and unresolved entries found so far, for the report; never computes."""
        resolution = self.resolution.known()
        uses = self.image_uses.known()
        unresolved = self.unresolved.known()
        if resolution is not None:
            uses = resolution.uses if uses is None else uses
            unresolved = resolution.unresolved if unresolved is None else unresolved
        return uses or (), unresolved or ()

    def acr_uses(self) -> tuple[ImageUse, ...]:
        """The image uses on ACR (raises when the pipeline's images cannot be read: a pipeline
        that cannot be read never passes as "no ACR image")."""
        return tuple(u for u in self.image_uses.get() if u.acr)

    def acr_registries(self) -> tuple[str, ...]:
        """The ACR registry hosts the run pulls from, each once, in first-use order."""
        return tuple(dict.fromkeys(u.registry for u in self.acr_uses()))

    def readable_config(self) -> ResolvedConfig | None:
        """The configuration, or ``None`` when it cannot be read (the wave check says why)."""
        try:
            return self.config.get()
        except Exception:  # noqa: BLE001 - reported once, by the check that reads it first
            return None

    # -- the Platform
    def wave_token(self) -> Secret | None:
        """The Platform token Wave will be sent: ``tower.accessToken`` from the configuration
        when set (it beats ``TOWER_ACCESS_TOKEN``), else the settings' token; for a
        Platform-launched run only the launch's environment counts."""
        if not self.options.platform_launch:
            config = self.readable_config()
            if config is not None and config.has("tower.accessToken"):
                value = config.get("tower.accessToken")
                if isinstance(value, Secret):
                    return value if value else None
                if isinstance(value, str):
                    return Secret(value) if value else None
        return self.settings.platform_token

    def _wave_platform_client(self) -> PlatformClient:
        """The ``platform`` client, or one with the configuration's ``tower.accessToken`` when
        that differs from the settings' token: the Platform acting as Wave will."""
        from preflight.seqera.client import PlatformClient

        token = self.wave_token()
        if token is not None and token != self.settings.platform_token:
            return PlatformClient(self.services.http, self.settings.platform_endpoint, token)
        return self.services.platform

    def _checked_workspace(self) -> WorkspaceRef:
        """The workspace named by ``-w`` / ``TOWER_WORKSPACE_ID`` (personal when none)."""
        from preflight.seqera.workspaces import resolve_workspace

        return resolve_workspace(self.settings.workspace, self.user.get(), self.workspaces.get())

    def _match_credentials(self) -> dict[str, CredentialMatch]:
        """``{ACR host: CredentialMatch}`` by Wave's rule, over the checked workspace."""
        from preflight.seqera.matching import match_registry

        credentials = self.credentials.get()
        return {host: match_registry(credentials, host) for host in self.acr_registries()}

    def _list_other_workspaces(self) -> list[tuple[WorkspaceRef, Sequence[Credential]]]:
        """The credentials of every other workspace the user may read, a few at a time.

        A workspace that refuses (or fails) is left out — it cannot explain anything. Ctrl-C
        must not wait for listings in flight: map_in_threads leaves them behind.
        """
        from preflight.seqera.workspaces import personal_workspace

        client = self.platform.get()
        checked = self.workspace.get()
        others = [personal_workspace(self.user.get()), *self.workspaces.get()]
        others = [w for w in others if w.id != checked.id]

        def listing(workspace: WorkspaceRef) -> Sequence[Credential] | None:
            try:
                return client.list_credentials(workspace.id)
            except PlatformError:
                return None

        listed = map_in_threads(
            listing, others, max_workers=OTHER_WORKSPACE_WORKERS, name="other-workspaces"
        )
        pairs = zip(others, listed, strict=True)
        return [(w, creds) for w, creds in pairs if creds is not None]
