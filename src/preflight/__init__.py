"""preflight: will Wave be able to pull every private ACR image this Nextflow run needs?

The package's public Python API is :func:`preflight.check` (see :mod:`preflight.api`). It is
imported lazily so that ``import preflight`` (and ``preflight --help``) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from preflight.model import Report


def check(*args: Any, **kwargs: Any) -> Report:
    """Run every check on a pipeline and return the report; see :func:`preflight.api.check`."""
    from preflight.api import check as _check

    return _check(*args, **kwargs)


__all__ = ["__version__", "check"]
