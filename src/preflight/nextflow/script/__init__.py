"""The ``.nf`` scripts of a pipeline: which load, what they define, which processes a run reaches.

:mod:`~preflight.nextflow.script.scan` is the entry point.
"""
