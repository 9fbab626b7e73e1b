"""Nextflow's container rules on plain mappings: registry rule, selector priority, engine, Wave.

The registry-rule rows are the cases Nextflow's own ContainerHandler tests document; the
selector rows follow its ProcessConfigBuilder tests (label negation, regex full match, the
declared < alias < fully-qualified order).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from preflight.images.engine import (
    RegistryRule,
    choose_engine,
    conda_wins,
    is_absolute_image,
    registry_findings,
    wave_strategy,
)
from preflight.images.rules import (
    SelectorTable,
    Setting,
    labels_match,
    merged_ext,
    select_setting,
)
from preflight.model import Location, Status
from preflight.nextflow.config.selectors import selector_matches
from preflight.nextflow.groovy.expressions import evaluate, parse_expression


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("hello", False),
        ("image/name", False),
        ("registry:5000/image/name", True),
        ("d.reg/image/name", True),
        ("d.reg/image", True),
        ("localhost/x", False),
        ("/abs/path", False),
    ],
)
def test_absolute_image_names(image: str, expected: bool) -> None:
    assert is_absolute_image(image) is expected


@pytest.mark.parametrize(
    ("image", "registry", "override", "expected"),
    [
        ("hello", None, False, "hello"),
        ("cbcrg/hello", None, False, "cbcrg/hello"),
        ("cbcrg/hello", "d.reg", False, "d.reg/cbcrg/hello"),
        ("cbcrg/hello", "d.reg/", False, "d.reg/cbcrg/hello"),
        ("registry:5000/cbcrg/hello", "d.reg", False, "registry:5000/cbcrg/hello"),
        ("registry:5000/cbcrg/hello", "d.reg", True, "d.reg/cbcrg/hello"),
        ("hello", "quay.io", False, "quay.io/hello"),
        ("biocontainers/x:1", "quay.io", False, "quay.io/biocontainers/x:1"),
        ("localhost/x:1", "quay.io", False, "quay.io/localhost/x:1"),
        (
            "quay.io/biocontainers/x:1",
            "myacr.azurecr.io",
            True,
            "myacr.azurecr.io/biocontainers/x:1",
        ),
    ],
)
def test_registry_rule(image: str, registry: str | None, override: bool, expected: str) -> None:
    assert RegistryRule("docker", registry, override).apply(image) == expected


@pytest.mark.parametrize(
    ("engine", "image", "expected", "skipped"),
    [
        ("singularity", "docker://quay.io/x/y:1", "quay.io/x/y:1", False),
        ("singularity", "docker://x/y:1", "my.reg/x/y:1", False),
        ("singularity", "foo:2.0", "my.reg/foo:2.0", False),
        ("apptainer", "https://depot.galaxyproject.org/singularity/x:1", None, True),
        ("singularity", "oras://community.wave.seqera.io/library/x:1", None, True),
        ("singularity", "library://library/default/debian:7", None, True),
        ("singularity", "/abs/path/bar.img", None, True),
        ("docker", "x/y:1", "my.reg/x/y:1", False),
        ("podman", "x/y:1", "my.reg/x/y:1", False),
    ],
)
def test_engine_normalisation(engine: str, image: str, expected: str | None, skipped: bool) -> None:
    text, reason = RegistryRule(engine, "my.reg").normalise(image)
    assert bool(reason) is skipped
    assert text == (expected if expected is not None else image)


def test_an_acr_registry_is_flagged() -> None:
    where = Location("nextflow.config", 3, 5)
    findings = list(registry_findings(RegistryRule("docker", "mirror.azurecr.io", False, where)))
    assert [(f.status, f.subject, f.location) for f in findings] == [
        (Status.WARN, "docker.registry", where)
    ]
    assert "written without a host" in findings[0].message
    override = list(registry_findings(RegistryRule("podman", "m.azurecr.cn", True)))
    assert "every image" in override[0].message and override[0].subject == "podman.registry"
    assert list(registry_findings(RegistryRule("docker", "quay.io"))) == []


LABELS = {
    "withLabel:short": {"container": "short"},
    "withLabel:!short": {"container": "not-short"},
    "withLabel:foo": {"container": "foo"},
    "withLabel:foo|bar": {"container": "foo-or-bar"},
    "withLabel:gpu.+": {"container": "gpu"},
}


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (("short",), "short"),
        (("long",), "not-short"),
        (("foo",), "foo-or-bar"),
        (("bar",), "foo-or-bar"),
        (("gpu-1",), "gpu"),
        (("gpu",), "not-short"),
        ((), "not-short"),  # no labels: tested as '' — the negated selector applies
    ],
)
def test_label_selectors_last_match_wins(labels: tuple[str, ...], expected: str) -> None:
    chosen = select_setting(LABELS, "container", names=("P",), labels=labels, directive=None)
    assert chosen is not None and chosen.value == expected


def test_negated_label_needs_no_label_to_match() -> None:
    assert not labels_match("!foo", ("foo", "other"), selector_matches)
    assert labels_match("!nodisk_.*", ("foo", "other"), selector_matches)
    assert not labels_match("!nodisk_.*", ("foo", "nodisk_label"), selector_matches)
    assert labels_match("!x", (), selector_matches)


SCOPE: dict[str, Any] = {
    "container": "default",
    "withName:BWA_MEM_TUMOUR": {"container": "alias"},
    "withName:.*:ALIGN:BWA_MEM": {"container": "fqn-other"},
    "withName:WF:ALIGN:BWA_MEM_TUMOUR": {"container": "fqn"},
    "withName:BWA_MEM": {"container": "declared"},
    "withLabel:high": {"container": "label"},
}
NAMES = ("BWA_MEM", "BWA_MEM_TUMOUR", "WF:ALIGN:BWA_MEM_TUMOUR")
DIRECTIVE = Setting("directive", "directive")


def pick(
    scope: dict[str, Any],
    names: tuple[str, ...] = NAMES,
    labels: tuple[str, ...] = ("high",),
    directive: Setting | None = DIRECTIVE,
) -> Any:
    chosen = select_setting(scope, "container", names=names, labels=labels, directive=directive)
    return None if chosen is None else chosen.value


def without(*keys: str) -> dict[str, Any]:
    return {k: v for k, v in SCOPE.items() if k not in keys}


def test_priority_fully_qualified_name_beats_everything() -> None:
    assert pick(SCOPE) == "fqn"


def test_priority_alias_beats_declared_name_even_when_written_first() -> None:
    assert pick(without("withName:WF:ALIGN:BWA_MEM_TUMOUR")) == "alias"


def test_priority_declared_name_beats_label() -> None:
    scope = without("withName:WF:ALIGN:BWA_MEM_TUMOUR", "withName:BWA_MEM_TUMOUR")
    assert pick(scope) == "declared"


def test_priority_label_beats_directive_and_directive_beats_process_default() -> None:
    labels_only = {"container": "default", "withLabel:high": {"container": "label"}}
    assert pick(labels_only) == "label"
    assert pick({"container": "default"}) == "directive"
    assert pick({"container": "default"}, directive=None) == "default"
    assert pick({}, directive=None) is None


def test_inspect_view_sees_only_the_declared_name() -> None:
    assert pick(SCOPE, names=NAMES[:1]) == "declared"


def test_a_directive_set_to_null_still_beats_the_process_default() -> None:
    assert pick({"container": "default"}, directive=Setting(None, "directive")) is None


def test_the_same_name_three_times_is_applied_once() -> None:
    chosen = select_setting(
        {"withName:P": {"container": "p"}},
        "container",
        names=("P", "P", "P"),
        labels=(),
        directive=None,
    )
    assert chosen == Setting("p", "withName:P", None)


def test_selector_origins_are_asked_with_the_selector_quoted() -> None:
    asked: list[str] = []

    def origin(key: str) -> Location | None:
        asked.append(key)
        return Location("c", 1)

    chosen = select_setting(
        SCOPE, "container", names=NAMES, labels=("high",), directive=None, origin=origin
    )
    assert chosen is not None and chosen.location == Location("c", 1)
    assert "process.'withName:WF:ALIGN:BWA_MEM_TUMOUR'.container" in asked


def test_task_ext_merges_by_priority() -> None:
    scope = {
        "ext": {"a": 1, "b": 1},
        "withLabel:big": {"ext": {"b": 2, "c": 2}},
        "withName:ALIAS": {"ext": {"c": 3}},
        "withName:OTHER": {"ext": {"a": 9}},
    }
    assert merged_ext(scope, names=("P", "ALIAS", "W:ALIAS"), labels=("big",)) == {
        "a": 1,
        "b": 2,
        "c": 3,
    }


def test_engine_choice() -> None:
    assert choose_engine("podman", {"docker": {"enabled": True}}, lambda k: None)[0] == "podman"
    assert choose_engine(None, {"docker": {"enabled": True}}, lambda k: None) == ("docker", [])
    assert choose_engine(None, {"singularity": {"enabled": True}}, lambda k: None)[0] == (
        "singularity"
    )
    assert choose_engine(None, {"docker": {"enabled": "true"}}, lambda k: None)[0] == "docker"
    assert choose_engine(None, {}, lambda k: None) == ("docker", [])
    engine, findings = choose_engine(
        None, {"docker": {"enabled": True}, "podman": {"enabled": True}}, lambda k: None
    )
    assert engine == "docker" and findings[0].status is Status.FAIL


@pytest.mark.parametrize(
    ("strategy", "wins"),
    [
        (None, False),
        ("container,dockerfile,conda", False),
        ("conda,container", True),
        (["conda", "container"], True),
        ("conda", True),
        ("container", False),
        ("dockerfile,conda", True),
    ],
)
def test_wave_strategy_decides_whether_conda_wins(strategy: Any, wins: bool) -> None:
    tree = {} if strategy is None else {"wave": {"strategy": strategy}}
    assert conda_wins(tree) is wins


def test_default_wave_strategy() -> None:
    assert wave_strategy({}) == ("container", "dockerfile", "conda")


def test_declared_only_blocks_are_what_inspect_applies() -> None:
    table = SelectorTable(SCOPE)
    every, declared = table.declared_only(NAMES, ("high",))
    assert [key for key, _ in declared] == ["withLabel:high", "withName:BWA_MEM"]
    assert [key for key, _ in every] == [
        "withLabel:high",
        "withName:BWA_MEM",
        "withName:BWA_MEM_TUMOUR",
        "withName:WF:ALIGN:BWA_MEM_TUMOUR",
    ]
    assert every == table.blocks(NAMES, ("high",))


def test_the_none_apply_shortcut_keeps_negated_and_java_patterns() -> None:
    scope = {"withName:!FOO": {"container": "neg"}, "withName:\\QBAR\\E": {"container": "q"}}
    table = SelectorTable(scope)
    assert [k for k, _ in table.blocks(("OTHER",), ())] == ["withName:!FOO"]
    assert [k for k, _ in table.blocks(("BAR",), ())] == ["withName:!FOO", "withName:\\QBAR\\E"]


_LITERAL_PARTS = st.sampled_from(["A", "B", "SUB", ":", "_RUN", "-", "1"])
_LITERAL_TEXT = st.lists(_LITERAL_PARTS, max_size=3).map("".join)
_PATTERNS = st.one_of(
    # the shapes tested as plain strings: NAME, .*NAME, NAME.*, and negated ones
    st.builds(
        lambda pre, text, post: pre + text + post,
        st.sampled_from(["", ".*", "!", "!.*"]),
        _LITERAL_TEXT,
        st.sampled_from(["", ".*"]),
    ),
    # anything else made of the same pieces and wildcards
    st.lists(st.one_of(_LITERAL_PARTS, st.sampled_from([".*", ".", ".+"])), max_size=5).map(
        "".join
    ),
)
_NAMES = st.lists(st.one_of(_LITERAL_PARTS, st.just("\n")), max_size=6).map("".join)


@settings(max_examples=400, deadline=None)
@given(patterns=st.lists(_PATTERNS, max_size=5), names=st.lists(_NAMES, min_size=1, max_size=3))
def test_plain_string_tests_agree_with_the_regex_matcher(
    patterns: list[str], names: list[str]
) -> None:
    """Selectors like ``.*:NAME`` are tested with endswith; the answer must be the regex's."""
    scope = {f"withName:{p}": {"cpus": i} for i, p in enumerate(dict.fromkeys(patterns))}
    fast = SelectorTable(scope)
    reference = SelectorTable(scope, matches=selector_matches)
    assert fast.blocks(tuple(names), ()) == reference.blocks(tuple(names), ())


