"""Reading Nextflow configuration as Nextflow does, and enabling Wave in it without damage.

``lexer`` → ``parser`` (syntax tree with ``file:line:col``) → ``evaluator`` (files, includes,
profiles, params → :class:`~preflight.nextflow.resolved.ResolvedConfig`); ``expressions``
evaluates Groovy expressions; ``selectors`` matches ``withName``/``withLabel``; ``editor``
injects ``wave { enabled = true }`` with the smallest text edit.
"""
