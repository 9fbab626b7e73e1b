"""Reading Nextflow configuration as Nextflow does, and enabling Wave in it without damage.

``lexer`` → ``parser`` (syntax tree with ``file:line:col``) → ``evaluator`` (files, includes,
profiles, params → :class:`~preflight.nextflow.resolved.ResolvedConfig`); ``expressions``
evaluates Groovy expressions; ``selectors`` matches ``withName``/``withLabel``; ``editor``
injects ``wave { enabled = true }`` with the smallest text edit.

Why a reader of our own: Nextflow configuration is Groovy, not HOCON. pyhocon rejects almost
every real pipeline config (block comments, ``includeConfig``, selectors, closures, ternaries)
and silently misreads the rest (single quotes kept, ``${…}`` left literal, ``#`` taken as a
comment), and writing a tree back drops every comment. pyhocon's ``ConfigTree`` remains the
in-memory shape of the merged result.
"""
