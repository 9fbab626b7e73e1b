"""Facts from Nextflow's own unit tests, rewritten against preflight's rules.

Each test names the Nextflow test it came from (``modules/nextflow/src/test/groovy/nextflow/
container/ContainerHandlerTest.groovy`` and ``…/script/dsl/ProcessConfigBuilderTest.groovy``,
where Nextflow keeps the selector cases its ``ProcessConfig`` applies); inputs and expected
values are Nextflow's, the code is preflight's.
"""

from __future__ import annotations

from typing import Any

import pytest

from preflight.images.engine import RegistryRule, is_absolute_image
from preflight.images.rules import SelectorTable, Setting, select_setting
from preflight.model import Location
from preflight.nextflow.config.selectors import selector_matches

HERE = Location("main.nf", 1, 1)


# ContainerHandlerTest 'should override the repository registry' — reached by Nextflow when
# `docker.registryOverride` is true; target registry 'bar.io' (with and without a '/').
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
@pytest.mark.parametrize("registry", ["bar.io", "bar.io/"])
def test_container_handler_override_registry(image: str, registry: str, expected: str) -> None:
    assert RegistryRule("docker", registry, override=True).apply(image) == expected


# ContainerHandlerTest 'test docker is absolute image name'
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
def test_container_handler_absolute_docker_names(image: str, expected: bool) -> None:
    assert is_absolute_image(image) is expected


# ContainerHandlerTest 'test normalize docker image name' (IMAGE | REGISTRY | OVERRIDE), plus
# the consequence of `isAbsoluteDockerName` for a scheme: 'oras:' holds ':', so an oras://
# name is absolute and `docker.registry` alone never prefixes it.
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
        ("oras://quay.io/foo", "d.reg", True, "oras://d.reg/foo"),
    ],
)
def test_container_handler_normalize_docker_image_name(
    image: str, registry: str | None, override: bool, expected: str
) -> None:
    assert RegistryRule("docker", registry, override).apply(image) == expected


# ContainerHandlerTest 'test normalize singularity image' with singularity.registry 'my.reg':
# what Nextflow pulls with a 'docker://' prefix is the registry image preflight checks; URLs
# and files are not registry pulls.
@pytest.mark.parametrize(
    ("image", "pulled"),
    [
        ("foo", "my.reg/foo"),
        ("foo:2.0", "my.reg/foo:2.0"),
        ("quay.io/busybox", "quay.io/busybox"),
        ("docker://library/busybox", "my.reg/library/busybox"),
        ("/abs/path/bar.img", None),
        ("library://library/default/debian:7", None),
        ("shub://busybox", None),
        ("https://reg.io/v1/alpine:latest", None),
        ("http://reg.io/v1/alpine:latest", None),
    ],
)
def test_container_handler_normalize_singularity_image(image: str, pulled: str | None) -> None:
    text, reason = RegistryRule("singularity", "my.reg").normalise(image)
    assert (text if not reason else None) == pulled


# ProcessConfigBuilderTest 'should match selector'.
@pytest.mark.parametrize(
    ("pattern", "target", "expected"),
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
def test_process_config_match_selector(pattern: str, target: str, expected: bool) -> None:
    assert selector_matches(pattern, target) is expected


def _settings(
    scope: dict[str, Any], *, names: tuple[str, ...], labels: tuple[str, ...]
) -> dict[str, Any]:
    keys = {k for block in scope.values() if isinstance(block, dict) for k in block}
    found = {}
    for key in sorted(keys):
        chosen = select_setting(scope, key, names=names, labels=labels, directive=None)
        if chosen is not None:
            found[key] = chosen.value
    return found


# ProcessConfigBuilderTest 'should apply config setting for a process label'.
LABEL_SETTINGS = {
    "withLabel:short": {"cpus": 1, "time": "1h"},
    "withLabel:!short": {"cpus": 32, "queue": "cn-long"},
    "withLabel:foo": {"cpus": 2},
    "withLabel:foo|bar": {"disk": "100GB"},
    "withLabel:gpu.+": {"cpus": 4},
}


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
def test_process_config_label_settings(labels: tuple[str, ...], expected: dict[str, Any]) -> None:
    assert _settings(LABEL_SETTINGS, names=("P",), labels=labels) == expected


# ProcessConfigBuilderTest 'should apply config setting for a process name'.
NAME_SETTINGS = {
    "withName:alpha": {"cpus": 1, "time": "1h"},
    "withName:delta": {"cpus": 2},
    "withName:delta|gamma": {"disk": "100GB"},
    "withName:omega.+": {"cpus": 4},
}


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
def test_process_config_name_settings(name: str, expected: dict[str, Any]) -> None:
    assert _settings(NAME_SETTINGS, names=(name,), labels=()) == expected


# ProcessConfigBuilderTest 'should not apply config on negative label'.
NEGATIVE = {
    "withLabel:foo": {"cpus": 2},
    "withLabel:!foo": {"cpus": 4},
    "withLabel:!nodisk_.*": {"disk": "100.GB"},
}


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (("foo", "other"), {"cpus": 2, "disk": "100.GB"}),
        (("foo", "other", "nodisk_label"), {"cpus": 2}),
        (("other", "nodisk_label"), {"cpus": 4}),
    ],
)
def test_process_config_negative_label(labels: tuple[str, ...], expected: dict[str, Any]) -> None:
    assert _settings(NEGATIVE, names=("P",), labels=labels) == expected


# ProcessConfigBuilderTest 'should return distinct selector names in precedence order':
# (declared, alias, fully qualified), each distinct name applied once, in that order.
@pytest.mark.parametrize(
    ("names", "applied"),
    [
        (("declared", "alias", "FLOW:alias"), ["declared", "alias", "FLOW:alias"]),
        (("same", "same", "same"), ["same"]),
        (("declared", "alias", "alias"), ["declared", "alias"]),
    ],
)
def test_process_config_distinct_selector_names(names: tuple[str, ...], applied: list[str]) -> None:
    scope = {f"withName:{name}": {"tag": name} for name in dict.fromkeys(names)}
    blocks = SelectorTable(scope).blocks(names, ())
    assert [block["tag"] for _key, block in blocks] == applied


# ProcessConfigBuilderTest 'should apply config process defaults': a directive the script sets
# wins over `process.X`; one it does not set takes the default; `container null` set in the
# script stays null.
def test_process_config_defaults() -> None:
    scope = {"queue": "def-queue", "container": "ubuntu:latest", "maxRetries": 5}
    queue = select_setting(
        scope, "queue", names=("P",), labels=(), directive=Setting("cn-el6", "directive", HERE)
    )
    assert queue is not None and queue.value == "cn-el6"
    container = select_setting(scope, "container", names=("P",), labels=(), directive=None)
    assert container is not None and container.value == "ubuntu:latest"
    unset = select_setting(
        scope, "container", names=("P",), labels=(), directive=Setting(None, "directive", HERE)
    )
    assert unset is not None and unset.value is None
    retries = select_setting(
        scope, "maxRetries", names=("P",), labels=(), directive=Setting(10, "directive", HERE)
    )
    assert retries is not None and retries.value == 10


# ProcessConfigBuilderTest 'should apply config process defaults': the process's own directive
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
