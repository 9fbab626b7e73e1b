"""The HTTPS listener every sandbox service runs on: bytes in, ``Request``; ``Response``, bytes out.

One :class:`HttpsListener` per service, on ``127.0.0.1`` and a port the OS picks. It speaks
HTTP/1.1 with keep-alive, keeps repeated headers in both directions, reads fixed-length and
chunked request bodies, and writes a response body that is bytes or an iterator of chunks.
Faults (``preflight.sandbox.faults``) are applied here, before the emulator is called, so the
emulators stay plain ``Handler`` objects that know nothing of sockets.

The stdlib server is enough: it starts in about a millisecond, needs no event loop and no
dependency. ``poll_interval=0.05`` keeps ``close()`` fast; the TLS handshake runs in the
connection's own thread, so a client that never finishes it cannot block the others.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from preflight.sandbox.faults import Fault, FaultBoard
from preflight.sandbox.http import Handler, Request, Response

POLL_INTERVAL = 0.05
IDLE_TIMEOUT = 30.0  # seconds a keep-alive connection may sit idle
SLOW_BODY_CHUNK = 16  # bytes per chunk when a body is streamed slowly
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


def _fault_response(service: str, fault: Fault) -> Response:
    """The body a service of this kind answers an injected error with, in its own error shape."""
    status = fault.status or 500
    message = f"sandbox fault: injected HTTP {status}"
    headers = [("Retry-After", str(fault.retry_after))] if fault.retry_after is not None else []
    payload: dict[str, Any]
    if service.startswith("acr"):
        code = "TOOMANYREQUESTS" if status == 429 else "UNAVAILABLE"
        payload = {"errors": [{"code": code, "message": message, "detail": None}]}
    elif service == "arm":
        code = "TooManyRequests" if status == 429 else "ServiceUnavailable"
        payload = {"error": {"code": code, "message": message}}
    elif service == "entra":
        payload = {"error": "temporarily_unavailable", "error_description": message}
    else:
        payload = {"message": message}
    return Response.of_json(status, payload, headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, listener: HttpsListener) -> None:
        self.listener = listener
        super().__init__(("127.0.0.1", 0), _RequestHandler)

    def get_request(self) -> tuple[socket.socket, Any]:
        # Wrap each accepted socket without handshaking here: the handshake happens on the
        # first read, in the connection's thread.
        sock, address = self.socket.accept()
        wrapped = self.listener.ssl_context.wrap_socket(
            sock, server_side=True, do_handshake_on_connect=False
        )
        self.listener._track(wrapped)
        return wrapped, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Client-side trouble (a reset, a refused certificate) is not the sandbox's problem."""

    def shutdown_request(self, request: Any) -> None:
        self.listener._untrack(request)
        super().shutdown_request(request)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: with Nagle's algorithm on, the body waits
    # for the client's delayed ACK (~40 ms a response). Real services do not pay that.
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """The sandbox logs nothing on its own; tests assert on what the emulators record."""

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts: list[bytes] = []
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline(3)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        listener = self.server.listener
        epoch = listener.faults.epoch
        raw_path, _, query_string = self.path.partition("?")
        body = self._read_body()
        host_header = self.headers.get("Host") or ""
        request = Request(
            method=self.command,
            path=raw_path,
            query=parse_qs(query_string, keep_blank_values=True),
            headers=tuple((k, v) for k, v in self.headers.items()),
            body=body,
            host=_host_name(host_header),
        )
        faults = listener.faults
        held = faults.latency_ms
        fault = faults.take(listener.fault_keys, raw_path)
        if fault is not None:
            held += fault.latency_ms
        # A request held past a reset belongs to an earlier test: it is dropped, never handled.
        abandoned = held > 0 and not faults.delay(held / 1000, epoch)
        if abandoned or (fault is not None and fault.drop):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault is not None and fault.status is not None:
            response = _fault_response(listener.fault_keys[0], fault)
        else:
            try:
                response = listener.handler.handle(request)
            except Exception as exc:  # noqa: BLE001 - an emulator bug becomes a visible 500
                listener.errors.append(exc)
                response = Response.of_json(500, {"message": f"sandbox error: {exc!r}"})
        self._write(response, slow_ms=fault.slow_body_ms if fault is not None else 0)

    def _write(self, response: Response, *, slow_ms: int) -> None:
        headers = [(k, v) for k, v in response.headers if k.lower() not in HOP_BY_HOP]
        names = {k.lower() for k, _ in headers}
        head_only = self.command == "HEAD" or response.status in (204, 304)
        chunks: Iterable[bytes]
        chunked = False
        if isinstance(response.body, bytes):
            if "content-length" not in names and not head_only:
                headers.append(("Content-Length", str(len(response.body))))
            chunks = _pieces(response.body) if slow_ms else [response.body]
        else:
            chunks = response.body
            if "content-length" not in names and not head_only:
                headers.append(("Transfer-Encoding", "chunked"))
                chunked = True
        self.send_response(response.status)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if head_only:
            return
        for chunk in chunks:
            if not chunk:
                continue
            if slow_ms:
                self.wfile.flush()
                time.sleep(slow_ms / 1000)
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                self.wfile.write(chunk)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch


def _pieces(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), SLOW_BODY_CHUNK):
        yield body[start : start + SLOW_BODY_CHUNK]


def _host_name(host_header: str) -> str:
    """``Host`` without its port (``[::1]:8443`` → ``::1``), lower-cased."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class HttpsListener:
    """One service's HTTPS listener on ``127.0.0.1:<port>``, serving ``handler`` in threads.

    ``fault_keys`` are the fault-board names this listener answers to, most specific last
    (``("acr", "acr:<login server>")`` for a registry); the first one picks the error shape of
    injected statuses. Emulator exceptions become a 500 and are kept in ``errors``.
    """

    def __init__(
        self,
        handler: Handler,
        ssl_context: ssl.SSLContext,
        *,
        fault_keys: Sequence[str],
        faults: FaultBoard | None = None,
    ) -> None:
        self.handler = handler
        self.ssl_context = ssl_context
        self.fault_keys = tuple(fault_keys)
        self.faults = faults or FaultBoard()
        self.errors: list[BaseException] = []
        self._connections: set[Any] = set()
        self._connections_lock = threading.Lock()
        self._server = _Server(self)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=f"sandbox-{self.fault_keys[-1]}",
            daemon=True,
        )
        self._closed = False

    @property
    def address(self) -> str:
        """``127.0.0.1:PORT``."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> HttpsListener:
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop accepting, close open keep-alive connections, free the port. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
        with self._connections_lock:
            open_connections = list(self._connections)
            self._connections.clear()
        for connection in open_connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _track(self, connection: Any) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def _untrack(self, connection: Any) -> None:
        with self._connections_lock:
            self._connections.discard(connection)
