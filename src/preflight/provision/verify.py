"""Prove a freshly provisioned credential: Wave's pull handshake with the new password.

The password exists in preflight's hands only between ``generateCredentials`` and the Platform
request; this is the one moment the real handshake can be run with it, so ``fix`` runs it
before anything is launched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from preflight.checks.base import CheckOptions
from preflight.model import Report
from preflight.pipeline import PipelineSpec
from preflight.secret import Secret
from preflight.settings import Settings


def verify_pull(
    spec: PipelineSpec,
    settings: Settings,
    passwords: Mapping[str, Secret],
    environ: Mapping[str, str],
) -> Report | None:
    """The pull findings of a check run with ``passwords``; ``None`` when there are none.

    The images and credentials checks run first because the pull check needs what they find
    (the images, and the credential whose token signs in); only the pull findings are kept.
    """
    if not passwords:
        return None
    from preflight.checks.credentials import CredentialsCheck
    from preflight.checks.images import ImagesCheck
    from preflight.checks.pull import PullCheck
    from preflight.wiring import run_all_checks

    report = run_all_checks(
        spec,
        settings,
        CheckOptions(registry_passwords=passwords),
        environ,
        checks=(ImagesCheck(), CredentialsCheck(), PullCheck()),
    )
    pull = tuple(f for f in report.findings if f.check == "pull")
    return replace(report, findings=pull, images=(), unresolved=())
