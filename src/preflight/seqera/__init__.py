"""Seqera Platform: the API client, its models, workspace resolution and Wave's credential rule.

Everything preflight knows about the Platform lives here; checks and provisioning use these
modules and never speak HTTP to the Platform themselves.
"""
