"""The ``.nf`` scanner: every process a pipeline loads, how it is reached, and its directives.

Nextflow loads ``main.nf`` and, through DSL2 ``include { X as Y } from './path'``, every module
and subworkflow it names. For each loaded process this scanner records its declared name, its
labels and the *source text* of its ``container`` and ``conda`` directives with ``file:line:col``
(evaluation is the caller's job: it needs the configuration, the engine and the params). It also
walks the workflows from the entry workflow down, so each process comes with the include alias
and the fully qualified name (``WORKFLOW:SUB:PROC``) that config selectors may target.

This module is the entry point and the one import callers need; the work is split by job:

* :mod:`~preflight.nextflow.script.tokens` — the compiled token patterns, statement ends;
* :mod:`~preflight.nextflow.script.scanner` — one pass over one file (:func:`scan_script`);
* :mod:`~preflight.nextflow.script.process` — a process's directives as they are read;
* :mod:`~preflight.nextflow.script.includes` — which files load, include path resolution;
* :mod:`~preflight.nextflow.script.calls` — what a workflow body invokes, under which ``if``;
* :mod:`~preflight.nextflow.script.conditions` — the params in force, the conditions they decide;
* :mod:`~preflight.nextflow.script.reach` — the walk from the entry workflow, aliases, FQNs;
* :mod:`~preflight.nextflow.script.model` — the records all of them produce.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from preflight.nextflow.config.collector import collector_paused
from preflight.nextflow.script.conditions import Conditions, params_in_force
from preflight.nextflow.script.includes import (
    MODULE_DIRS,
    canonical,
    load_scripts,
    read_script,
    resolve_include,
)
from preflight.nextflow.script.model import (
    Directive,
    Include,
    PipelineScripts,
    ProcessDef,
    ProcessInstance,
    ScanIssue,
    ScriptFile,
    WorkflowDef,
)
from preflight.nextflow.script.reach import reach
from preflight.nextflow.script.scanner import scan_script
from preflight.nextflow.script.tokens import statement_end

__all__ = [
    "MODULE_DIRS",
    "Directive",
    "Include",
    "PipelineScripts",
    "ProcessDef",
    "ProcessInstance",
    "ScanIssue",
    "ScriptFile",
    "WorkflowDef",
    "read_script",
    "resolve_include",
    "scan_pipeline",
    "scan_script",
    "statement_end",
]


def scan_pipeline(
    root: Path,
    main_script: Path | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    profile: str = "standard",
) -> PipelineScripts:
    """Scan what ``nextflow run`` would load, and reach every process from the entry workflow.

    With a main script, the files are those its includes reach (as Nextflow loads them). Without
    one, every ``.nf`` file under ``workflows/``, ``subworkflows/`` and ``modules/`` is scanned
    and each process is listed under its declared name. ``params`` (from the configuration and
    the command line) over the main script's defaults, and ``profile`` (``workflow.profile``),
    decide the ``if`` conditions around includes and calls. The cycle collector is paused
    meanwhile: what a scan allocates forms no cycles and lives until it returns.
    """
    with collector_paused():
        return _scan_pipeline(root, main_script, params, profile)


def _scan_pipeline(
    root: Path, main_script: Path | None, config_params: Mapping[str, Any] | None, profile: str
) -> PipelineScripts:
    top = canonical(os.fspath(root))
    main = canonical(os.fspath(main_script)) if main_script is not None else None
    loaded = load_scripts(top, main)
    files = loaded.files
    script_params = dict(files[main].params) if main is not None and main in files else {}
    params = params_in_force(script_params, config_params or {}, top)
    reached = reach(files, loaded.targets, main, Conditions(params, profile))
    workflows = files[main].workflows if main is not None and main in files else ()
    followed = (
        ()
        if any(w.name is None for w in workflows)
        else tuple(w.name for w in workflows if w.name is not None)
    )
    ordered = tuple(sorted(files.values(), key=lambda f: f.display))
    return PipelineScripts(
        ordered,
        tuple(reached.instances),
        (*loaded.issues, *reached.issues),
        script_params,
        reached.other_entries,
        followed,
        params,
        next((w.location for w in workflows if w.name is None), None)
        or (workflows[0].location if workflows else None),
    )
