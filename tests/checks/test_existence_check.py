"""`preflight check` on a pipeline with one image of each registry family, against the sandbox.

The sandbox's Platform holds a credential for ghcr.io (and an unrelated docker.io one), none
for quay.io; its registries each hold a public and a private repository. The pipeline pulls one
image of each kind, a misspelt public tag and Quay's private image.
"""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from preflight import cli
from preflight.errors import EXIT_FAIL
from preflight.sandbox.runtime import Sandbox


@pytest.fixture
def pipeline(tmp_path: Path) -> Path:
    source = resources.files("preflight.sandbox") / "data" / "registries-pipeline"
    target = tmp_path / "registries-pipeline"
    with resources.as_file(source) as path:
        shutil.copytree(path, target)
    return target


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main(["check", *args])
    return code, capsys.readouterr().out


def _by_image(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["subject"]: f for f in report["findings"] if f["check"] == "existence"}


def test_every_family_answers_as_the_issue_asks(
    sandbox_env: Sandbox,
    pipeline: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    password = sandbox_env.family_password("ghcr.io")
    monkeypatch.setenv("GHCR_TOKEN", password)
    code, out = _check(
        capsys, str(pipeline), "--format", "json", "--password-env", "ghcr.io=GHCR_TOKEN"
    )
    assert code == EXIT_FAIL
    found = _by_image(json.loads(out))
    for public in (
        "docker.io/library/busybox:1.36",
        "ghcr.io/acme-org/public-tool:1.0",
        "quay.io/biocontainers/samtools:1.17",
        "cr.example.org/tools/multiqc:1.21",
    ):
        assert found[public]["status"] == "pass", found[public]
        assert found[public]["details"]["exists"] is True
    misspelt = found["quay.io/biocontainers/samtools:1.71"]
    assert misspelt["status"] == "fail"
    assert "QUAY_MISSPELT" in misspelt["message"]
    assert misspelt["location"].startswith("main.nf:37")
    private = found["quay.io/acme/secret-tool:1.0"]
    assert private["status"] == "fail" and "anonymously and be refused" in private["message"]
    assert "Registry server 'quay.io' exactly" in private["remedy"]
    assert "acme/pipelines" in private["remedy"]
    assert private["details"]["needs_credential"] is True
    ghcr = found["ghcr.io/acme-org/private-tool:2.0"]
    assert ghcr["status"] == "pass"
    assert {k: ghcr["details"][k] for k in ("registry", "kind", "exists", "credential")} == {
        "registry": "ghcr.io",
        "kind": "ghcr",
        "exists": True,
        "credential": "ghcr",
    }
    assert "sandboxacr.azurecr.io/team/app:1.0" not in found  # ACR is the pull check's
    assert password not in out
    # The credential reached GHCR's token service, and no other family's.
    assert {r.username for r in sandbox_env.family_requests("ghcr.io") if r.had_basic_auth} == {
        "acme-ci"
    }
    for host in ("docker.io", "quay.io", "cr.example.org"):
        assert not any(r.had_basic_auth for r in sandbox_env.family_requests(host))


def test_the_text_report_groups_by_registry(
    sandbox_env: Sandbox, pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = _check(capsys, str(pipeline))
    section = out.split("\nexistence\n", 1)[1].split("\n\n", 1)[0]
    headings = [
        line.strip()
        for line in section.splitlines()
        if line.startswith("  ") and not line.startswith("   ")
    ]
    assert headings == [
        "cr.example.org  (generic)",
        "docker.io  (dockerhub)",
        "ghcr.io  (ghcr)",
        "quay.io  (quay)",
    ]
    # Without the password the ghcr.io credential is not tried: a warning, not a failure.
    ghcr = section.split("ghcr.io/acme-org/private-tool:2.0", 1)[1]
    assert ghcr.lstrip().startswith("warn")


def test_acr_only_and_offline_skip_the_other_registries(
    sandbox_env: Sandbox, pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for option, why in (("--acr-only", "--acr-only"), ("--offline", "offline")):
        sandbox_env.reset()
        _, out = _check(capsys, str(pipeline), "--format", "json", option)
        findings = [f for f in json.loads(out)["findings"] if f["check"] == "existence"]
        assert [(f["status"], why in f["message"]) for f in findings] == [("skip", True)]
        for host in ("docker.io", "ghcr.io", "quay.io", "cr.example.org"):
            assert sandbox_env.family_requests(host) == []


def test_a_trust_realm_that_is_not_a_host_is_unusable_input(
    pipeline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["check", str(pipeline), "--offline", "--trust-realm", "https://x/y"])
    assert code == 2
    assert "--trust-realm" in capsys.readouterr().err
