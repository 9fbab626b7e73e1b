"""Facts from Nextflow's own config parser and builder tests, rewritten as preflight's tests.

Each test names the Nextflow test it came from; inputs and expected values are theirs, the code
is ours. Where preflight differs on purpose (it reads no environment), the test says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.errors import ConfigError, InputError
from preflight.nextflow.config.evaluator import resolve_config
from preflight.nextflow.config.resolved import ResolvedConfig
from preflight.nextflow.groovy.values import Duration, Dynamic, MemoryUnit
from preflight.pipeline import PipelineSpec


def resolve(root: Path, files: dict[str, str], *profiles: str, **options: object) -> ResolvedConfig:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    spec = PipelineSpec(root=root, launch_dir=root, profiles=profiles)
    return resolve_config(spec, **options)  # type: ignore[arg-type]


SELECTED_PROFILE = {
    "snippet1.config": "process {\n cpus = 1\n memory = '2GB'\n disk = '100GB'\n}\n",
    "snippet2.config": "process {\n cpus = 8\n memory = '20GB'\n disk = '2TB'\n}\n",
    "nextflow.config": (
        "workDir = '/my/scratch'\nprofiles {\n standard {}\n"
        " slow {\n  includeConfig 'snippet1.config'\n }\n"
        " fast {\n  workDir = '/fast/scratch'\n  includeConfig 'snippet2.config'\n }\n}\n"
    ),
}


# ConfigParserV2Test."should load selected profile configuration"
@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("slow", ("/my/scratch", 1, "2GB", "100GB")),
        ("fast", ("/fast/scratch", 8, "20GB", "2TB")),
    ],
)
def test_selected_profile_configuration(
    tmp_path: Path, profile: str, expected: tuple[object, ...]
) -> None:
    config = resolve(tmp_path, SELECTED_PROFILE, profile)
    keys = ("workDir", "process.cpus", "process.memory", "process.disk")
    assert tuple(config.get(k) for k in keys) == expected


# ConfigParserV2Test."should return the set of declared profiles"
@pytest.mark.parametrize("profile", ["alpha", "standard"])
def test_declared_profiles(tmp_path: Path, profile: str) -> None:
    text = "profiles {\n alpha {\n  a = 1\n }\n beta {\n  b = 2\n }\n}\n"
    config = resolve(tmp_path, {"nextflow.config": text}, profile)
    assert set(config.known_profiles) == {"alpha", "beta"}


def test_an_undeclared_profile_is_refused(tmp_path: Path) -> None:
    # ConfigBuilder.checkValidProfile: "Unknown configuration profile: 'omega'"
    text = "profiles {\n alpha {\n  a = 1\n }\n}\n"
    with pytest.raises(InputError, match="omega"):
        resolve(tmp_path, {"nextflow.config": text}, "omega")


# ConfigParserV2Test."should handle extend mem and duration units"
def test_memory_and_duration_units(tmp_path: Path) -> None:
    files = {
        "extra.config": "mem4 = '8GB' as MemoryUnit\ntime4 = '24h' as Duration\n",
        "nextflow.config": (
            "mem1 = 1.GB\nmem2 = 1_000_000.toMemory()\nmem3 = MemoryUnit.of(2_000)\n"
            "time1 = 2.hours\ntime2 = 60_000.toDuration()\ntime3 = Duration.of(120_000)\n"
            "flag = 10000 < 1.GB\n\nincludeConfig 'extra.config'\n"
        ),
    }
    config = resolve(tmp_path, files)
    assert config.get("mem1") == MemoryUnit.of("1 GB")
    assert config.get("mem2") == MemoryUnit.of(1_000_000)
    assert config.get("mem3") == MemoryUnit.of(2_000)
    assert config.get("mem4") == MemoryUnit.of("8 GB")
    assert config.get("time1") == Duration.of("2 hours")
    assert config.get("time2") == Duration.of(60_000)
    assert config.get("time3") == Duration.of(120_000)
    assert config.get("time4") == Duration.of("24h")
    assert config.get("flag") is True  # Number < MemoryUnit: Groovy compares the other way
    assert not config.dynamic


# ConfigParserV2Test."should not overwrite param values with nested values of with the same name"
@pytest.mark.parametrize(
    "text",
    [
        "params {\n foo {\n  bar = 'bar1'\n }\n baz = 'baz1'\n nested {\n  baz = 'baz2'\n"
        "  foo {\n   bar = 'bar2'\n  }\n }\n}\n",
        "params {\n foo.bar = 'bar1'\n baz = 'baz1'\n nested.baz = 'baz2'\n"
        " nested.foo.bar = 'bar2'\n}\n",
    ],
)
def test_nested_params_keep_their_own_values(tmp_path: Path, text: str) -> None:
    config = resolve(tmp_path, {"nextflow.config": text})
    keys = ("params.foo.bar", "params.baz", "params.nested.baz", "params.nested.foo.bar")
    assert tuple(config.get(k) for k in keys) == ("bar1", "baz1", "baz2", "bar2")


# ConfigParserV2Test."should apply profiles in the order they are specified at runtime"
@pytest.mark.parametrize(
    ("profiles", "expected"), [(("foo", "bar"), "bar"), (("bar", "foo"), "foo")]
)
def test_profiles_apply_in_command_line_order(
    tmp_path: Path, profiles: tuple[str, ...], expected: str
) -> None:
    text = "profiles {\n foo {\n  params.input = 'foo'\n }\n bar {\n  params.input = 'bar'\n }\n}\n"
    assert resolve(tmp_path, {"nextflow.config": text}, *profiles).get("params.input") == expected


# ConfigParserV2Test."should allow mixed use of dot and block syntax in a profile"
def test_dot_and_block_syntax_in_a_profile(tmp_path: Path) -> None:
    text = "profiles {\n foo {\n  process.memory = '2 GB'\n  process {\n   cpus = 2\n  }\n }\n}\n"
    config = resolve(tmp_path, {"nextflow.config": text}, "foo")
    assert (config.get("process.memory"), config.get("process.cpus")) == ("2 GB", 2)


# ConfigParserV2Test."should share params with included config files"
def test_included_files_see_the_params(tmp_path: Path) -> None:
    files = {
        "nextflow.config": "params.repo = 'foo/bar'\n\nincludeConfig 'included.config'\n",
        "included.config": 'params.url = "http://github.com/${params.repo}"\n',
    }
    config = resolve(tmp_path, files)
    assert config.get("params.url") == "http://github.com/foo/bar"


# ConfigParserV2Test."should not evaluate profile blocks that were not selected"
def test_unselected_profiles_are_not_evaluated(tmp_path: Path) -> None:
    files = {
        "nextflow.config": "profiles {\n bar {\n  includeConfig 'included.config'\n }\n}\n",
        "included.config": "// legacy syntax only\nif( params )\n    params.name = 'bar'\n",
    }
    assert resolve(tmp_path, files, syntax="v2").get("params.name") is None
    with pytest.raises(ConfigError):
        resolve(tmp_path, files, "bar", syntax="v2")


# ConfigParserV2Test."should get an environment variable": Nextflow reads MAX_CPUS from the
# launch environment; preflight, run before the launch, says it is only known then.
def test_env_is_the_launch_environment(tmp_path: Path) -> None:
    config = resolve(tmp_path, {"nextflow.config": "process.cpus = env('MAX_CPUS')\n"})
    value = config.get("process.cpus")
    assert isinstance(value, Dynamic) and "MAX_CPUS" in value.reason


# ConfigBuilderTest."should return all profiles"
def test_show_all_profiles_keeps_each_under_profiles(tmp_path: Path) -> None:
    text = (
        "profiles {\n"
        " cfg1 {\n  process.executor = 'sge'\n  process.queue = 'short'\n }\n"
        " cfg2 {\n  process.executor = 'batch'\n  process.queue = 'long'\n }\n"
        " docker {\n  docker.enabled = true\n  process.container = 'foo/1'\n }\n"
        " singularity {\n  singularity.enabled = true\n  process.queue = 'cn-el7'\n"
        "  process.container = 'bar-2.img'\n }\n"
        "}\n"
    )
    config = resolve(tmp_path, {"nextflow.config": text}, show_all_profiles=True)
    assert config.get("profiles.cfg1.process.executor") == "sge"
    assert config.get("profiles.cfg1.process.queue") == "short"
    assert config.get("profiles.cfg2.process.executor") == "batch"
    assert config.get("profiles.cfg2.process.queue") == "long"
    assert config.get("profiles.docker.docker.enabled") is True
    assert config.get("profiles.docker.process.container") == "foo/1"
    assert config.get("profiles.singularity.singularity.enabled") is True
    assert config.get("profiles.singularity.process.queue") == "cn-el7"
    assert config.get("profiles.singularity.process.container") == "bar-2.img"
    assert config.get("process.container") is None and config.get("docker.enabled") is None
    assert config.profiles == ()


# CmdConfigTest."should resolve profiles into profiles config"
@pytest.mark.parametrize("syntax", ["v1", "v2"])
def test_show_profiles_beside_top_level_settings(tmp_path: Path, syntax: str) -> None:
    text = (
        "params {\n foo = 'baz'\n}\n"
        "profiles {\n test {\n  params {\n   foo = 'foo'\n  }\n }\n"
        " debug {\n  cleanup = false\n }\n}\n"
    )
    config = resolve(tmp_path, {"nextflow.config": text}, show_all_profiles=True, syntax=syntax)
    assert config.get("params.foo") == "baz"
    assert config.get("profiles.test.params.foo") == "foo"
    assert config.get("profiles.debug.cleanup") is False


def test_show_all_profiles_refuses_a_selected_profile(tmp_path: Path) -> None:
    # CmdConfig: "Option `-profile` conflicts with option `-show-profiles`"
    with pytest.raises(InputError, match="-show-profiles"):
        resolve(tmp_path, {"nextflow.config": "a = 1\n"}, "test", show_all_profiles=True)
