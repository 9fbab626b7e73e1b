"""TLS trust: the system store plus, optionally, a CA bundle the user names.

httpx takes an ``ssl.SSLContext``; the Azure SDKs (requests underneath) take a file path, so
``ca_bundle_path`` is kept alongside for them.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from preflight.errors import InputError

ENV_VAR = "PREFLIGHT_CA_BUNDLE"


def ssl_context(ca_bundle: Path | None = None) -> ssl.SSLContext:
    """A verifying client context: system roots, plus ``ca_bundle`` when given."""
    context = ssl.create_default_context()
    if ca_bundle is not None:
        try:
            context.load_verify_locations(cafile=str(ca_bundle))
        except (OSError, ssl.SSLError) as exc:
            raise InputError(
                f"cannot load the CA bundle {ca_bundle}: {exc}",
                remedy=f"point {ENV_VAR} (or --ca-bundle) at a readable PEM file",
            ) from exc
    return context
