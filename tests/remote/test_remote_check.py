"""`preflight check OWNER/REPO -r REV` against the sandbox's Git host, over real smart-HTTP/TLS.

Each test has its own preflight cache and ``$NXF_HOME``; the Git host's request log says what
went over the network.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from preflight import cli
from preflight.errors import EXIT_FAIL, EXIT_INPUT
from preflight.sandbox.runtime import Sandbox

DEMO = "acme/demo-pipeline"
PRIVATE = "acme/private-pipeline"


@pytest.fixture
def remote_env(sandbox_env: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setenv("PREFLIGHT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NXF_HOME", str(tmp_path / "nxf-home"))
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    return sandbox_env


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = cli.main(["check", *args, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def wave_statuses(report: dict[str, Any]) -> set[str]:
    return {f["status"] for f in report["findings"] if f["check"] == "wave"}


def git_tags(sandbox: Sandbox) -> dict[str, str]:
    out = subprocess.run(
        ["git", "--git-dir", str(sandbox.state_dir / "git" / f"{DEMO}.git"), "show-ref", "-d"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {name: commit for commit, name in (line.split() for line in out.splitlines())}


def test_v1_0_fails_the_wave_check_and_v1_1_passes_it(
    remote_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code, old = check(capsys, DEMO, "-r", "v1.0")
    assert code == EXIT_FAIL
    assert "fail" in wave_statuses(old)
    _, new = check(capsys, DEMO, "-r", "v1.1")
    assert wave_statuses(new) == {"pass"}
    refs = git_tags(remote_env)
    assert new["source"] == {
        "repository": DEMO,
        "url": "https://github.com/acme/demo-pipeline.git",
        "revision": "v1.1",
        "commit": refs["refs/tags/v1.1^{}"],
        "read_from": "fetched",
        "provider": "github",
    }
    assert old["source"]["commit"] == refs["refs/tags/v1.0^{}"]


def test_a_second_check_of_the_same_revision_makes_no_git_request(
    remote_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    check(capsys, DEMO, "-r", "v1.1")
    first = remote_env.git_requests()
    assert any(r.service == "git-upload-pack" and r.method == "POST" for r in first)
    remote_env.git.clear_records()  # type: ignore[union-attr]
    _, again = check(capsys, DEMO, "-r", "v1.1")
    assert remote_env.git_requests() == []
    assert again["source"]["read_from"] == "cache"
    assert wave_statuses(again) == {"pass"}


def test_without_a_revision_the_default_branch_is_checked(
    remote_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    _, report = check(capsys, DEMO)
    assert report["source"]["revision"] == "main"
    assert report["source"]["commit"] == git_tags(remote_env)["refs/heads/main"]


def test_a_full_commit_id_is_fetched_alone(
    remote_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    commit = git_tags(remote_env)["refs/tags/v1.0^{}"]
    code, report = check(capsys, DEMO, "-r", commit)
    assert code == EXIT_FAIL and "fail" in wave_statuses(report)
    assert report["source"]["commit"] == commit
    # no ref listing was needed: one fetch (its two requests) and nothing else
    assert [r.method for r in remote_env.git_requests()] == ["GET", "POST"]


def test_the_text_report_names_the_commit(
    remote_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["check", DEMO, "-r", "v1.1"])
    head = capsys.readouterr().out.splitlines()[:3]
    commit = git_tags(remote_env)["refs/tags/v1.1^{}"]
    assert any(f"{DEMO}@v1.1" in line and commit in line for line in head), head


def test_the_private_repository_needs_the_token(
    remote_env: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    assert remote_env.git is not None
    token = remote_env.git.token
    code, _ = check(capsys, PRIVATE)
    err = capsys.readouterr().err
    assert code == EXIT_INPUT
    # (the message went to stderr through the CLI's error path)
    monkeypatch.setenv("GITHUB_TOKEN", token)
    code, report = check(capsys, PRIVATE)
    assert report["source"]["repository"] == PRIVATE
    assert wave_statuses(report) == {"pass"}
    assert any(r.authenticated for r in remote_env.git_requests())
    # the token is in no output, no cache file and no git config
    assert token not in err and token not in json.dumps(report)
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
    configs = list((tmp_path / "cache").rglob(".git/config"))
    assert configs and all("url" not in c.read_text() for c in configs)


def test_private_without_credentials_says_what_to_do(
    remote_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["check", PRIVATE])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT
    assert PRIVATE in err and "GITHUB_TOKEN" in err


def test_a_wrong_token_is_refused_without_showing_it(
    remote_env: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_not-the-seeded-token-0123")
    code = cli.main(["check", PRIVATE])
    captured = capsys.readouterr()
    assert code == EXIT_INPUT
    assert "GITHUB_TOKEN were refused" in captured.err
    assert "ghp_not-the-seeded-token-0123" not in captured.err + captured.out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["acme/no-such-pipeline"], "acme/no-such-pipeline"),
        ([DEMO, "-r", "v9.9"], "no revision 'v9.9'"),
        ([DEMO, "-hub", "nohub"], "unknown repository provider 'nohub'"),
        ([DEMO, "-r", "0123456789abcdef0123456789abcdef01234567"], "no commit"),
        (["https://git.unknown.example/a/b"], "unable to find a Git provider config"),
    ],
)
def test_bad_input_is_exit_2_naming_the_repository(
    remote_env: Sandbox,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: list[str],
    expected: str,
) -> None:
    code = cli.main(["check", *args])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT, err
    assert expected in err and "→" in err
    # nothing a later run would trust was left behind
    assert not list((tmp_path / "cache").rglob("revisions.json"))


def test_an_unreachable_host_is_exit_2(
    remote_env: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # github.com now maps to a loopback port where nothing listens
    monkeypatch.setenv("PREFLIGHT_CONNECT_TO", "github.com:443:127.0.0.1:9")
    code = cli.main(["check", DEMO, "-r", "v1.1"])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT
    assert DEMO in err and "cannot be reached" in err


def test_a_revision_with_a_local_pipeline_is_refused(
    remote_env: Sandbox, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "main.nf").write_text("workflow {}\n")
    code = cli.main(["check", str(tmp_path), "-r", "v1.0"])
    assert code == EXIT_INPUT
    assert "cannot be used with the local pipeline" in capsys.readouterr().err


def test_images_and_config_name_the_commit_too(
    remote_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    commit = git_tags(remote_env)["refs/tags/v1.1^{}"]
    assert cli.main(["images", DEMO, "-r", "v1.1", "--format", "json"]) == 0
    images = json.loads(capsys.readouterr().out)
    assert images["source"]["commit"] == commit
    assert cli.main(["images", DEMO, "-r", "v1.1"]) == 0
    assert f"Images for {DEMO}@v1.1, commit {commit}" in capsys.readouterr().out
    assert cli.main(["config", DEMO, "-r", "v1.1", "--format", "json"]) == 0
    config = json.loads(capsys.readouterr().out)
    assert config["source"]["commit"] == commit
    assert config["config"]["wave"]["enabled"] is True
    assert cli.main(["config", DEMO, "-r", "v1.1"]) == 0
    flat = capsys.readouterr()
    assert "wave.enabled = true" in flat.out and commit in flat.err
    assert remote_env.git_requests()  # the first of these fetched; the others read the cache
    assert len([r for r in remote_env.git_requests() if r.method == "POST"]) == 2


def test_junit_and_github_formats_name_the_commit(
    remote_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    commit = git_tags(remote_env)["refs/tags/v1.1^{}"]
    cli.main(["check", DEMO, "-r", "v1.1", "--format", "junit"])
    assert f'name="source.commit" value="{commit}"' in capsys.readouterr().out
    cli.main(["check", DEMO, "-r", "v1.1", "--format", "github"])
    assert f"::notice title=preflight checked::{DEMO}@v1.1, commit {commit}" in (
        capsys.readouterr().out
    )
