"""The OCI distribution pull handshake, as Wave performs it, and its step-by-step diagnosis.

``probe_pull`` / ``probe_many`` (in :mod:`.handshake`) prove a pull with token credentials;
:mod:`.diagnosis` turns their results into findings. Nothing here imports an Azure SDK.
"""

from preflight.registry.failures import HandshakeFailure, Problem, Step
from preflight.registry.handshake import (
    ManifestCheck,
    PullResult,
    PullTarget,
    probe_many,
    probe_pull,
)

__all__ = [
    "HandshakeFailure",
    "ManifestCheck",
    "Problem",
    "PullResult",
    "PullTarget",
    "Step",
    "probe_many",
    "probe_pull",
]