@pytest.mark.parametrize(
    ("pattern", "name", "applies"),
    [
        (".*:ALIGN", "WF:SUB:ALIGN", True),
        (".*:ALIGN", "ALIGN:WF", False),
        ("WF:.*", "WF:SUB:ALIGN", True),
        ("WF:.*", "SUB:WF:", False),
        ("ALIGN", "ALIGN", True),
        ("ALIGN", "WF:ALIGN", False),
        (".*", "ANY", True),
    ],
)
def test_common_selector_shapes(pattern: str, name: str, applies: bool) -> None:
    table = SelectorTable({f"withName:{pattern}": {"cpus": 2}})
    assert bool(table.blocks((name,), ())) is applies


@pytest.mark.parametrize(
    ("docker", "singularity", "engine"),
    [("'false'", "false", "docker"), ("0", "1", "singularity"), ("''", "'yes'", "singularity")],
)
def test_engine_switches_follow_groovy_truth(docker: str, singularity: str, engine: str) -> None:
    # DockerConfig/SingularityConfig read ``opts.enabled as boolean``.
    at = Location("nextflow.config", 1, 1)
    tree = {
        "docker": {"enabled": evaluate(parse_expression(docker, at), {})},
        "singularity": {"enabled": evaluate(parse_expression(singularity, at), {})},
    }
    chosen, findings = choose_engine(None, tree, lambda key: None)
    assert (chosen, findings) == (engine, [])


def test_registry_override_follows_groovy_truth() -> None:
    tree = {"docker": {"registry": "bar.io", "registryOverride": "false"}}
    rule = RegistryRule.from_config(tree, "docker", lambda key: None)
    assert rule.apply("d.io/this/that") == "bar.io/this/that"


@pytest.mark.parametrize(
    ("tree", "engine", "failed"),
    [
        ({"podman": {"enabled": "true"}}, "podman", False),
        ({"singularity": {"enabled": 1}}, "singularity", False),
        # 'false' is a non-empty string: Groovy truth enables the engine, as Nextflow does.
        ({"docker": {"enabled": 0}, "podman": {"enabled": "false"}}, "podman", False),
        ({"apptainer": {"enabled": ""}}, "docker", False),
        ({"docker": {"enabled": "true"}, "podman": {"enabled": "yes"}}, "docker", True),
    ],
)
def test_engine_enabled_is_read_with_groovy_truth(
    tree: dict[str, Any], engine: str, failed: bool
) -> None:
    chosen, findings = choose_engine(None, tree, lambda k: None)
    assert chosen == engine
    assert bool(findings) is failed
