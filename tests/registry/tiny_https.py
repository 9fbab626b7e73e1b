"""A tiny recording HTTPS server for credential-forwarding tests (a hostile registry, a collector).

Each server answers with a function of (method, path, headers) and records every request it got,
headers included, so a test can assert that a password or token never reached it.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import trustme

Answer = tuple[int, dict[str, str], bytes]
Responder = Callable[[str, str, dict[str, str]], Answer]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class TinyServer:
    port: int
    seen: list[Seen] = field(default_factory=list)


@contextmanager
def serve(
    ca: trustme.CA, names: list[str], respond: Responder, *, tls: bool = True
) -> Iterator[TinyServer]:
    """Serve ``respond`` on 127.0.0.1 (HTTPS with a certificate for ``names`` unless ``tls``)."""
    record = TinyServer(port=0)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            record.seen.append(Seen(self.command, self.path, headers))
            status, out_headers, body = respond(self.command, self.path, headers)
            self.send_response(status)
            for name, value in out_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_HEAD = do_POST = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*names).configure_cert(context)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    record.port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()
