"""Reading Nextflow configuration as Nextflow does, and enabling Wave in it without damage.

``groovy`` is the language both kinds of file share (tokens, syntax tree, expressions, values);
``config`` reads configuration files (``sources`` → ``parser`` → ``evaluator`` →
:class:`~preflight.nextflow.config.resolved.ResolvedConfig`, ``selectors``, the Wave ``editor``);
``script`` reads ``.nf`` files (which load, their processes, which a run reaches).

Why a reader of our own: Nextflow configuration is Groovy, not HOCON. pyhocon rejects almost
every real pipeline config (block comments, ``includeConfig``, selectors, closures, ternaries)
and silently misreads the rest (single quotes kept, ``${…}`` left literal, ``#`` taken as a
comment), and writing a tree back drops every comment. The merged result is a small ordered
scope of our own (:mod:`~preflight.nextflow.config.scope`), the shape of Nextflow's
``ConfigObject``.
"""
