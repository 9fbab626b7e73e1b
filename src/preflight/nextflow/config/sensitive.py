"""Which settings hold credentials, and which sources of one may be shown.

A string under one of :data:`SENSITIVE_KEYS` is kept as a ``Secret``; a dynamic one shows its
source only when that source names where the credential comes from (an environment variable,
a pipeline secret, a param) without holding any of it.
"""

from __future__ import annotations

import re

# Leaf names whose string values are credentials: kept as ``Secret`` in the tree.
SENSITIVE_KEYS = frozenset(
    {
        "accessToken",
        "password",
        "accountKey",
        "sasToken",
        "secretKey",
        "clientSecret",
        "secret",
        "apiKey",
        "token",
    }
)
# Sources of a credential that name where it comes from without holding any of it.
SAFE_SOURCE = re.compile(
    r"(System\.getenv|env)\(\s*['\"][A-Za-z_][A-Za-z0-9_]*['\"]\s*\)"
    r"|secrets\.[A-Za-z_][A-Za-z0-9_]*|params\.[A-Za-z_][A-Za-z0-9_.]*"
)
