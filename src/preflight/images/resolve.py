"""The container image of every process, resolved as Nextflow resolves it, and which are on ACR.

For each process the run reaches (from the ``.nf`` scanner) the ``container`` setting is chosen
with Nextflow's priority — ``process.container`` < the directive < ``withLabel`` < ``withName`` on
the declared name < on the include alias < on the fully qualified name — then evaluated with
``workflow.containerEngine`` set to the engine and the params in force, then the engine's
registry rule is applied (:mod:`preflight.images.rules`). What cannot be known before the run
becomes an :class:`~preflight.model.Unresolved` entry with its place, never a silent omission.

``nextflow inspect`` evaluates ``withName`` selectors on the declared name only; where a selector
aimed at an alias or a fully qualified name makes the real image differ, both are reported.

A process that is loaded (included) but never called from the entry workflow is resolved for the
per-process detail only: the run never pulls its image, so it yields no ``ImageUse``, no
unresolved entry and no per-image finding — only one finding naming the processes not checked.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from preflight.errors import InputError, PreflightError
from preflight.images.ref import ImageRef
from preflight.images.rules import (
    RegistryRule,
    SelectorTable,
    Setting,
    child,
    choose_engine,
    conda_wins,
    merged_ext,
    registry_findings,
    select_setting,
)
from preflight.model import Finding, ImageUse, Location, Status, Unresolved
from preflight.nextflow.config.collector import collector_paused
from preflight.nextflow.script.scan import (
    Directive,
    PipelineScripts,
    ProcessInstance,
    scan_pipeline,
)
from preflight.pipeline import PipelineSpec

if TYPE_CHECKING:
    from preflight.nextflow.config.resolved import ResolvedConfig

CHECK = "images"


class Outcome(str, enum.Enum):
    """What resolution concluded for one process."""

    IMAGE = "image"  # a registry image the run will pull
    NONE = "none"  # no container at all
    UNRESOLVED = "unresolved"  # only known at run time
    CONDA = "conda"  # Wave builds it from the conda directive
    NOT_REGISTRY = "not-registry"  # a URL or file for Singularity/Apptainer
    INVALID = "invalid"  # a value that is not a valid image reference


@dataclass(frozen=True)
class ProcessImage:
    """One process instance and the image it will run in, with how that was decided.

    ``image`` is set only for :attr:`Outcome.IMAGE`; ``reason`` says why for the others.
    ``inspect_image`` is what ``nextflow inspect`` would print; it differs from ``image`` only
    when a ``withName`` selector on the include alias or the fully qualified name applies.
    """

    process: str
    declared: str
    alias: str
    labels: tuple[str, ...]
    reached: bool
    outcome: Outcome = Outcome.NONE
    image: ImageRef | None = None
    raw: str | None = None
    origin: str = ""
    source: Location | None = None
    inspect_image: str | None = None
    reason: str = ""

    @property
    def differs_from_inspect(self) -> bool:
        return self.image is not None and self.inspect_image != str(self.image)


@dataclass(frozen=True)
class ImageResolution:
    """Everything ``preflight images`` reports: uses, unresolved entries, findings, per process."""

    engine: str
    uses: tuple[ImageUse, ...] = ()
    unresolved: tuple[Unresolved, ...] = ()
    findings: tuple[Finding, ...] = ()
    processes: tuple[ProcessImage, ...] = ()

    @property
    def acr_uses(self) -> tuple[ImageUse, ...]:
        return tuple(u for u in self.uses if u.acr)

    @property
    def unreached(self) -> tuple[ProcessImage, ...]:
        """Processes defined and loaded but never called: their images are not checked."""
        return tuple(p for p in self.processes if not p.reached)


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
    if scripts is None:
        scripts = scan_pipeline(spec.root, spec.main_script)
    tree: Mapping[str, Any] = resolved_config.tree
    origin = _origin_lookup(resolved_config)
    engine, engine_findings = choose_engine(spec.engine, tree, origin)
    rule = RegistryRule.from_config(tree, engine, origin)
    root = str(spec.root)
    params = _params_in_force(scripts, resolved_config.params, root)
    process_scope = _mapping(child(tree, "process"))
    resolver = _ProcessResolver(engine, rule, params, process_scope, origin, conda_wins(tree), root)
    processes = tuple(resolver.resolve(instance) for instance in scripts.instances)
    findings = [*engine_findings, *registry_findings(rule)]
    findings.extend(_scan_findings(scripts))
    resolution = _assemble(engine, processes, findings)
    notes = [_unreached_finding(resolution.unreached, scripts), _entry_finding(scripts)]
    added = tuple(note for note in notes if note is not None)
    return replace(resolution, findings=resolution.findings + added) if added else resolution


class _ProcessResolver:
    """Resolves one process instance after another with the same configuration and params."""

    def __init__(
        self,
        engine: str,
        rule: RegistryRule,
        params: Mapping[str, Any],
        process_scope: Mapping[str, Any],
        origin: Callable[[str], Location | None],
        conda_first: bool,
        root: str,
    ) -> None:
        self.root = root
        self.engine = engine
        self.rule = rule
        self.params = params
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
        value, problem = self._evaluate(chosen, instance, ext)
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
            return result(Outcome.INVALID, where, origin=set_by, raw=value, reason=exc.message)
        inspect_text: str | None = str(image)
        if inspect != chosen:
            inspect_text = self._inspect_image(inspect, instance, ext) if inspect else None
        return result(
            Outcome.IMAGE, where, origin=set_by, image=image, raw=value, inspect_image=inspect_text
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
        scope = {
            "params": self.params,
            "projectDir": self.root,
            "baseDir": self.root,
            "moduleDir": module_dir,
            "workflow": {"containerEngine": self.engine, "projectDir": self.root},
            "task": {
                "ext": ext,
                "process": instance.fqn,
                "name": instance.fqn,
                "attempt": 1,
            },
        }
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


def _params_in_force(scripts: PipelineScripts, config_params: Any, root: str) -> dict[str, Any]:
    """Script ``params.x = …`` defaults, overridden by configuration and command-line params."""
    from preflight.nextflow.groovy.expressions import evaluate, parse_expression

    params: dict[str, Any] = {}
    for name, directive in scripts.script_params.items():
        try:
            value = evaluate(
                parse_expression(directive.source, directive.location),
                {"params": params, "projectDir": root, "baseDir": root},
            )
        except PreflightError:
            continue
        target = params
        *parents, last = name.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[last] = value
    return _deep_merge(params, _plain(config_params))


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _deep_merge(base: dict[str, Any], over: Any) -> dict[str, Any]:
    if not isinstance(over, Mapping):
        return base
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            base[key] = _deep_merge(dict(base[key]), value)
        else:
            base[key] = value
    return base


def _scan_findings(scripts: PipelineScripts) -> Iterable[Finding]:
    for issue in scripts.issues:
        yield Finding(
            check=CHECK,
            status=Status.WARN,
            subject=str(issue.location),
            message=issue.message,
            remedy=issue.remedy
            or "fix the include path; processes in a file Nextflow cannot load are not checked",
            location=issue.location,
        )


def _assemble(
    engine: str, processes: tuple[ProcessImage, ...], findings: list[Finding]
) -> ImageResolution:
    grouped: dict[str, list[ProcessImage]] = {}
    unresolved: list[Unresolved] = []
    no_container: list[ProcessImage] = []
    conda: list[ProcessImage] = []
    skipped: list[ProcessImage] = []
    reached = [p for p in processes if p.reached]
    for process in reached:
        if process.image is not None:
            grouped.setdefault(str(process.image), []).append(process)
        elif process.outcome is Outcome.CONDA:
            conda.append(process)
        elif process.outcome is Outcome.NOT_REGISTRY:
            skipped.append(process)
        elif process.outcome is Outcome.UNRESOLVED:
            unresolved.append(Unresolved(process.process, process.reason, process.source))
        elif process.outcome is Outcome.NONE:
            no_container.append(process)
    uses = []
    acr_registry: dict[str, bool] = {}  # hundreds of images, a handful of registries
    for text, users in sorted(grouped.items()):
        image = users[0].image
        assert image is not None
        acr = acr_registry.get(image.registry)
        if acr is None:
            acr = acr_registry[image.registry] = image.is_acr
        uses.append(
            ImageUse(
                image=text,
                registry=image.registry,
                repository=image.repository,
                tag=image.tag,
                digest=image.digest,
                acr=acr,
                processes=tuple(sorted(p.process for p in users)),
                source=users[0].source,
            )
        )
        findings.extend(_image_findings(image, users))
    findings.extend(_invalid_findings(reached))
    findings.extend(_inspect_findings(reached))
    findings.extend(_aggregate_findings(no_container, conda, skipped))
    return ImageResolution(
        engine=engine,
        uses=tuple(uses),
        unresolved=tuple(unresolved),
        findings=tuple(findings),
        processes=processes,
    )


def _image_findings(image: ImageRef, users: list[ProcessImage]) -> Iterable[Finding]:
    names = tuple(sorted(p.process for p in users))
    where = users[0].source
    if image.uppercase_repository:
        yield Finding(
            check=CHECK,
            status=Status.FAIL,
            subject=str(image),
            message=f"repository {image.repository!r} has upper-case letters; registries "
            "(ACR included) reject it, so the pull will fail",
            remedy=f"write the repository in lower case: {image.repository.lower()}",
            details={"processes": list(names)},
            location=where,
        )
    if image.implicit_latest:
        yield Finding(
            check=CHECK,
            status=Status.WARN,
            subject=str(image),
            message="no tag: the pull means ':latest', which can change under a running pipeline",
            remedy="pin a tag or a digest in the container setting",
            details={"processes": list(names)},
            location=where,
        )


def _invalid_findings(processes: Iterable[ProcessImage]) -> Iterable[Finding]:
    for process in processes:
        if process.outcome is Outcome.INVALID:
            yield Finding(
                check=CHECK,
                status=Status.FAIL,
                subject=process.process,
                message=f"not a valid image: {process.reason}",
                remedy="correct the container value where it is set",
                details={"value": process.raw or "", "set_by": process.origin},
                location=process.source,
            )


def _inspect_findings(processes: Iterable[ProcessImage]) -> Iterable[Finding]:
    for process in processes:
        if process.differs_from_inspect:
            reported = process.inspect_image or "no container"
            yield Finding(
                check=CHECK,
                status=Status.WARN,
                subject=process.process,
                message=f"runs {process.image}, but `nextflow inspect` reports {reported}: "
                f"{process.origin} targets the include alias or the fully qualified "
                "name, which inspect ignores",
                remedy="mirror or pre-fetch the image preflight lists, not the one inspect lists",
                details={
                    "image": str(process.image),
                    "inspect": process.inspect_image or "",
                    "selector": process.origin,
                },
                location=process.source,
            )


def _aggregate_findings(
    no_container: list[ProcessImage], conda: list[ProcessImage], skipped: list[ProcessImage]
) -> Iterable[Finding]:
    if no_container:
        names = sorted(p.process for p in no_container)
        yield Finding(
            check=CHECK,
            status=Status.WARN,
            subject="processes without a container",
            message=f"{len(names)} process(es) have no container and run on the bare host: "
            + ", ".join(names[:10])
            + (" …" if len(names) > 10 else ""),
            remedy="set a container (directive, process.container or a selector), or confirm "
            "the executor provides the tools",
            details={"processes": names},
            location=no_container[0].source,
        )
    if conda:
        names = sorted(p.process for p in conda)
        yield Finding(
            check=CHECK,
            status=Status.SKIP,
            subject="conda builds",
            message=f"{len(names)} process(es) get an image Wave builds from their conda "
            "directive (wave.strategy puts conda first); no registry pull is needed",
            details={"processes": names},
        )
    if skipped:
        yield Finding(
            check=CHECK,
            status=Status.SKIP,
            subject="images outside a registry",
            message=f"{len(skipped)} process(es) use images that are not registry pulls "
            "(URLs or local files for Singularity/Apptainer)",
            details={"processes": {p.process: p.raw or "" for p in skipped}},
        )


def _entry_finding(scripts: PipelineScripts) -> Finding | None:
    """Without an unnamed workflow the run must pick one with ``-entry``, which is not modelled."""
    followed = scripts.entries_followed
    if len(followed) < 2:
        return None
    return Finding(
        check=CHECK,
        status=Status.WARN,
        subject="-entry",
        message=f"the main script has no unnamed workflow, so the run names one with `-entry`; "
        f"preflight does not model `-entry` and checks the processes of every named "
        f"workflow ({', '.join(followed)}), including images a run of one never pulls",
        remedy="expect findings for workflows the run does not start, or check a main script "
        "whose unnamed workflow calls the one the run uses",
        details={"workflows": list(followed)},
    )


def _unreached_finding(
    unreached: tuple[ProcessImage, ...], scripts: PipelineScripts
) -> Finding | None:
    """One finding for the processes included but never called: what is not checked, and why.

    A ``skip`` normally. When the main script has named workflows its entry workflow never
    calls, ``-entry NAME`` would run one of them instead, which preflight does not follow: that
    is a ``warn``, naming them.
    """
    if not unreached:
        return None
    names = sorted(p.process for p in unreached)
    acr = sorted({str(p.image) for p in unreached if p.image is not None and p.image.is_acr})
    message = (
        f"{len(names)} process(es) are defined but never called from the entry workflow: "
        "not checked, since the run never pulls their images: "
        + ", ".join(names[:10])
        + (" …" if len(names) > 10 else "")
    )
    if acr:
        message += f" ({len(acr)} of their images on ACR)"
    remedy = ""
    status = Status.SKIP
    entries = scripts.other_entries
    if entries:
        status = Status.WARN
        message += (
            "; `-entry` is not modelled: the main script also defines workflow(s) "
            + ", ".join(entries)
            + ", and a run started with `-entry` calls other processes"
        )
        remedy = (
            "for a run with `-entry NAME`, check a main script whose entry workflow "
            "calls NAME, or remove processes the pipeline no longer calls"
        )
    return Finding(
        check=CHECK,
        status=status,
        subject="processes defined but not called",
        message=message,
        remedy=remedy,
        details={
            "processes": {
                p.process: str(p.image) if p.image is not None else p.outcome.value
                for p in sorted(unreached, key=lambda p: p.process)
            },
            "other_entries": list(entries),
        },
        location=unreached[0].source,
    )


__all__ = ["ImageResolution", "Outcome", "ProcessImage", "resolve_images"]
