"""The fault tests' fixtures; their helpers live in ``faults_support`` (a module name no other
test folder uses, so ``from faults_support import …`` is never another folder's conftest)."""

from faults_support import demo_pipeline, fixed, preflight, when

__all__ = ["demo_pipeline", "fixed", "preflight", "when"]
