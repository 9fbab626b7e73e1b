"""Starting and stopping the whole sandbox: ``start_sandbox(state_dir) -> Sandbox``.

Order of start-up, chosen for speed (the whole thing takes about a second): certificates →
launch every registry process → (while they start, in worker threads) the Git host's
repositories, the Entra ID signing key, and the shared state → wait until each registry listens
→ push the seeded images, each on its own connection, in parallel → open one HTTPS listener per
service. If any step fails, everything already started is stopped before the error propagates.

The Seqera Platform and ARM emulators are plug-ins (``preflight.sandbox.platform`` and
``preflight.sandbox.arm``); a sandbox built without them simply lacks those services.

Registry processes die with the thread that started them (``PR_SET_PDEATHSIG``): call
:func:`start_sandbox` from a thread that outlives the sandbox, normally the main thread.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from preflight.sandbox.acr import AcrFrontDoor, TokenRequestRecord
from preflight.sandbox.entra import EntraEmulator, EntraIssuer, new_signing_key
from preflight.sandbox.faults import FaultBoard
from preflight.sandbox.git_host import DEFAULT_REPOSITORIES as GIT_REPOSITORIES
from preflight.sandbox.git_host import HOST as GIT_HOST
from preflight.sandbox.git_host import GitHost, GitRequestRecord, build_repositories
from preflight.sandbox.http import Handler
from preflight.sandbox.push import push_image
from preflight.sandbox.registry_families import DEFAULT_DISTRIBUTION_REGISTRIES, DistributionSeed
from preflight.sandbox.registry_front import (
    DistributionFrontDoor,
    FamilyTokenRequest,
    FamilyTokenService,
)
from preflight.sandbox.registry_process import RegistryConfig, RegistryProcess
from preflight.sandbox.registry_tokens import Access, RegistryTokenMinter
from preflight.sandbox.seed import (
    DEFAULT_REGISTRIES,
    ImageSeed,
    PasswordBook,
    RegistrySeed,
    azure_state,
    new_password_book,
    reseed,
)
from preflight.sandbox.server import HttpsListener
from preflight.sandbox.state import AzureState, new_password
from preflight.sandbox.tls import SandboxCertificates, make_certificates

SCHEMA_VERSION = 1
PUSH_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class Sandbox:
    """A running sandbox. Use as a context manager, or call :meth:`close` (idempotent).

    ``info`` is what ``preflight sandbox up --json`` prints; ``env`` is its ``env`` key: exported,
    it makes a plain ``preflight`` talk to this sandbox.
    """

    def __init__(
        self,
        *,
        state_dir: Path,
        certificates: SandboxCertificates,
        seeds: Sequence[RegistrySeed],
        passwords: PasswordBook,
        azure: AzureState,
        entra: EntraIssuer,
        faults: FaultBoard,
        distribution: Sequence[DistributionSeed] = (),
    ) -> None:
        self.state_dir = state_dir
        self.certificates = certificates
        self.ca_bundle: Path = certificates.ca_bundle
        self.seeds = tuple(seeds)
        self.azure = azure
        self.entra = entra
        self.faults = faults
        self.platform: Any = None  # the Platform emulator's state, when that plug-in exists
        self.git: GitHost | None = None  # the Git host (github.com), once started
        self._passwords = dict(passwords)
        self._processes: dict[str, RegistryProcess] = {}
        self._front_doors: dict[str, AcrFrontDoor] = {}
        self._listeners: dict[str, HttpsListener] = {}
        # The non-ACR registries (Docker Hub, GHCR, Quay, generic), keyed by image host.
        self.distribution_seeds = tuple(distribution)
        self._family_passwords = {s.host: new_password() for s in self.distribution_seeds}
        self._family_doors: dict[str, DistributionFrontDoor] = {}
        self._family_tokens: dict[str, FamilyTokenService] = {}
        self._closed = False
        self.info: dict[str, Any] = {}
        self.env: dict[str, str] = {}

    # ---- addresses ---------------------------------------------------------------------

    def address(self, login_server: str) -> str:
        """``127.0.0.1:PORT`` of a registry's front door (its origin, with the token service)."""
        return self._listeners[f"acr:{login_server.lower()}"].address

    def endpoint(self, service: str) -> str:
        """``https://127.0.0.1:PORT`` of ``platform``, ``arm``, ``entra`` or ``acr:<login>``."""
        return f"https://{self._listeners[service].address}"

    def registry_process_address(self, login_server: str) -> str:
        """``127.0.0.1:PORT`` of the registry process itself (behind the front door)."""
        return self._processes[login_server.lower()].address

    @property
    def services(self) -> list[str]:
        """The names of the services that run (``platform`` and ``arm`` only with the plug-ins)."""
        return list(self._listeners)

    @property
    def connect_to(self) -> str:
        """The host map: ``<host>:443:127.0.0.1:<port>`` per registry, token host and the Git
        host, comma-separated."""
        return ",".join(
            f"{name}:443:{host}:{port}" for (name, _), (host, port) in self.host_map().items()
        )

    def host_map(self) -> dict[tuple[str, int], tuple[str, int]]:
        """The host map as ``preflight.net.connect_to.install`` takes it."""
        mapping: dict[tuple[str, int], tuple[str, int]] = {}
        for seed in self.seeds:
            host, _, port = self.address(seed.login_server).rpartition(":")
            mapping[(seed.login_server.lower(), 443)] = (host, int(port))
        for name, address in self._family_names():
            host, _, port = address.rpartition(":")
            mapping[(name, 443)] = (host, int(port))
        if "git" in self._listeners:
            host, _, port = self._listeners["git"].address.rpartition(":")
            mapping[(GIT_HOST, 443)] = (host, int(port))
        return mapping

    def git_requests(self) -> list[GitRequestRecord]:
        """Every request the Git host received (since reset)."""
        return self.git.requests() if self.git is not None else []

    def _family_names(self) -> list[tuple[str, str]]:
        """(host name, loopback address) of each non-ACR API host and separate token host."""
        names: list[tuple[str, str]] = []
        for seed in self.distribution_seeds:
            names.append((seed.api, self._listeners[f"registry:{seed.host}"].address))
            if seed.realm_origin != seed.api:
                names.append((seed.realm_origin, self._listeners[f"auth:{seed.host}"].address))
        return names

    def family_password(self, host: str) -> str:
        """The password of the one user of a non-ACR registry (``docker.io``, ``ghcr.io`` …)."""
        return self._family_passwords[host]

    def family_requests(self, host: str) -> list[FamilyTokenRequest]:
        """Every request the token service of a non-ACR registry received (since reset)."""
        return self._family_tokens[host].records()

    def family_door(self, host: str) -> DistributionFrontDoor:
        """The front door of a non-ACR registry (its rate-limit counter, for tests)."""
        return self._family_doors[host]

    def password(self, login_server: str, token: str) -> str:
        """The seeded ``password1`` of an ACR token."""
        return self._passwords[(login_server.lower(), token)]

    def registry_pids(self) -> list[int]:
        """Process ids of the registry processes (to prove none outlives the sandbox)."""
        return [p.pid for p in self._processes.values() if p.pid is not None]

    def acr_requests(self, login_server: str) -> list[TokenRequestRecord]:
        """Every ``/oauth2/*`` request this registry's front door received (since reset)."""
        return self._front_doors[login_server.lower()].token_requests()

    # ---- life cycle --------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the seeded state: tokens, scope maps, Platform state; faults and records cleared.

        Registry contents (the pushed images) are not touched.
        """
        self.faults.clear()
        reseed(self.azure, self.seeds, self._passwords)
        if self.platform is not None:
            self.platform.reset()
        for front_door in self._front_doors.values():
            front_door.clear_records()
        if self.git is not None:
            self.git.clear_records()
        for tokens in self._family_tokens.values():
            tokens.clear_records()
        for door in self._family_doors.values():
            door.reset()

    def close(self) -> None:
        """Stop every listener and every registry process. Idempotent."""
        if self._closed:
            return
        self._closed = True
        for listener in self._listeners.values():
            listener.close()
        for front_door in self._front_doors.values():
            front_door.close()
        for door in self._family_doors.values():
            door.close()
        for process in self._processes.values():
            process.request_stop()
        for process in self._processes.values():
            process.stop()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # ---- start-up steps (used by start_sandbox) ----------------------------------------

    def _listen(self, name: str, handler: Handler, fault_keys: Sequence[str]) -> HttpsListener:
        listener = HttpsListener(
            handler,
            self.certificates.server_context(),
            fault_keys=fault_keys,
            faults=self.faults,
        ).start()
        self._listeners[name] = listener
        return listener

    def _push_seeded_images(self, minter: RegistryTokenMinter, pool: ThreadPoolExecutor) -> None:
        """Push every seeded image, each on its own connection, in parallel."""

        def push(seed: RegistrySeed, image: ImageSeed) -> None:
            login = seed.login_server.lower()
            token = minter.access_token(
                service=login,
                subject="sandbox-seed",
                access=[Access("repository", image.repository, ("pull", "push"))],
                grant_type="password",
            )
            with httpx.Client(
                base_url=f"https://{self._processes[login].address}",
                verify=self.certificates.client_context(),
                headers={"Authorization": f"Bearer {token}"},
                timeout=PUSH_TIMEOUT,
            ) as client:
                push_image(client, image.repository, image.tag, image.media_type)

        def push_family(seed: DistributionSeed, repository: str, tag: str, media: str) -> None:
            token = minter.access_token(
                service=seed.service,
                subject="sandbox-seed",
                access=[Access("repository", repository, ("pull", "push"))],
                grant_type="password",
            )
            with httpx.Client(
                base_url=f"https://{self._processes[seed.host].address}",
                verify=self.certificates.client_context(),
                headers={"Authorization": f"Bearer {token}"},
                timeout=PUSH_TIMEOUT,
            ) as client:
                push_image(client, repository, tag, media)

        pushes = [pool.submit(push, seed, image) for seed in self.seeds for image in seed.images]
        pushes += [
            pool.submit(push_family, seed, image.repository, image.tag, image.media_type)
            for seed in self.distribution_seeds
            for image in seed.images
        ]
        for done in pushes:
            done.result()

    def _open_family_doors(self, minter: RegistryTokenMinter) -> None:
        """One listener per non-ACR API host, and one per token service on a host of its own."""
        for seed in self.distribution_seeds:
            tokens = FamilyTokenService(seed, self._family_passwords[seed.host], minter)
            door = DistributionFrontDoor(
                seed,
                tokens,
                upstream=self._processes[seed.host].address,
                upstream_tls=self.certificates.client_context(),
            )
            self._family_tokens[seed.host] = tokens
            self._family_doors[seed.host] = door
            self._listen(f"registry:{seed.host}", door, ["registry", f"registry:{seed.host}"])
            if seed.realm_origin != seed.api:
                self._listen(f"auth:{seed.host}", tokens, ["registry", f"auth:{seed.host}"])

    def _start_plugins(self) -> None:
        try:
            from preflight.sandbox.platform import PlatformEmulator, seed_platform_state
        except ImportError:
            pass
        else:
            self.platform = seed_platform_state([s.login_server.lower() for s in self.seeds])
            self._seed_family_credentials()
            self._listen("platform", PlatformEmulator(self.platform), ["platform"])
        try:
            from preflight.sandbox.arm import ArmEmulator
        except ImportError:
            pass
        else:
            verify: Callable[[str], Mapping[str, Any]] = self.entra.verify
            self._listen("arm", ArmEmulator(self.azure, verify), ["arm"])
        self.git = GitHost(self.state_dir / "git")
        self._listen("git", self.git, ["git"])

    def _seed_family_credentials(self) -> None:
        """The Platform holds a credential for ghcr.io only (and its unrelated docker.io one):
        GHCR's private image is pullable by Wave, Quay's is not."""
        from preflight.sandbox.platform_state import StoredCredential, new_credential_id

        ghcr = next((s for s in self.distribution_seeds if s.kind == "ghcr"), None)
        if ghcr is None or self.platform is None:
            return
        with self.platform.lock:
            # Beside the seeded docker.io credential, in the workspace the env names.
            scope = next(
                (
                    k
                    for k, v in self.platform.credentials.items()
                    if any(c.name == "dockerhub" for c in v)
                ),
                ("workspace", min(self.platform.workspaces)),
            )
            self.platform.credentials.setdefault(scope, []).append(
                StoredCredential(
                    id=new_credential_id(),
                    name="ghcr",
                    provider="container-reg",
                    keys={
                        "userName": ghcr.user,
                        "registry": ghcr.host,
                        "discriminator": "container-reg",
                    },
                    password=self._family_passwords[ghcr.host],
                )
            )
            self.platform.snapshot_seed()

    def _describe(self) -> None:
        entra = self.endpoint("entra")
        azure: dict[str, Any] = {
            "authority": entra,
            "tenant_id": self.azure.tenant_id,
            "client_id": self.azure.client_id,
            "client_secret": self.azure.client_secret,
            "subscription_id": self.azure.subscription_id,
        }
        env = {
            "AZURE_TENANT_ID": self.azure.tenant_id,
            "AZURE_CLIENT_ID": self.azure.client_id,
            "AZURE_CLIENT_SECRET": self.azure.client_secret,
            "AZURE_AUTHORITY_HOST": entra,
            "AZURE_SUBSCRIPTION_ID": self.azure.subscription_id,
            "PREFLIGHT_CA_BUNDLE": str(self.ca_bundle),
            "PREFLIGHT_CONNECT_TO": self.connect_to,
        }
        if "arm" in self._listeners:
            azure["arm_endpoint"] = self.endpoint("arm")
            env["PREFLIGHT_ARM_ENDPOINT"] = azure["arm_endpoint"]
        info: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "ca_bundle": str(self.ca_bundle)}
        if self.platform is not None:
            seqera = {"endpoint": self.endpoint("platform"), **self.platform.describe()}
            info["seqera"] = seqera
            env["TOWER_API_ENDPOINT"] = seqera["endpoint"]
            env["TOWER_ACCESS_TOKEN"] = seqera["access_token"]
            if seqera.get("workspaces"):
                env["TOWER_WORKSPACE_ID"] = str(seqera["workspaces"][0]["id"])
        info["azure"] = azure
        info["registries"] = [
            {
                "login_server": seed.login_server.lower(),
                "host": seed.login_server.lower(),
                "kind": "acr",
                "address": self.address(seed.login_server),
                "resource_group": seed.resource_group,
                "images": seed.image_refs(),
                "public": {image: False for image in seed.image_refs()},
                "tokens": [
                    {
                        "name": token.name,
                        "password": self.password(seed.login_server, token.name),
                        "repositories": list(token.repositories),
                    }
                    for token in seed.tokens
                ],
            }
            for seed in self.seeds
        ]
        info["registries"] += [
            {
                "login_server": seed.host,
                "host": seed.host,
                "kind": seed.kind,
                "address": self._listeners[f"registry:{seed.host}"].address,
                "api_host": seed.api,
                "realm": seed.realm,
                "images": seed.image_refs(),
                "public": seed.visibility(),
                "users": [{"name": seed.user, "password": self._family_passwords[seed.host]}],
                "tokens": [],
            }
            for seed in self.distribution_seeds
        ]
        if self.git is not None:
            info["git"] = self.git.describe()
            # Remote pipelines read from this sandbox's github.com stay in its own cache, never
            # in the user's (where they would pass for the real github.com's).
            env["PREFLIGHT_CACHE_DIR"] = str(self.state_dir / "cache")
        info["env"] = env
        self.info = info
        self.env = env


def start_sandbox(
    state_dir: Path,
    *,
    latency_ms: int = 0,
    registries: Sequence[RegistrySeed] | None = None,
    faults: Sequence[str] = (),
    distribution: Sequence[DistributionSeed] | None = None,
) -> Sandbox:
    """Start every sandbox service with its files under ``state_dir``; return when all listen.

    ``latency_ms`` is added to every request of every service. ``registries`` replaces the
    default seed (:data:`preflight.sandbox.seed.DEFAULT_REGISTRIES`). ``faults`` are switched
    on from the first request, each written as for :func:`preflight.sandbox.faults.parse_fault`
    (a malformed one raises ``ValueError`` before anything starts); :meth:`Sandbox.reset`
    clears them like any other fault. ``distribution`` lists the non-ACR registries (Docker Hub,
    GHCR, Quay, generic); by default the ones of
    :data:`preflight.sandbox.registry_families.DEFAULT_DISTRIBUTION_REGISTRIES`, or none when
    ``registries`` is given without it.
    """
    seeds = tuple(registries if registries is not None else DEFAULT_REGISTRIES)
    if distribution is None:
        distribution = DEFAULT_DISTRIBUTION_REGISTRIES if registries is None else ()
    families = tuple(distribution)
    state_dir = Path(state_dir)
    names = [s.login_server for s in seeds]
    names += [n for s in families for n in dict.fromkeys((s.api, s.realm_origin))]
    certificates = make_certificates(state_dir / "tls", [*names, GIT_HOST])
    passwords = new_password_book(seeds)
    board = FaultBoard(latency_ms=latency_ms)
    for fault in faults:
        board.set_from_text(fault)
    processes: dict[str, RegistryProcess] = {}
    sandbox: Sandbox | None = None
    pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="sandbox-start")
    try:
        processes = _launch_registries(state_dir, certificates, seeds)
        processes.update(_launch_family_registries(state_dir, certificates, families, processes))
        git_repositories = [
            pool.submit(build_repositories, state_dir / "git", [repository])
            for repository in GIT_REPOSITORIES
        ]
        # While the registries start and the images go up: the Entra ID key, the slowest
        # thing to make (cryptography releases the GIL while it works).
        entra_key = pool.submit(new_signing_key)
        azure = azure_state(seeds, passwords, client_secret=secrets.token_urlsafe(30))
        minter = RegistryTokenMinter(certificates.signing_key)
        for process in processes.values():
            process.wait_ready()
        for built in git_repositories:
            built.result()
        sandbox = Sandbox(
            state_dir=state_dir,
            certificates=certificates,
            seeds=seeds,
            passwords=passwords,
            azure=azure,
            entra=EntraIssuer(azure.tenant_id, entra_key.result()),
            faults=board,
            distribution=families,
        )
        sandbox._processes.update(processes)
        sandbox._push_seeded_images(minter, pool)
        sandbox._listen("entra", EntraEmulator(azure, sandbox.entra), ["entra"])
        for seed in seeds:
            login = seed.login_server.lower()
            front_door = AcrFrontDoor(
                login,
                azure,
                minter,
                upstream=sandbox._processes[login].address,
                upstream_tls=certificates.client_context(),
                verify_entra_token=sandbox.entra.verify,
            )
            sandbox._front_doors[login] = front_door
            sandbox._listen(f"acr:{login}", front_door, ["acr", f"acr:{login}"])
        sandbox._open_family_doors(minter)
        sandbox._start_plugins()
        sandbox._describe()
    except BaseException:
        if sandbox is not None:
            sandbox.close()
        for process in processes.values():
            process.stop()
        raise
    finally:
        pool.shutdown(wait=True)
    return sandbox


def _launch_registries(
    state_dir: Path, certificates: SandboxCertificates, seeds: Sequence[RegistrySeed]
) -> dict[str, RegistryProcess]:
    """Launch one registry process per seed (without waiting); stop them all on failure."""
    processes: dict[str, RegistryProcess] = {}
    try:
        for seed in seeds:
            login = seed.login_server.lower()
            process = RegistryProcess(
                RegistryConfig(
                    service=login,
                    directory=state_dir / "registries" / login,
                    certificate=certificates.server_cert,
                    key=certificates.server_key,
                    rootcertbundle=certificates.signing_root,
                )
            )
            processes[login] = process
            process.launch()
    except BaseException:
        for process in processes.values():
            process.stop()
        raise
    return processes


def _launch_family_registries(
    state_dir: Path,
    certificates: SandboxCertificates,
    seeds: Sequence[DistributionSeed],
    started: Mapping[str, RegistryProcess],
) -> dict[str, RegistryProcess]:
    """One registry process per non-ACR registry, its challenge naming the family's realm."""
    processes: dict[str, RegistryProcess] = {}
    try:
        for seed in seeds:
            process = RegistryProcess(
                RegistryConfig(
                    service=seed.service,
                    directory=state_dir / "registries" / seed.host,
                    certificate=certificates.server_cert,
                    key=certificates.server_key,
                    rootcertbundle=certificates.signing_root,
                    realm=seed.realm,
                )
            )
            processes[seed.host] = process
            process.launch()
    except BaseException:
        for process in [*started.values(), *processes.values()]:
            process.stop()
        raise
    return processes
