"""A loopback HTTP ``CONNECT`` proxy that applies the host map for the ``git`` program.

``PREFLIGHT_CONNECT_TO`` maps ``github.com:443`` to another address; preflight's own clients
apply it at the resolver, but ``git`` runs in its own process, and curl's resolve option
(``http.curloptResolve``) cannot change the port. So ``git`` is pointed at this proxy for the
mapped URLs only (``-c http.<url>.proxy=…``): it sends ``CONNECT github.com:443``, the proxy
connects to the mapped address and then only moves bytes. TLS stays end to end between ``git``
and the server, with the real name in SNI, the certificate check and ``Host:``.
"""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Mapping
from types import TracebackType

IDLE_TIMEOUT = 60.0
_BUFFER = 65536


class ConnectTunnel:
    """Serve ``CONNECT`` for the mapped ``(host, port)`` pairs on ``127.0.0.1:<port>``."""

    def __init__(self, mapping: Mapping[tuple[str, int], tuple[str, int]]) -> None:
        self.mapping = dict(mapping)
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port: int = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, name="git-tunnel", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ConnectTunnel:
        self._accepter.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._accepter.join()
        self._server.close()
        for thread in self._threads:
            thread.join(timeout=1.0)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            client.settimeout(IDLE_TIMEOUT)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 16384:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
            if len(request_line) < 2 or request_line[0].upper() != "CONNECT":
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            host, _, port = request_line[1].rpartition(":")
            target = self.mapping.get((host.lower(), int(port) if port.isdigit() else -1))
            if target is None:
                # Only the mapped names go through here; anything else is not ours to reach.
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            try:
                upstream = socket.create_connection(target, timeout=10.0)
            except OSError:
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            with upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                _pipe(client, upstream, self._stop)


def _pipe(a: socket.socket, b: socket.socket, stop: threading.Event) -> None:
    peers = {a: b, b: a}
    while not stop.is_set():
        readable, _, _ = select.select(list(peers), [], [], 0.2)
        for sock in readable:
            try:
                data = sock.recv(_BUFFER)
            except OSError:
                return
            if not data:
                return
            peers[sock].sendall(data)
