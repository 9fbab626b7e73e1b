"""Nextflow configuration: which files, parsed, merged and evaluated as Nextflow does.

``sources`` (which files) → ``parser`` → ``evaluator`` (includes, profiles, params) →
``resolved``; ``selectors`` match processes, ``render`` shows the result, ``editor`` makes the
Wave edit.
"""
