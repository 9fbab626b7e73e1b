"""One real OCI registry process: Debian's CNCF distribution registry, with token auth and TLS.

``docker-registry serve CONFIG`` listens on ``127.0.0.1:0``; the port it got is read from its
``listening on 127.0.0.1:PORT`` log line, written once the socket is bound (so it is ready).
It trusts registry JWTs signed through the sandbox's signing CA only (``rootcertbundle``),
requires ``iss`` = :data:`ISSUER` and ``aud`` = the login server, and never calls the token
service itself. The child gets ``PR_SET_PDEATHSIG`` so that it dies with the thread that started
it even when the parent is killed — start it from a long-lived thread (the main thread).
"""

from __future__ import annotations

import ctypes
import json
import secrets
import shutil
import signal
import subprocess
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from preflight.errors import InputError, ServiceError

BINARY = "docker-registry"
DEBIAN_PACKAGE = "docker-registry"
ISSUER = "Azure Container Registry"  # ACR's own `iss`
READY_TIMEOUT = 10.0
STOP_TIMEOUT = 3.0
_PR_SET_PDEATHSIG = 1

CONFIG_TEMPLATE = """\
version: 0.1
log:
  level: info
  formatter: text
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {storage}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:0
  secret: {secret}
  tls:
    certificate: {certificate}
    key: {key}
auth:
  token:
    realm: {realm}
    service: {service}
    issuer: {issuer}
    rootcertbundle: {rootcertbundle}
"""


class RegistryMissingError(InputError):
    """The registry program is not installed: the machine needs a Debian package first."""


class RegistryStartError(ServiceError):
    """The registry process started but never listened (its log says why)."""


@dataclass(frozen=True)
class RegistryConfig:
    """What one registry process needs: its ``service`` is the ACR login server it stands for
    (or, for another family, the ``service`` its token service names, e.g. ``registry.docker.io``).
    """

    service: str
    directory: Path  # config, storage and nothing else
    certificate: Path
    key: Path
    rootcertbundle: Path
    realm: str = ""  # the challenge's realm; ACR's ``https://<service>/oauth2/token`` if empty


def _die_with_parent() -> None:  # runs in the child between fork and exec
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def write_config(config: RegistryConfig) -> Path:
    """Write the registry's YAML config into its directory and return the file."""
    storage = config.directory / "storage"
    storage.mkdir(parents=True, exist_ok=True)
    path = config.directory / "config.yml"

    def quoted(value: object) -> str:  # a JSON string is a YAML string, whatever it holds
        return json.dumps(str(value))

    path.write_text(
        CONFIG_TEMPLATE.format(
            storage=quoted(storage),
            secret=quoted(secrets.token_hex(16)),
            certificate=quoted(config.certificate),
            key=quoted(config.key),
            realm=quoted(config.realm or f"https://{config.service}/oauth2/token"),
            service=quoted(config.service),
            issuer=quoted(ISSUER),
            rootcertbundle=quoted(config.rootcertbundle),
        )
    )
    return path


class RegistryProcess:
    """A running ``docker-registry``; :meth:`launch` then :meth:`wait_ready`, :meth:`stop` at end.

    Launching and waiting are separate so that several registries start in parallel.
    """

    def __init__(self, config: RegistryConfig) -> None:
        self.config = config
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._ready = threading.Event()
        self._log: deque[str] = deque(maxlen=50)
        self._reader: threading.Thread | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def launch(self) -> None:
        """Start the child process (returns at once; see :meth:`wait_ready`)."""
        binary = shutil.which(BINARY)
        if binary is None:
            raise RegistryMissingError(
                f"the registry program {BINARY!r} was not found on PATH",
                remedy=f"install the Debian package {DEBIAN_PACKAGE!r}:"
                f" sudo apt-get install --no-install-recommends {DEBIAN_PACKAGE}",
                where=f"sandbox registry {self.config.service}",
            )
        config_file = write_config(self.config)
        self._process = subprocess.Popen(
            [binary, "serve", str(config_file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.config.directory,
            preexec_fn=_die_with_parent,  # the only way to set PR_SET_PDEATHSIG
        )
        self._reader = threading.Thread(
            target=self._read_log,
            args=(self._process.stderr,),
            name=f"registry-log-{self.config.service}",
            daemon=True,
        )
        self._reader.start()

    def _read_log(self, stream: IO[bytes]) -> None:
        """Find the port in the log, then keep draining stderr so the child never blocks."""
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip()
            self._log.append(line)
            if not self._ready.is_set() and "listening on " in line:
                address = line.split("listening on ", 1)[1].split(",", 1)[0].strip()
                self.port = int(address.rsplit(":", 1)[1])
                self._ready.set()
        self._ready.set()  # the process ended: wake a waiter, who sees port 0

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Block until the registry listens; on failure stop it and raise with its last log."""
        self._ready.wait(timeout)
        if self.port:
            return
        self.stop()
        tail = "\n".join(list(self._log)[-5:]) or "(no output)"
        raise RegistryStartError(
            f"the registry for {self.config.service} did not start listening: {tail}",
            remedy=f"run '{BINARY} serve {self.config.directory / 'config.yml'}' by hand"
            " to see why",
            where=f"sandbox registry {self.config.service}",
        )

    def request_stop(self) -> None:
        """Send SIGTERM without waiting, so that several registries stop in parallel."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()

    def stop(self) -> None:
        """Terminate the child and reap it (idempotent)."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
        if process.returncode is None:
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT)
        if self._reader is not None:
            self._reader.join(STOP_TIMEOUT)  # the pipe is at EOF once the child is gone
        if process.stderr is not None:
            process.stderr.close()

    def log_tail(self) -> list[str]:
        """The last lines the registry wrote (for diagnostics)."""
        return list(self._log)
