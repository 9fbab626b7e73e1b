"""An image built from a param nothing sets keeps Nextflow's ``null`` and says which to set."""

from __future__ import annotations

from pathlib import Path

from preflight.images.resolve import ImageResolution, resolve_images
from preflight.images.task_scope import WatchedParams
from preflight.model import Status
from preflight.pipeline import PipelineSpec

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "images" / "unset_param"


def resolve(tmp_path: Path, **options: object) -> ImageResolution:
    return resolve_images(PipelineSpec.locate(FIXTURE, launch_dir=tmp_path, **options))


def test_the_image_is_kept_with_null_and_a_warn_names_the_param(tmp_path: Path) -> None:
    result = resolve(tmp_path)
    assert {u.image for u in result.uses} == {
        "acmegenomics.azurecr.io/team/app:null",
        "acmegenomics.azurecr.io/team/tool:1.0",
    }
    [warn] = [f for f in result.findings if "renders it as 'null'" in f.message]
    assert warn.status is Status.WARN
    assert warn.subject == "acmegenomics.azurecr.io/team/app:null"
    assert "params.app_version" in warn.message and "main.nf:3" in warn.message
    assert "--param app_version=VALUE" in warn.remedy
    assert str(warn.location) == "main.nf:3:15"
    assert warn.details == {"params": ["app_version"], "processes": ["APP"]}


def test_a_param_read_under_elvis_with_a_default_is_no_finding(tmp_path: Path) -> None:
    result = resolve(tmp_path)
    assert not [f for f in result.findings if "tool_version" in f.message]


def test_setting_the_param_clears_the_warn(tmp_path: Path) -> None:
    result = resolve(tmp_path, params={"app_version": "2.1"})
    assert "acmegenomics.azurecr.io/team/app:2.1" in {u.image for u in result.uses}
    assert not [f for f in result.findings if "renders it as 'null'" in f.message]


def test_watched_params_note_reads_of_unset_names_only() -> None:
    params = WatchedParams({"a": 1, "nested": {"b": 2}})
    assert params.get("a") == 1 and params.get("missing") is None
    nested = params.get("nested")
    assert nested is not None and nested.get("b") == 2 and nested.get("c") is None
    assert "zzz" not in params  # a containsKey test is not a read
    assert params.unset == ["missing", "nested.c"]
