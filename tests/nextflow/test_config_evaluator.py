"""resolve_config: Nextflow's file order, includes, profiles, params — with origins."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.errors import ConfigError, InputError
from preflight.nextflow.config.evaluator import resolve_config
from preflight.nextflow.config.resolved import ResolvedConfig
from preflight.nextflow.groovy.values import Closure, Dynamic, MemoryUnit
from preflight.pipeline import PipelineSpec
from preflight.secret import Secret


def pipeline(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def resolve(root: Path, **options: object) -> ResolvedConfig:
    options.setdefault("launch_dir", root)
    return resolve_config(PipelineSpec(root=root, **options))  # type: ignore[arg-type]


def test_later_assignment_wins_and_blocks_merge(tmp_path: Path) -> None:
    root = pipeline(
        tmp_path,
        {
            "nextflow.config": (
                "docker { enabled = false; registry = 'quay.io' }\ndocker.enabled = true\n"
            )
        },
    )
    config = resolve(root)
    assert config.get("docker.enabled") is True
    assert config.get("docker.registry") == "quay.io"
    assert str(config.origin("docker.enabled")) == "nextflow.config:2:1"
    assert [a.value for a in config.assignments("docker.enabled")] == [False, True]


def test_file_order_home_project_launch_dash_c(tmp_path: Path) -> None:
    home, project, launch = tmp_path / "home", tmp_path / "project", tmp_path / "launch"
    pipeline(home, {"config": "a = 'home'\nhome = 1"})
    pipeline(project, {"nextflow.config": "a = 'project'\nproject = 1"})
    pipeline(launch, {"nextflow.config": "a = 'launch'\nlaunch = 1", "extra.config": "a = 'c'"})
    config = resolve(
        project, nxf_home=home, launch_dir=launch, config_files=(Path("extra.config"),)
    )
    assert config.get("a") == "c"
    assert [s.reason for s in config.files] == [
        "$NXF_HOME/config",
        "project nextflow.config",
        "launch-dir nextflow.config",
        "-c",
    ]
    assert all(config.get(k) == 1 for k in ("home", "project", "launch"))


def test_dash_capital_c_replaces_every_default_file(tmp_path: Path) -> None:
    root = pipeline(tmp_path, {"nextflow.config": "a = 1", "only.config": "b = 2"})
    config = resolve(root, config_files=(root / "only.config",), replace_configs=True)
    assert config.get("a") is None and config.get("b") == 2
    assert [s.reason for s in config.files] == ["-C"]


def test_missing_dash_c_file_is_an_input_error(tmp_path: Path) -> None:
    root = pipeline(tmp_path, {"nextflow.config": "a = 1"})
    with pytest.raises(InputError, match="no such configuration file"):
        resolve(root, config_files=(Path("nope.config"),))


def test_includes_are_relative_to_the_including_file(tmp_path: Path) -> None:
    root = pipeline(
        tmp_path,
        {
            "nextflow.config": "includeConfig 'conf/a.config'",
            "conf/a.config": "includeConfig 'b.config'\nx = 1",
            "conf/b.config": "y = 2",
        },
    )
    config = resolve(root)
    assert (config.get("x"), config.get("y")) == (1, 2)
    assert [s.path for s in config.files] == ["nextflow.config", "conf/a.config", "conf/b.config"]
    assert config.files[2].reason == "includeConfig from conf/a.config:1:1"


def test_include_inside_a_block_nests_its_keys(tmp_path: Path) -> None:
    root = pipeline(
        tmp_path,
        {"nextflow.config": "process { includeConfig 'p.config' }", "p.config": "cpus = 4"},
    )
    assert resolve(root).get("process.cpus") == 4


def test_conditional_include_sees_command_line_params(tmp_path: Path) -> None:
    root = pipeline(
        tmp_path,
        {
            "nextflow.config": (
                "params.load = false\nincludeConfig params.load ? 'extra.config' : '/dev/null'\n"
            ),
            "extra.config": "loaded = true",
        },
    )
    assert resolve(root).get("loaded") is None
    config = resolve(root, params={"load": "true"})
    assert config.get("loaded") is True
    assert config.params["load"] is True


def test_remote_and_dynamic_includes_are_reported_not_followed(tmp_path: Path) -> None:
    root = pipeline(
        tmp_path,
        {
            "nextflow.config": (
                "params.base = 'https://example.org/configs'\n"
                'includeConfig "${params.base}/custom.config"\n'
                "includeConfig System.getenv('EXTRA')\n"
            )
        },
    )
    config = resolve(root)
    assert [u.target for u in config.unread] == [
        "https://example.org/configs/custom.config",
        "System.getenv('EXTRA')",
    ]
    assert "no network" in config.unread[0].reason
    assert str(config.unread[1].location) == "nextflow.config:3:1"


def test_missing_include_is_a_config_error_at_the_include(tmp_path: Path) -> None:
    root = pipeline(tmp_path, {"nextflow.config": "a = 1\n  includeConfig 'conf/missing.config'"})
    with pytest.raises(ConfigError) as caught:
        resolve(root)
    assert caught.value.where == "nextflow.config:2:3"
    assert "conf/missing.config" in caught.value.message
    assert caught.value.exit_code == 2


def test_missing_include_inside_try_is_caught_as_groovy_would(tmp_path: Path) -> None:
    root = pipeline(
        tmp_path,
        {
            "nextflow.config": (
                "try { includeConfig 'missing.config' } catch (Exception e) { println 'no' }\n"
                "a = 1\n"
            )
        },
    )
    config = resolve(root)
    assert config.get("a") == 1 and config.syntax == "v1"
    assert "caught" in config.unread[0].reason


def test_include_cycle_is_named(tmp_path: Path) -> None:
    root = pipeline(
        tmp_path,
        {
            "nextflow.config": "includeConfig 'a.config'",
            "a.config": "includeConfig 'b.config'",
            "b.config": "includeConfig 'a.config'",
        },
    )
    with pytest.raises(ConfigError) as caught:
        resolve(root)
    assert "include cycle: nextflow.config → a.config → b.config → a.config" in str(caught.value)


PROFILES = (
    "process.container = 'base'\n"
    "profiles {\n"
    "  docker { docker.enabled = true; process.container = 'from-docker' }\n"
    "  other  { process.container = 'from-other' }\n"
    "  standard { process.container = 'from-standard' }\n"
    "}\n"
)


def test_standard_profile_applies_without_dash_profile(tmp_path: Path) -> None:
    config = resolve(pipeline(tmp_path, {"nextflow.config": PROFILES}))
    assert config.get("process.container") == "from-standard"
    assert config.profiles == ("standard",)


def test_v2_applies_profiles_in_command_line_order_where_the_block_stands(tmp_path: Path) -> None:
    root = pipeline(tmp_path, {"nextflow.config": PROFILES + "after = 1\nprocess.cpus = 2\n"})
    config = resolve(root, profiles=("other", "docker"))
    assert config.syntax == "v2"
    assert config.get("process.container") == "from-docker"
    config = resolve(root, profiles=("docker", "other"))
    assert config.get("process.container") == "from-other"
    assert config.assignments("process.container")[-1].profile == "other"


def test_v2_top_level_lines_after_the_block_beat_a_profile(tmp_path: Path) -> None:
    root = pipeline(tmp_path, {"nextflow.config": PROFILES + "process.container = 'last'\n"})
    assert resolve(root, profiles=("docker",)).get("process.container") == "last"


def test_v1_applies_profiles_after_the_file_in_definition_order(tmp_path: Path) -> None:
    text = "def legacy = true\n" + PROFILES + "process.container = 'last'\n"
    root = pipeline(tmp_path, {"nextflow.config": text})
    config = resolve(root, profiles=("other", "docker"))
    assert config.syntax == "v1"
    assert config.get("process.container") == "from-other"  # defined last wins, not CLI order


def test_unselected_profiles_are_not_evaluated(tmp_path: Path) -> None:
    root = pipeline(
        tmp_path,
        {
            "nextflow.config": (
                "profiles { broken { includeConfig 'missing.config' } ok { a = 1 } }"
            )
        },
    )
    assert resolve(root, profiles=("ok",)).get("a") == 1


def test_unknown_profile_names_the_known_ones(tmp_path: Path) -> None:
    root = pipeline(tmp_path, {"nextflow.config": PROFILES})
    with pytest.raises(InputError) as caught:
        resolve(root, profiles=("dokcer",))
    assert "dokcer" in caught.value.message
    assert "docker, other, standard" in caught.value.remedy
    assert caught.value.exit_code == 2


def test_naming_standard_is_fine_even_when_no_file_defines_it(tmp_path: Path) -> None:
    root = pipeline(tmp_path, {"nextflow.config": "a = 1"})
    assert resolve(root, profiles=("standard",)).get("a") == 1


def test_params_file_and_cli_params_beat_config_params(tmp_path: Path) -> None:
    root = pipeline(
        tmp_path,
        {
            "nextflow.config": (
                "params { a = 'config'; b = 'config'; c = 'config' }\n"
                'process.container = "${params.a}/${params.b}/${params.c}"\n'
            ),
            "p.yaml": "a: file\nb: file\nnested:\n  x: 1\n",
        },
    )
    config = resolve(root, params_file=root / "p.yaml", params={"b": "cli", "max-cpus": "4"})
    assert config.get("process.container") == "file/cli/config"
    assert config.params["nested"] == {"x": 1}
    assert config.params["maxCpus"] == 4 and config.params["max-cpus"] == 4


def test_params_file_json_errors_say_where(tmp_path: Path) -> None:
    root = pipeline(tmp_path, {"nextflow.config": "", "p.json": '{"a": 1,\n "b": }'})
    with pytest.raises(InputError) as caught:
        resolve(root, params_file=root / "p.json")
    assert caught.value.where.endswith("p.json:2:7")


def test_params_file_must_hold_a_mapping(tmp_path: Path) -> None:
    root = pipeline(tmp_path, {"nextflow.config": "", "p.yml": "- a\n- b\n"})
    with pytest.raises(InputError, match="mapping"):
        resolve(root, params_file=root / "p.yml")


def test_dynamic_values_are_listed_with_the_assignment_place(tmp_path: Path) -> None:
    root = pipeline(
        tmp_path,
        {
            "nextflow.config": (
                "params.x = 1\n"
                "tower.accessToken = secrets.PLATFORM_TOKEN\n"
                "azure.registry.server = System.getenv('ACR')\n"
            )
        },
    )
    config = resolve(root)
    value = config.get("azure.registry.server")
    assert isinstance(value, Dynamic) and value.source == "System.getenv('ACR')"
    assert [(d.key, str(d.location)) for d in config.dynamic] == [
        ("tower.accessToken", "nextflow.config:2:1"),
        ("azure.registry.server", "nextflow.config:3:1"),
    ]


def test_legacy_if_with_a_dynamic_condition_applies_neither_branch_and_says_so(
    tmp_path: Path,
) -> None:
    root = pipeline(
        tmp_path,
        {
            "nextflow.config": (
                "if (System.getenv('X')) { a = 1 } else { a = 2 }\nif (true) { b = 1 }\n"
            )
        },
    )
    config = resolve(root)
    assert config.get("a") is None and config.get("b") == 1
    assert config.dynamic[0].key.startswith("if (")


def test_legacy_reads_settings_as_variables_and_functions_are_dynamic(tmp_path: Path) -> None:
    root = pipeline(
        tmp_path,
        {
            "nextflow.config": (
                "manifest.version = '1.2'\n"
                "def check_max(obj, type) { return obj }\n"
                'params.tag = "v${manifest.version}"\n'
                "params.cpus = check_max(4, 'cpus')\n"
                "process.memory = { check_max(2.GB * task.attempt, 'memory') }\n"
            )
        },
    )
    config = resolve(root)
    assert config.get("params.tag") == "v1.2"
    cpus = config.get("params.cpus")
    assert isinstance(cpus, Dynamic) and "check_max()" in cpus.reason
    assert isinstance(config.get("process.memory"), Closure)


def test_selector_keys_are_kept_in_order_with_patterns_as_written(tmp_path: Path) -> None:
    root = pipeline(
        tmp_path,
        {
            "nextflow.config": (
                "process {\n"
                "  withLabel:'!big' { memory = 1.GB }\n"
                "  withName: '.*:STAR_ALIGN' { container = 'x' }\n"
                "}\n"
                "process.'withName:FOO'.cpus = 2\n"
            )
        },
    )
    config = resolve(root)
    process = config.tree["process"]
    assert list(process) == ["withLabel:!big", "withName:.*:STAR_ALIGN", "withName:FOO"]
    assert process["withName:.*:STAR_ALIGN"]["container"] == "x"
    assert config.get("process.'withLabel:!big'.memory") == MemoryUnit(1 << 30)
    origin = config.origin("process.'withName:.*:STAR_ALIGN'.container")
    assert str(origin) == "nextflow.config:3:31"


def test_credentials_are_kept_as_secrets(tmp_path: Path) -> None:
    root = pipeline(
        tmp_path,
        {"nextflow.config": "tower.accessToken = 'tok-123456'\nazure.registry.password = ''\n"},
    )
    config = resolve(root)
    token = config.get("tower.accessToken")
    assert isinstance(token, Secret) and token.reveal() == "tok-123456"
    assert config.get("azure.registry.password") == ""
    assert "tok-123456" not in repr(config.history)


def test_bom_is_ignored_and_non_utf8_is_reported_at_its_line(tmp_path: Path) -> None:
    root = pipeline(tmp_path, {"nextflow.config": b"\xef\xbb\xbfa = 1\nb = '\xff'\n"})
    with pytest.raises(ConfigError) as caught:
        resolve(root)
    assert caught.value.where == "nextflow.config:2:6"
    (root / "nextflow.config").write_bytes(b"\xef\xbb\xbfa = 1\n")
    assert resolve(root).get("a") == 1


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    root = pipeline(tmp_path, {"nextflow.config": "includeConfig 'dir.config'"})
    (root / "dir.config").mkdir()
    with pytest.raises(ConfigError):
        resolve(root)


def test_strict_syntax_refuses_legacy_code_when_asked(tmp_path: Path) -> None:
    root = pipeline(tmp_path, {"nextflow.config": "a = 1\ndef x = 2\n"})
    with pytest.raises(ConfigError) as caught:
        resolve_config(PipelineSpec(root=root), syntax="v2")
    assert caught.value.where == "nextflow.config:2:1"
    assert "NXF_SYNTAX_PARSER=v1" in caught.value.remedy


def test_overrides_replace_a_file_for_one_resolution(tmp_path: Path) -> None:
    root = pipeline(tmp_path, {"nextflow.config": "wave.enabled = false"})
    config = resolve_config(
        PipelineSpec(root=root), overrides={root / "nextflow.config": b"wave.enabled = true"}
    )
    assert config.get("wave.enabled") is True
    assert (root / "nextflow.config").read_text() == "wave.enabled = false"


def test_legacy_binds_environment_variables_as_dynamic_names(tmp_path: Path) -> None:
    root = pipeline(tmp_path, {"nextflow.config": 'def v = 1\nprocess.queue = "$QUEUE-x"\n'})
    queue = resolve(root).get("process.queue")
    assert isinstance(queue, Dynamic) and queue.reason == "environment variable QUEUE at launch"
    assert str(queue.location) == "nextflow.config:2:19"
    assert str(resolve(root).dynamic[0].location) == "nextflow.config:2:1"


def test_v2_a_profile_can_flip_a_param_that_a_later_conditional_include_tests(
    tmp_path: Path,
) -> None:
    root = pipeline(
        tmp_path,
        {
            "nextflow.config": (
                "params.load_config = false\n"
                "profiles { extra { params.load_config = true } }\n"
                "includeConfig (params.load_config ? 'process.config' : '/dev/null')\n"
            ),
            "process.config": "process.cpus = 8\n",
        },
    )
    assert resolve(root).get("process.cpus") is None
    assert resolve(root, profiles=("extra",)).get("process.cpus") == 8
