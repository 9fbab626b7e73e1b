"""One process definition as it is read: directives in run order, legacy ``if``/``else`` arms.

Directives are method calls, so the last one to run wins. A legacy ``if (C) { container A }
else { container B }`` chain is folded into a single ternary so callers evaluate one expression.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from preflight.model import Location
from preflight.nextflow.script.model import Directive, ProcessDef
from preflight.nextflow.script.tokens import PLAIN_STRING


@dataclass
class Branch:
    """One arm of a legacy ``if``/``else if``/``else`` chain: its condition (``None`` for the
    final ``else``) and the container it sets, if any."""

    condition: str | None
    container: Directive | None = None


@dataclass
class ProcessState:
    """A process being read. Directives are calls, so the last one to run wins: a legacy
    ``if``/``else if``/``else`` chain overrides a ``container`` written before it (arms without
    one keep it) and is overridden by one written after it."""

    name: str
    location: Location
    labels: list[str] = field(default_factory=list)
    dynamic_labels: list[Directive] = field(default_factory=list)
    container: Directive | None = None
    conda: Directive | None = None
    in_directives: bool = True
    pending_if: str | None = None  # an ``if (C)`` waiting for its ``{``
    continues_chain: bool = False  # that ``if`` followed an ``else``
    else_seen: bool = False  # an ``else`` waiting for its ``{``
    chain: list[Branch] = field(default_factory=list)
    branch: Branch | None = None  # the arm being read

    def start_arm(self, condition: str | None) -> Branch:
        """Open the next arm: ``else if``/``else`` extend the chain, a lone ``if`` starts one."""
        if condition is not None and not self.continues_chain:
            self.fold_chain()
        arm = Branch(condition)
        self.chain.append(arm)
        self.branch, self.pending_if, self.continues_chain = arm, None, False
        return arm

    def set_container(self, directive: Directive) -> None:
        """A ``container`` outside any arm: it replaces whatever ran before it."""
        self.chain.clear()
        self.container = directive

    def fold_chain(self) -> None:
        """Fold the chain into one ternary over the arms, ``container`` as the fallback."""
        chain, self.chain = self.chain, []
        arms = [arm for arm in chain if arm.container is not None]
        if not arms:
            return
        fallback = self.container.source if self.container is not None else "null"
        folded = fallback
        for arm in reversed(chain):
            value = arm.container.source if arm.container is not None else fallback
            if arm.condition is None:
                folded = value
            else:
                folded = f"(({arm.condition}) ? ({value}) : ({folded}))"
        assert arms[0].container is not None
        self.container = Directive(folded, arms[0].container.location)

    def finish(self) -> ProcessDef:
        self.fold_chain()
        return ProcessDef(
            name=self.name,
            location=self.location,
            labels=tuple(self.labels),
            container=self.container,
            conda=self.conda,
            dynamic_labels=tuple(self.dynamic_labels),
        )


def record_directive(proc: ProcessState, word: str, directive: Directive, *, nested: bool) -> None:
    """Apply one ``label``/``conda``/``container`` directive; ``nested`` inside an ``if`` arm.

    A plain-string label is kept as its value, any other as a dynamic directive. A container
    inside an arm belongs to that arm (the chain is folded when it ends); one nested in any
    other block is ignored.
    """
    if word == "label":
        plain = PLAIN_STRING.fullmatch(directive.source)
        if plain:
            proc.labels.append(plain.group(1) if plain.group(1) is not None else plain.group(2))
        else:
            proc.dynamic_labels.append(directive)
    elif word == "conda":
        proc.conda = directive
    elif nested and proc.branch is not None:
        proc.branch.container = directive
    elif not nested:
        proc.set_container(directive)
