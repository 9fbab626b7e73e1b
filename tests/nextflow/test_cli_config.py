"""``preflight config``: flat and JSON output, dynamic values marked, bad input → exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight import cli
from preflight.errors import EXIT_INPUT, EXIT_PASS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pipelines"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["config", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_flat_output_like_nextflow_config_flat(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(FIXTURES / "acr")], capsys)
    assert code == EXIT_PASS
    lines = out.splitlines()
    assert "process.container = 'examplelab.azurecr.io/genomics/base:2.4.1'" in lines
    assert (
        "process.'withName:.*:REPORT'.container = 'examplelab.azurecr.io/reporting/multiqc:1.25'"
    ) in lines
    assert "wave.enabled = false" in lines


def test_flat_output_marks_dynamic_values_and_hides_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nextflow.config").write_text(
        "tower.accessToken = 'very-secret-token'\nparams.reg = System.getenv('REG')\n"
    )
    code, out, _ = run([str(tmp_path)], capsys)
    assert code == EXIT_PASS
    assert "very-secret-token" not in out
    assert "tower.accessToken = '<hidden>'" in out
    assert (
        "params.reg = System.getenv('REG')  // dynamic: environment variable 'REG' at "
        "launch (nextflow.config:2:21)"
    ) in out


def test_credentials_never_reach_any_output_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    canary = "canary-token-5d1c9e"
    (tmp_path / "nextflow.config").write_text(
        f"tower.accessToken = '{canary}'\n"
        f'azure.registry.password = "{canary}${{secrets.SUFFIX}}"\n'
        "azure.storage.accountKey = System.getenv('KEY')\n"
    )
    for args in ([], ["--format", "json"]):
        code, out, err = run([str(tmp_path), *args], capsys)
        assert code == EXIT_PASS
        assert canary not in out + err
    code, out, _ = run([str(tmp_path)], capsys)
    assert "azure.storage.accountKey = System.getenv('KEY')" in out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [str(FIXTURES / "nfcore-legacy"), "--format", "json", "-profile", "docker"], capsys
    )
    assert code == EXIT_PASS
    document = json.loads(out)
    assert document["schema_version"] == 1
    assert document["syntax"] == "v1"
    assert document["profiles"] == ["docker"]
    assert document["config"]["docker"]["enabled"] is True
    assert document["config"]["tower"]["accessToken"] is None
    dynamic = {d["key"]: d for d in document["dynamic"]}
    assert dynamic["tower.accessToken"]["location"] == "nextflow.config:55"
    assert [f["reason"] for f in document["files"]][:2] == [
        "project nextflow.config",
        "includeConfig from nextflow.config:17:1",
    ]


def test_options_shape_the_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "nextflow.config").write_text(
        "params.tag = '1'\nprocess.container = \"x:${params.tag}\"\n"
    )
    extra = tmp_path / "extra.config"
    extra.write_text("docker.enabled = true\n")
    params = tmp_path / "p.json"
    params.write_text('{"tag": "2"}')
    code, out, _ = run(
        [str(tmp_path), "-c", str(extra), "--params-file", str(params), "--param", "tag=3"], capsys
    )
    assert code == EXIT_PASS
    assert "process.container = 'x:3'" in out and "docker.enabled = true" in out


BAD_INPUTS = [
    ("malformed", {"nextflow.config": "process {\n cpus = 2\n"}, [], "nextflow.config:3:1"),
    (
        "unknown profile",
        {"nextflow.config": "profiles { a { x = 1 } }"},
        ["-profile", "b"],
        "unknown configuration profile 'b'",
    ),
    (
        "missing include",
        {"nextflow.config": "includeConfig 'gone.config'"},
        [],
        "nextflow.config:1:1: includeConfig 'gone.config': no such file",
    ),
    ("include cycle", {"nextflow.config": "includeConfig 'nextflow.config'"}, [], "include cycle"),
    ("not utf-8", {"nextflow.config": b"a = '\xe9'\n"}, [], "nextflow.config:1:6: not UTF-8"),
    ("missing -c", {"nextflow.config": "a = 1"}, ["-c", "nope.config"], "no such configuration"),
    (
        "bad params file",
        {"nextflow.config": "a = 1", "p.json": "{"},
        ["--params-file", "p.json"],
        "not valid JSON",
    ),
    ("bad --param", {"nextflow.config": "a = 1"}, ["--param", "novalue"], "KEY=VALUE"),
    (
        "strict syntax",
        {"nextflow.config": "def x = 1"},
        ["--syntax", "v2"],
        "variable declarations cannot be mixed",
    ),
]


@pytest.mark.parametrize(
    ("case", "files", "args", "says"), BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS]
)
def test_bad_input_exits_2_with_place_and_remedy(
    case: str,
    files: dict[str, str | bytes],
    args: list[str],
    says: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, content in files.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    monkeypatch.chdir(tmp_path)
    code, _, err = run([str(tmp_path), *args], capsys)
    assert code == EXIT_INPUT
    assert says in err
    assert "→" in err  # a remedy follows
    assert "Traceback" not in err


def test_flat_output_keeps_one_line_per_setting_and_escapes_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nextflow.config").write_text(
        "a = '''two\nlines'''\nb = \"\\033[31mred\\033[0m it's\"\nc = {\n  [1,\n  2]\n}\n"
    )
    code, out, _ = run([str(tmp_path)], capsys)
    assert code == EXIT_PASS
    assert out.splitlines() == [
        "a = 'two\\nlines'",
        "b = '\\u001b[31mred\\u001b[0m it\\'s'",
        "c = { [1, 2] }",
    ]


@pytest.mark.parametrize("flag", ["-show-profiles", "--show-profiles", "-a"])
def test_show_profiles_keeps_every_profile_unapplied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    # CmdConfigTest."should resolve profiles into profiles config"
    (tmp_path / "nextflow.config").write_text(
        "params.foo = 'baz'\nprofiles {\n test { params.foo = 'foo' }\n"
        " debug { cleanup = false }\n}\n"
    )
    code, out, _ = run([str(tmp_path), flag], capsys)
    assert code == EXIT_PASS
    assert out.splitlines() == [
        "params.foo = 'baz'",
        "profiles.test.params.foo = 'foo'",
        "profiles.debug.cleanup = false",
    ]
    code, _, err = run([str(tmp_path), flag, "-profile", "test"], capsys)
    assert code == EXIT_INPUT and "-show-profiles" in err
