"""`preflight images`: the table, the JSON contract, --acr-only, exit codes, light imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from preflight.cli import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "images"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["images", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(FIXTURES / "nfcore"), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert list(document) == [
        "schema_version",
        "status",
        "pipeline",
        "engine",
        "images",
        "unresolved",
        "findings",
        "processes",
    ]
    assert document["schema_version"] == 1 and document["status"] == "pass"
    image = next(i for i in document["images"] if i["acr"])
    assert list(image) == [
        "image",
        "registry",
        "repository",
        "tag",
        "digest",
        "acr",
        "processes",
        "source",
    ]
    assert image == {
        "image": "acmegenomics.azurecr.io/tools/bwa-patched:0.7.18",
        "registry": "acmegenomics.azurecr.io",
        "repository": "tools/bwa-patched",
        "tag": "0.7.18",
        "digest": None,
        "acr": True,
        "processes": ["ACME_VARIANTS:VARIANTS:ALIGN_PAIRED:BWA_MEM_TUMOUR"],
        "source": "conf/modules.config:5",
    }
    tumour = next(p for p in document["processes"] if p["alias"] == "BWA_MEM_TUMOUR")
    assert tumour["declared"] == "BWA_MEM"
    assert tumour["inspect_image"].startswith("quay.io/biocontainers/mulled-v2")
    assert tumour["set_by"] == "withName:.*:ALIGN_PAIRED:BWA_MEM_TUMOUR"


def test_acr_only_and_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        str(FIXTURES / "profiles_only"),
        "-profile",
        "azure",
        "--acr-only",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert code == 0
    assert [i["image"] for i in document["images"]] == [
        "acmeregistry.azurecr.io/acme/rnaseq-nf:v1.3.1"
    ]
    code, out, _ = run(capsys, str(FIXTURES / "profiles_only"), "--acr-only", "--format", "json")
    assert json.loads(out)["images"] == []


def test_unresolved_in_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, str(FIXTURES / "dynamic"), "--format", "json")
    assert json.loads(out)["unresolved"] == [
        {
            "process": "PER_SAMPLE",
            "reason": "'meta' is not known before the run",
            "source": "main.nf:4",
        },
    ]
    _, text, _ = run(capsys, str(FIXTURES / "dynamic"))
    assert "Not known before the run:" in text
    assert "PER_SAMPLE: 'meta' is not known before the run  (main.nf:4:15)" in text


def test_text_table_lists_image_then_processes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(FIXTURES / "config_only"))
    assert code == 0
    lines = out.splitlines()
    assert (
        lines[0]
        == "Images for " + str(FIXTURES / "config_only") + " (engine: docker): 3 image(s), 0 on ACR"
    )
    row = next(i for i, line in enumerate(lines) if "wf-metagenomics" in line)
    assert lines[row].split() == [
        "docker.io/ontresearch/wf-metagenomics:sha8e2c1a7b",
        "no",
        "abundance",
    ]
    assert lines[row + 1].split() == ["classify"]


def test_exit_one_when_an_image_cannot_be_pulled(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(FIXTURES / "registry_acr"))
    assert code == 1
    assert "FAIL  mirror.azurecr.io/Acme/Legacy-Tool" in out


def test_exit_two_for_an_unknown_profile(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(FIXTURES / "nfcore"), "-profile", "nosuch")
    assert code == 2
    assert "nosuch" in err


def test_images_imports_neither_httpx_nor_azure(tmp_path: Path) -> None:
    script = (
        "import io, contextlib, json, sys\n"
        "from preflight.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    code = main(['images', {str(FIXTURES / 'nfcore')!r}, '--format', 'json'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'azure', 'msal'))\n"
        "count = len(json.loads(out.getvalue())['images'])\n"
        "print(json.dumps({'code': code, 'heavy': heavy, 'images': count}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"code": 0, "heavy": [], "images": 6}


def test_the_program_leaves_its_objects_to_the_exit_not_the_collector() -> None:
    # As the program itself (no argv), main() freezes what is left alive before the process
    # ends, so the shutdown collection does not walk it; callers passing argv are untouched.
    code = (
        "import gc, sys\n"
        "from preflight.cli import main\n"
        f"sys.argv = ['preflight', 'images', {str(FIXTURES / 'nfcore')!r}, '--format', 'json']\n"
        "before = gc.get_freeze_count()\n"
        "main(['images', sys.argv[2], '--format', 'json'])\n"
        "passed_argv = gc.get_freeze_count()\n"
        "main()\n"
        "print(before, passed_argv, gc.get_freeze_count() > 0, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stderr.split() == ["0", "0", "True"]
