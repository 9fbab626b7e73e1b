"""The container image of every process, resolved as Nextflow resolves it, and which are on ACR.

For each process the run reaches (from the ``.nf`` scanner) the ``container`` setting is chosen
with Nextflow's priority — ``process.container`` < the directive < ``withLabel`` < ``withName`` on
the declared name < on the include alias < on the fully qualified name — then evaluated with
``workflow.containerEngine`` set to the engine, ``workflow.profile`` to the run's profiles, the
params in force and a lazy ``task.ext`` (:mod:`preflight.images.task_scope`), then the engine's
registry rule is applied (:mod:`preflight.images.rules`). What cannot be known before the run
becomes an :class:`~preflight.model.Unresolved` entry with its place, never a silent omission.

``nextflow inspect`` evaluates ``withName`` selectors on the declared name only; where a selector
aimed at an alias or a fully qualified name makes the real image differ, both are reported.

A process that is loaded (included) but never called from the entry workflow is resolved for the
per-process detail only: the run never pulls its image, so it yields no ``ImageUse``, no
unresolved entry and no per-image finding — only the findings of :mod:`preflight.images.coverage`
naming the processes not checked. The findings themselves are :mod:`preflight.images.findings`'.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from preflight.errors import InputError, PreflightError
from preflight.images.coverage import entry_finding, unreached_finding, zero_reached_finding
from preflight.images.engine import RegistryRule, choose_engine, conda_wins, registry_findings
from preflight.images.findings import assemble, scan_findings
from preflight.images.ref import ImageRef
from preflight.images.results import ImageResolution, Outcome, ProcessImage
from preflight.images.rules import SelectorTable, Setting, child, merged_ext, select_setting
from preflight.images.task_scope import WatchedParams, task_context, workflow_profile
from preflight.model import Location
from preflight.nextflow.config.collector import collector_paused
from preflight.nextflow.script.conditions import params_in_force
from preflight.nextflow.script.scan import (
    Directive,
    PipelineScripts,
    ProcessInstance,
    scan_pipeline,
)
from preflight.pipeline import PipelineSpec

if TYPE_CHECKING:
    from preflight.nextflow.config.resolved import ResolvedConfig


def resolve_images(
    spec: PipelineSpec,
    resolved_config: ResolvedConfig | None = None,
    *,
    scripts: PipelineScripts | None = None,
) -> ImageResolution:
    """Resolve every process's image for ``spec``; reads the configuration unless given one.

    Raises :class:`~preflight.errors.InputError` only when the pipeline cannot be read at all
    (its configuration is malformed); everything per process becomes a result.

    Like the configuration reader, it allocates many small objects that form no cycles and
    live until it returns, so the cycle collector is paused meanwhile.
    """
    with collector_paused():
        return _resolve(spec, resolved_config, scripts)


def _resolve(
    spec: PipelineSpec, resolved_config: ResolvedConfig | None, scripts: PipelineScripts | None
) -> ImageResolution:
    if resolved_config is None:
        from preflight.nextflow.config.evaluator import resolve_config

        resolved_config = resolve_config(spec)
    root = str(spec.root)
    if scripts is None:
        scripts = scan_pipeline(
            spec.root,
            spec.main_script,
            params=_mapping(resolved_config.params),
            profile=workflow_profile(spec.profiles),
        )
        params = scripts.params  # the params the scan decided its conditions with
    else:
        params = params_in_force(scripts.script_params, resolved_config.params, root)
    tree: Mapping[str, Any] = resolved_config.tree
    origin = _origin_lookup(resolved_config)
    engine, engine_findings = choose_engine(spec.engine, tree, origin)
    rule = RegistryRule.from_config(tree, engine, origin)
    process_scope = _mapping(child(tree, "process"))
    workflow = {
        "containerEngine": engine,
        "projectDir": root,
        "profile": workflow_profile(spec.profiles),
    }
    resolver = _ProcessResolver(
        engine, rule, params, workflow, process_scope, origin, conda_wins(tree), root
    )
    processes = tuple(resolver.resolve(instance) for instance in scripts.instances)
    findings = [*engine_findings, *registry_findings(rule)]
    findings.extend(scan_findings(scripts))
    resolution = assemble(engine, processes, findings)
    notes = [
        *unreached_finding(resolution.unreached, scripts),
        entry_finding(scripts),
        zero_reached_finding(processes, scripts),
    ]
    added = tuple(note for note in notes if note is not None)
    return replace(resolution, findings=resolution.findings + added) if added else resolution


class _ProcessResolver:
    """Resolves one process instance after another with the same configuration and params."""

    def __init__(
        self,
        engine: str,
        rule: RegistryRule,
        params: Mapping[str, Any],
        workflow: Mapping[str, Any],
        process_scope: Mapping[str, Any],
        origin: Callable[[str], Location | None],
        conda_first: bool,
        root: str,
    ) -> None:
        self.root = root
        self.engine = engine
        self.rule = rule
        self.params = WatchedParams(params)
        self.workflow = workflow
        self.selectors = SelectorTable(process_scope)
        self.origin = origin
        self.conda_first = conda_first
        self.module_dirs: dict[str, str] = {}
        # Imported here, once: the expression evaluator is not needed to import this module.
        from preflight.images.directives import evaluate_directive
        from preflight.nextflow.groovy.expressions import call_closure
        from preflight.nextflow.groovy.values import Closure, first_dynamic

        self.evaluate_directive = evaluate_directive
        self.call_closure = call_closure
        self.closure_type = Closure
        self.first_dynamic = first_dynamic

    def resolve(self, instance: ProcessInstance) -> ProcessImage:
        definition = instance.definition
        names = (definition.name, instance.alias, instance.fqn)
        labels = definition.labels

        def result(
            outcome: Outcome = Outcome.NONE, source: Location | None = None, **found: Any
        ) -> ProcessImage:
            # One construction per process: ``dataclasses.replace`` costs as much again.
            return ProcessImage(
                instance.fqn,
                definition.name,
                instance.alias,
                labels,
                instance.reached,
                outcome,
                source=source,
                excluded_by=instance.excluded_by,
                **found,
            )

        if definition.dynamic_labels and self.selectors.labels_set("container"):
            label = definition.dynamic_labels[0]
            return result(
                Outcome.UNRESOLVED,
                label.location,
                reason=f"a label is set by an expression ({label.source}) and "
                "withLabel selectors set containers",
            )
        directive = _directive_setting(definition.container)
        blocks, declared_blocks = self.selectors.declared_only(names, labels)
        chosen = select_setting(
            self.selectors,
            "container",
            names=names,
            labels=labels,
            directive=directive,
            origin=self.origin,
            blocks=blocks,
        )
        inspect = (
            chosen
            if len(declared_blocks) == len(blocks)
            else select_setting(
                self.selectors,
                "container",
                names=names[:1],
                labels=labels,
                directive=directive,
                origin=self.origin,
                blocks=declared_blocks,
            )
        )
        if definition.conda is not None and self.conda_first:
            return result(
                Outcome.CONDA, definition.conda.location, origin="conda directive (wave.strategy)"
            )
        if chosen is None:
            return result(source=definition.location)
        ext = merged_ext(self.selectors, names=names, labels=labels, blocks=blocks)
        self.params.unset.clear()
        value, problem = self._evaluate(chosen, instance, ext)
        # Unset params render as ``null``: keep the image, and name the params to set.
        unset = tuple(dict.fromkeys(self.params.unset)) if value and "null" in value else ()
        set_by, where = chosen.origin, chosen.location
        if problem:
            return result(Outcome.UNRESOLVED, where, origin=set_by, reason=problem)
        if value is None:  # ``container null``/``false``: deliberately none
            return result(Outcome.NONE, where, origin=set_by)
        image_text, skip = self.rule.normalise(value)
        if skip:
            return result(Outcome.NOT_REGISTRY, where, origin=set_by, raw=value, reason=skip)
        try:
            image = ImageRef.parse(image_text)
        except InputError as exc:
            return result(
                Outcome.INVALID,
                where,
                origin=set_by,
                raw=value,
                reason=exc.message,
                unset_params=unset,
            )
        inspect_text: str | None = str(image)
        if inspect != chosen:
            inspect_text = self._inspect_image(inspect, instance, ext) if inspect else None
        return result(
            Outcome.IMAGE,
            where,
            origin=set_by,
            image=image,
            raw=value,
            inspect_image=inspect_text,
            unset_params=unset,
        )

    def _inspect_image(
        self, setting: Setting, instance: ProcessInstance, ext: Mapping[str, Any]
    ) -> str | None:
        value, problem = self._evaluate(setting, instance, ext)
        if problem or value is None:
            return None
        text, skip = self.rule.normalise(value)
        if skip:
            return text
        try:
            return str(ImageRef.parse(text))
        except InputError:
            return text

    def _evaluate(
        self, setting: Setting, instance: ProcessInstance, ext: Mapping[str, Any]
    ) -> tuple[str | None, str]:
        """The container text of ``setting`` for this process, or why it cannot be known."""
        file = instance.definition.location.file
        folder = file.rpartition("/")[0]  # locations name files with "/" (relative to root)
        module_dir = self.module_dirs.get(folder)
        if module_dir is None:
            module_dir = self.module_dirs[folder] = os.path.dirname(os.path.join(self.root, file))
        scope = task_context(
            ext=ext,
            params=self.params,
            workflow=self.workflow,
            root=self.root,
            module_dir=module_dir,
            fqn=instance.fqn,
        )
        value = setting.value
        try:
            if isinstance(value, Directive):
                value = self.evaluate_directive(value.source, value.location, scope)
            if isinstance(value, self.closure_type):
                value = self.call_closure(value, scope)
        except PreflightError as exc:
            return None, f"cannot evaluate {setting.origin}: {exc.message}"
        dynamic = self.first_dynamic(value)
        if dynamic is not None:
            return None, dynamic.reason
        if value is None or value is False or value == "":
            return None, ""
        if not isinstance(value, str):
            return None, f"{setting.origin} is not a string: {value!r}"
        return value.strip(), ""


def _directive_setting(directive: Directive | None) -> Setting | None:
    if directive is None:
        return None
    return Setting(directive, "directive", directive.location)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _origin_lookup(resolved_config: Any) -> Callable[[str], Location | None]:
    origin = getattr(resolved_config, "origin", None)

    def lookup(key: str) -> Location | None:
        if not callable(origin):
            return None
        try:
            found = origin(key)
        except Exception:  # noqa: BLE001 - a location is a nicety, never a reason to fail
            return None
        return found if isinstance(found, Location) else None

    return lookup


__all__ = ["ImageResolution", "Outcome", "ProcessImage", "resolve_images"]
