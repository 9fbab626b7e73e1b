"""The container image of every process, resolved as Nextflow resolves it.

``resolve`` (the pipeline's images) uses ``rules`` (selector priority, engine, registry, Wave
strategy), ``directives`` (evaluating a directive's text) and ``ref`` (image references).
"""
