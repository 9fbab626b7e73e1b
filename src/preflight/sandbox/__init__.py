"""Local, faithful stand-ins for Seqera Platform, Entra ID, Azure Resource Manager and ACR.

preflight's real clients talk to them over real HTTPS; the ACR is a real OCI registry process
behind an ACR-compatible token service. Used by the tests, ``make demo`` and the benchmarks, and
by users who want to try preflight offline (``preflight sandbox up``).
"""
