"""The container image of every process, resolved as Nextflow resolves it.

``resolve`` (the pipeline's images) uses ``rules`` (selector priority), ``engine`` (engine,
registry, Wave strategy), ``task_scope`` (what a directive sees for a task: lazy
``task.ext``, watched params), ``directives`` (evaluating a directive's text) and ``ref``
(image references); its results are the records of ``results``, judged by ``findings`` (per
image) and ``coverage`` (which processes were checked).
"""
