"""Provision what Wave needs to pull private ACR images: plan first, then apply, or roll back.

``planner`` decides (read-only) what is missing per registry — scope map, token, ``password1``,
Seqera credential — and returns a :class:`~preflight.provision.plan.ProvisionPlan`; ``apply``
carries it out step by step and undoes this run's creations when a later step fails.
"""

from preflight.provision.apply import ApplyResult, Created, apply_plan
from preflight.provision.plan import ProvisionPlan, Readiness, RegistryPlan
from preflight.provision.planner import ProvisionOptions, plan_provisioning

__all__ = [
    "ApplyResult",
    "Created",
    "ProvisionOptions",
    "ProvisionPlan",
    "Readiness",
    "RegistryPlan",
    "apply_plan",
    "plan_provisioning",
]
