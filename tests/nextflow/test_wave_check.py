"""The wave check: what makes Wave effective for a run, and what Wave needs from the Platform."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from preflight.checks.base import CheckContext, CheckOptions, run_checks
from preflight.checks.services import Services
from preflight.checks.wave import WaveCheck
from preflight.model import Finding, Status
from preflight.pipeline import PipelineSpec
from preflight.secret import Secret
from preflight.settings import Settings

TOKEN = "platform-token-canary-7f3a"


def findings(
    tmp_path: Path,
    config: str,
    environ: Mapping[str, str] | None = None,
    *,
    settings: Settings | None = None,
    options: CheckOptions | None = None,
    **spec_options: object,
) -> dict[str, Finding]:
    root = tmp_path / "pipeline"
    root.mkdir(exist_ok=True)
    (root / "nextflow.config").write_text(config)
    spec = PipelineSpec(root=root, launch_dir=root, **spec_options)  # type: ignore[arg-type]
    context = CheckContext(
        spec=spec,
        settings=settings or Settings(),
        services=Services(),
        options=options or CheckOptions(),
    )
    env = {"TOWER_ACCESS_TOKEN": TOKEN} if environ is None else environ
    report = run_checks([WaveCheck(env)], context)
    if not any(f.status is Status.ERROR for f in report.findings):
        assert context.facts.config.known() is not None
    return {f.subject: f for f in report.findings}


def test_boolean_true_passes_with_its_place(tmp_path: Path) -> None:
    found = findings(tmp_path, "process.cpus = 1\nwave.enabled = true\n")
    assert found["wave.enabled"].status is Status.PASS
    assert str(found["wave.enabled"].location) == "nextflow.config:2:1"
    assert found["tower.accessToken"].status is Status.PASS


@pytest.mark.parametrize(
    ("literal", "status"),
    [("'true'", Status.PASS), ("'false'", Status.WARN), ("1", Status.WARN), ("'no'", Status.WARN)],
)
def test_groovy_truth_turns_wave_on(tmp_path: Path, literal: str, status: Status) -> None:
    # nf-wave reads ``opts.enabled as boolean``: a non-empty string or non-zero number is on.
    finding = findings(tmp_path, f"wave {{ enabled = {literal} }}")["wave.enabled"]
    assert finding.status is status
    assert "Wave is enabled" in finding.message and "Groovy truth" in finding.message
    assert str(finding.location) == "nextflow.config:1:8"


@pytest.mark.parametrize("literal", ["''", "0", "null", "false", "[]"])
def test_groovy_falsehood_leaves_wave_off(tmp_path: Path, literal: str) -> None:
    finding = findings(tmp_path, f"wave.enabled = {literal}")["wave.enabled"]
    assert finding.status is Status.FAIL
    assert "preflight fix --only wave" in finding.remedy


def test_fusion_switch_is_read_with_groovy_truth(tmp_path: Path) -> None:
    found = findings(tmp_path, "fusion.enabled = 'false'\nwave.enabled = false\n")
    assert found["fusion.enabled"].status is Status.FAIL
    assert "fusion.enabled" not in findings(tmp_path, "fusion.enabled = ''\nwave.enabled = false")


def test_missing_setting_fails_with_the_fix(tmp_path: Path) -> None:
    finding = findings(tmp_path, "docker.enabled = true")["wave.enabled"]
    assert finding.status is Status.FAIL
    assert "preflight fix --only wave" in finding.remedy and "-with-wave" in finding.remedy


def test_environment_switch_turns_wave_off(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        "wave.enabled = true",
        {"NXF_DISABLE_WAVE_SERVICE": "1", "TOWER_ACCESS_TOKEN": TOKEN},
    )
    assert found["NXF_DISABLE_WAVE_SERVICE"].status is Status.FAIL
    assert "wave.enabled" not in found


def test_fusion_without_wave_fails(tmp_path: Path) -> None:
    found = findings(tmp_path, "fusion.enabled = true\nwave.enabled = false\n")
    assert found["fusion.enabled"].status is Status.FAIL
    assert "requires enabling Wave" in found["fusion.enabled"].message
    assert "fusion.enabled" not in findings(tmp_path, "fusion.enabled = true\nwave.enabled = true")


def test_a_profile_that_turns_wave_off_is_named(tmp_path: Path) -> None:
    config = "def legacy = 1\nwave.enabled = true\nprofiles { cheap { wave.enabled = false } }\n"
    finding = findings(tmp_path, config, profiles=("cheap",))["wave.enabled"]
    assert finding.status is Status.FAIL
    assert "profile 'cheap' turns Wave off" in finding.message
    assert str(finding.location) == "nextflow.config:3:20"


def test_a_later_file_overriding_the_project_file_is_named(tmp_path: Path) -> None:
    extra = tmp_path / "site.config"
    extra.write_text("wave.enabled = false\n")
    finding = findings(tmp_path, "wave.enabled = true\n", config_files=(extra,))["wave.enabled"]
    assert finding.status is Status.FAIL
    assert "nextflow.config:1:1 enables Wave" in finding.message
    assert str(finding.location).endswith("site.config:1:1")


def test_dynamic_setting_warns(tmp_path: Path) -> None:
    finding = findings(tmp_path, "wave.enabled = env('WAVE')")["wave.enabled"]
    assert finding.status is Status.WARN


def test_empty_config_token_beats_the_environment(tmp_path: Path) -> None:
    found = findings(tmp_path, "wave.enabled = true\ntower.accessToken = ''\n")
    token = found["tower.accessToken"]
    assert token.status is Status.FAIL
    assert "even empty, beats TOWER_ACCESS_TOKEN" in token.message
    assert str(token.location) == "nextflow.config:2:1"


def test_token_in_config_passes_without_showing_it(tmp_path: Path) -> None:
    found = findings(tmp_path, f"wave.enabled = true\ntower.accessToken = '{TOKEN}'\n", {})
    token = found["tower.accessToken"]
    assert token.status is Status.PASS
    assert all(TOKEN not in f"{f.message}{f.remedy}{f.details}" for f in found.values())


def test_no_token_anywhere_fails(tmp_path: Path) -> None:
    assert findings(tmp_path, "wave.enabled = true", {})["tower.accessToken"].status is Status.FAIL


def test_without_an_environment_the_settings_token_counts(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "nextflow.config").write_text("wave.enabled = true")
    context = CheckContext(
        spec=PipelineSpec(root=root, launch_dir=root),
        settings=Settings(platform_token=Secret(TOKEN)),
        services=Services(),
    )
    report = run_checks([WaveCheck()], context)
    token = next(f for f in report.findings if f.subject == "tower.accessToken")
    assert token.status is Status.PASS


def test_platform_launched_run_uses_only_the_environment(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        "wave.enabled = true\ntower.accessToken = ''\n",
        {"TOWER_WORKFLOW_ID": "abc", "TOWER_ACCESS_TOKEN": TOKEN},
    )
    assert found["tower.accessToken"].status is Status.PASS


def test_workspace_must_be_numeric(tmp_path: Path) -> None:
    found = findings(tmp_path, "wave.enabled = true\ntower.workspaceId = 'my-org/ws'\n")
    assert found["tower.workspaceId"].status is Status.FAIL
    env = {"TOWER_ACCESS_TOKEN": TOKEN, "TOWER_WORKSPACE_ID": "org/ws"}
    assert findings(tmp_path, "wave.enabled = true", env)["tower.workspaceId"].status is Status.FAIL


def test_numeric_workspace_passes_with_where_it_is_set(tmp_path: Path) -> None:
    found = findings(tmp_path, "wave.enabled = true\ntower.workspaceId = 123\n")
    assert found["tower.workspaceId"].status is Status.PASS
    assert "workspace 123 (tower.workspaceId at nextflow.config:2:1)" in (
        found["tower.workspaceId"].message
    )
    env = {"TOWER_ACCESS_TOKEN": TOKEN, "TOWER_WORKSPACE_ID": "77"}
    assert "TOWER_WORKSPACE_ID" in findings(tmp_path, "", env)["tower.workspaceId"].message


def test_malformed_config_becomes_an_error_finding_with_its_place(tmp_path: Path) -> None:
    found = findings(tmp_path, "wave {\n enabled = true\n")
    (finding,) = found.values()
    assert finding.status is Status.ERROR
    assert finding.subject == "nextflow.config:3:1"


def test_includes_not_read_are_a_warning_with_their_place(tmp_path: Path) -> None:
    found = findings(
        tmp_path, "wave.enabled = true\nincludeConfig 'https://example.org/x.config'\n"
    )
    finding = found["includeConfig"]
    assert finding.status is Status.WARN
    assert "https://example.org/x.config at nextflow.config:2:1" in finding.message
    assert "includeConfig" not in findings(tmp_path, "wave.enabled = true")


def test_legacy_only_config_warns_unless_the_legacy_parser_is_chosen(tmp_path: Path) -> None:
    config = "wave.enabled = true\ndef x = 1\n"
    finding = findings(tmp_path, config)["NXF_SYNTAX_PARSER"]
    assert finding.status is Status.WARN
    assert str(finding.location) == "nextflow.config:2:1"
    legacy = Settings.from_environ({"NXF_SYNTAX_PARSER": "v1"})
    assert "NXF_SYNTAX_PARSER" not in findings(tmp_path, config, settings=legacy)


def test_wave_enabled_unset_points_at_the_file_that_would_hold_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every finding about a file names the file and line: here the project's nextflow.config,
    where `fix` writes the setting (so a GitHub annotation lands on it)."""
    import json

    from preflight import cli

    (tmp_path / "main.nf").write_text("workflow {}\n")
    (tmp_path / "nextflow.config").write_text("process.cpus = 2\n")
    cli.main(["check", str(tmp_path), "--offline", "--format", "json"])
    [wave] = [
        f for f in json.loads(capsys.readouterr().out)["findings"] if f["subject"] == "wave.enabled"
    ]
    assert wave["status"] == "fail" and wave["location"] == "nextflow.config:1:0"


def test_the_workspace_flag_wins_over_the_variable_and_says_so_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from preflight import cli

    (tmp_path / "main.nf").write_text("workflow {}\n")
    (tmp_path / "nextflow.config").write_text("wave.enabled = true\n")
    monkeypatch.setenv("TOWER_WORKSPACE_ID", "184950001")
    monkeypatch.setenv("TOWER_ACCESS_TOKEN", "offline-token")
    cli.main(["check", str(tmp_path), "--offline", "-w", "acme/research"])
    out = capsys.readouterr().out
    assert out.count("wins over") == 1, out
    assert "-w acme/research wins over TOWER_WORKSPACE_ID=184950001" in out
    assert "Wave looks in workspace 184950001" not in out  # not the other story as well
