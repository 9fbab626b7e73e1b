"""Facts from Nextflow's selector and container-name tests, rewritten as preflight's tests.

Each test names the Nextflow test it came from (inputs and expected values only).
"""

from __future__ import annotations

from typing import Any

import pytest

from preflight.images.engine import RegistryRule, is_absolute_image
from preflight.images.rules import Setting, select_setting
from preflight.nextflow.config.selectors import selector_matches


def settings_for(
    scope: dict[str, Any], keys: tuple[str, ...], *, labels: tuple[str, ...] = (), name: str = "x"
) -> dict[str, Any]:
    found = {}
    for key in keys:
        chosen = select_setting(scope, key, names=(name,), labels=labels or ("",), directive=None)
        if chosen is not None:
            found[key] = chosen.value
    return found


# ProcessConfigBuilderTest."should match selector"
@pytest.mark.parametrize(
    ("selector", "target", "expected"),
    [
        ("foo", "foo", True),
        ("foo", "bar", False),
        ("!foo", "bar", True),
        ("a|b", "a", True),
        ("a|b", "b", True),
        ("a|b", "z", False),
        ("a*", "a", True),
        ("a*", "aaaa", True),
        ("a*", "bbbb", False),
    ],
)
def test_selector_match(selector: str, target: str, expected: bool) -> None:
    assert selector_matches(selector, target) is expected


LABELS = {
    "withLabel:short": {"cpus": 1, "time": "1h"},
    "withLabel:!short": {"cpus": 32, "queue": "cn-long"},
    "withLabel:foo": {"cpus": 2},
    "withLabel:foo|bar": {"disk": "100GB"},
    "withLabel:gpu.+": {"cpus": 4},
}


# ProcessConfigBuilderTest."should apply config setting for a process label"
@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (("short",), {"cpus": 1, "time": "1h"}),
        (("long",), {"cpus": 32, "queue": "cn-long"}),
        (("foo",), {"cpus": 2, "disk": "100GB", "queue": "cn-long"}),
        (("bar",), {"cpus": 32, "disk": "100GB", "queue": "cn-long"}),
        (("gpu-1",), {"cpus": 4, "queue": "cn-long"}),
    ],
)
def test_label_selectors(labels: tuple[str, ...], expected: dict[str, Any]) -> None:
    keys = ("cpus", "time", "queue", "disk")
    assert settings_for(LABELS, keys, labels=labels) == expected


NAMES = {
    "withName:alpha": {"cpus": 1, "time": "1h"},
    "withName:delta": {"cpus": 2},
    "withName:delta|gamma": {"disk": "100GB"},
    "withName:omega.+": {"cpus": 4},
}


# ProcessConfigBuilderTest."should apply config setting for a process name"
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("xx", {}),
        ("alpha", {"cpus": 1, "time": "1h"}),
        ("delta", {"cpus": 2, "disk": "100GB"}),
        ("gamma", {"disk": "100GB"}),
        ("omega_x", {"cpus": 4}),
    ],
)
def test_name_selectors(name: str, expected: dict[str, Any]) -> None:
    assert settings_for(NAMES, ("cpus", "time", "disk"), name=name) == expected


NEGATED = {
    "withLabel:foo": {"cpus": 2},
    "withLabel:!foo": {"cpus": 4},
    "withLabel:!nodisk_.*": {"disk": "100.GB"},
}


# ProcessConfigBuilderTest."should not apply config on negative label"
@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (("foo", "other"), {"cpus": 2, "disk": "100.GB"}),
        (("foo", "other", "nodisk_label"), {"cpus": 2}),
        (("other", "nodisk_label"), {"cpus": 4}),
    ],
)
def test_negated_label_selectors(labels: tuple[str, ...], expected: dict[str, Any]) -> None:
    assert settings_for(NEGATED, ("cpus", "disk"), labels=labels) == expected


# ProcessConfigBuilderTest."should apply config process defaults": the process's own directive
# beats a plain ``process.X``; a selector beats the directive.
def test_directive_beats_process_default_and_selector_beats_directive() -> None:
    scope: dict[str, Any] = {"queue": "def-queue", "container": "ubuntu:latest"}
    own = Setting("cn-el6", "directive", None)
    chosen = select_setting(scope, "queue", names=("p",), labels=("",), directive=own)
    assert chosen is not None and chosen.value == "cn-el6"
    fallback = select_setting(scope, "container", names=("p",), labels=("",), directive=None)
    assert fallback is not None and fallback.value == "ubuntu:latest"
    scope["withName:p"] = {"queue": "sel"}
    chosen = select_setting(scope, "queue", names=("p",), labels=("",), directive=own)
    assert chosen is not None and chosen.value == "sel"


# Priority across names (ProcessConfigBuilder.applyConfig): declared < alias < fully qualified.
def test_name_selectors_by_declared_alias_and_qualified_name() -> None:
    scope = {
        "withName:WF:ALIAS": {"cpus": 3},
        "withName:ALIAS": {"cpus": 2},
        "withName:DECLARED": {"cpus": 1},
        "withLabel:big": {"cpus": 9},
    }
    names = ("DECLARED", "ALIAS", "WF:ALIAS")
    chosen = select_setting(scope, "cpus", names=names, labels=("big",), directive=None)
    assert chosen is not None and chosen.value == 3
    chosen = select_setting(scope, "cpus", names=names[:2], labels=("big",), directive=None)
    assert chosen is not None and chosen.value == 2


# ContainerHandlerTest."test docker is absolute image name"
@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("hello", False),
        ("image/name", False),
        ("registry:5000/image/name", True),
        ("d.reg/image/name", True),
        ("d.reg/image", True),
        ("oras://quay.io/foo", True),  # the scheme's ':' makes any URL absolute
    ],
)
def test_absolute_docker_names(image: str, expected: bool) -> None:
    assert is_absolute_image(image) is expected


# ContainerHandlerTest."test normalize docker image name"
@pytest.mark.parametrize(
    ("image", "registry", "override", "expected"),
    [
        ("hello", None, False, "hello"),
        ("cbcrg/hello", None, False, "cbcrg/hello"),
        ("cbcrg/hello", "d.reg", False, "d.reg/cbcrg/hello"),
        ("cbcrg/hello", "d.reg/", False, "d.reg/cbcrg/hello"),
        ("registry:5000/cbcrg/hello", "d.reg", False, "registry:5000/cbcrg/hello"),
        ("registry:5000/cbcrg/hello", "d.reg", True, "d.reg/cbcrg/hello"),
        ("oras://quay.io/foo", "d.reg", False, "oras://quay.io/foo"),
    ],
)
def test_normalize_docker_image_name(
    image: str, registry: str | None, override: bool, expected: str
) -> None:
    assert RegistryRule("docker", registry, override).apply(image) == expected


# ContainerHandlerTest."should override the repository registry" (target 'bar.io')
@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("foo", "bar.io/foo"),
        ("this/that:latest", "bar.io/this/that:latest"),
        ("d.io/this/that", "bar.io/this/that"),
        ("d:80/foo", "bar.io/foo"),
        ("d.io:8080/this/that:latest", "bar.io/this/that:latest"),
        ("oras://quay.io/foo", "oras://bar.io/foo"),
        ("oras://quay.io/this/that:latest", "oras://bar.io/this/that:latest"),
    ],
)
@pytest.mark.parametrize("target", ["bar.io", "bar.io/"])
def test_override_registry(image: str, expected: str, target: str) -> None:
    assert RegistryRule("docker", target, True).apply(image) == expected
