"""Forwarding registry requests from an ACR front door to its real registry process.

The registry process listens on its own loopback port and advertises the realm it was configured
with (``https://<login server>/oauth2/token``). The client, though, may have reached the front
door as ``<login server>`` (through the host map) or as ``127.0.0.1:PORT``; so the proxy passes
the client's ``Host`` on (upload ``Location`` URLs then point back at the front door) and
rewrites the realm of every challenge to the origin the client used. Repeated headers survive
in both directions (skopeo sends several ``Accept`` headers); ``%2F`` in repository names is
unquoted, since ``azure-containerregistry`` encodes the slash. Bodies are buffered: the
sandbox's images are tiny.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Sequence
from urllib.parse import urlencode

import httpx

from preflight.sandbox.http import Request, Response

UPSTREAM_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
_DROP_REQUEST_HEADERS = frozenset(
    {"host", "connection", "keep-alive", "transfer-encoding", "content-length", "accept-encoding"}
)
_DROP_RESPONSE_HEADERS = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "date", "server"}
)


def unquote_repository(path: str) -> str:
    """``/v2/team%2Fapp/manifests/1.0`` → ``/v2/team/app/manifests/1.0``."""
    return re.sub("%2[Ff]", "/", path)


class RegistryProxy:
    """An HTTP client to one registry process (``upstream`` is ``127.0.0.1:PORT``)."""

    def __init__(self, login_server: str, *, upstream: str, upstream_tls: ssl.SSLContext) -> None:
        self._configured_realm = f"https://{login_server.lower()}/oauth2/token"
        self._default_host = login_server.lower()
        self._client = httpx.Client(
            base_url=f"https://{upstream}",
            verify=upstream_tls,
            timeout=UPSTREAM_TIMEOUT,
            follow_redirects=False,
        )

    def forward(
        self, request: Request, *, replace_headers: Sequence[tuple[str, str]] = ()
    ) -> Response:
        """Send ``request`` on; ``replace_headers`` replace the client's headers of those names."""
        path = unquote_repository(request.path)
        query = urlencode([(k, v) for k, vs in request.query.items() for v in vs])
        host_header = request.header("Host") or self._default_host
        drop = _DROP_REQUEST_HEADERS | {name.lower() for name, _ in replace_headers}
        headers = [(k, v) for k, v in request.headers if k.lower() not in drop]
        headers += [("Host", host_header), ("Accept-Encoding", "identity"), *replace_headers]
        try:
            upstream = self._client.request(
                request.method,
                path + (f"?{query}" if query else ""),
                headers=headers,
                content=request.body or None,
            )
        except httpx.HTTPError as exc:
            payload = {
                "errors": [
                    {
                        "code": "UNAVAILABLE",
                        "detail": None,
                        "message": f"registry process unreachable: {exc}",
                    }
                ]
            }
            return Response.of_json(502, payload)
        realm = f"https://{host_header}/oauth2/token"
        response_headers = [
            (k, v.replace(self._configured_realm, realm) if k.lower() == "www-authenticate" else v)
            for k, v in upstream.headers.multi_items()
            if k.lower() not in _DROP_RESPONSE_HEADERS
        ]
        return Response(upstream.status_code, response_headers, upstream.content)

    def close(self) -> None:
        self._client.close()
