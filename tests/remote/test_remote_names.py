"""Pipeline names and scm providers, resolved by Nextflow's rules (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.errors import InputError
from preflight.remote.names import looks_remote, resolve_name
from preflight.remote.scm import load_providers, scm_file

DEFAULTS = load_providers(Path("/nonexistent/scm"), False, {})


@pytest.mark.parametrize(
    ("name", "hub", "environ", "project", "url"),
    [
        ("acme/pipe", None, {}, "acme/pipe", "https://github.com/acme/pipe.git"),
        ("rnaseq", None, {}, "nextflow-io/rnaseq", "https://github.com/nextflow-io/rnaseq.git"),
        ("rnaseq", None, {"NXF_ORG": "nf-core"}, "nf-core/rnaseq", None),
        ("acme/pipe", "gitlab", {}, "acme/pipe", "https://gitlab.com/acme/pipe.git"),
        ("acme/pipe", None, {"NXF_HUB": "gitea"}, "acme/pipe", "https://gitea.com/acme/pipe.git"),
        ("https://gitlab.com/grp/pipe", None, {}, "grp/pipe", "https://gitlab.com/grp/pipe.git"),
        ("https://bitbucket.org/o/p.git", None, {}, "o/p", "https://bitbucket.org/o/p.git"),
        # a URL wins over -hub
        ("https://github.com/acme/pipe.git", "gitlab", {}, "acme/pipe", None),
        (
            "https://dev.azure.com/org/proj/_git/repo",
            None,
            {},
            "org/proj/repo",
            "https://dev.azure.com/org/proj/_git/repo",
        ),
    ],
)
def test_names_resolve_as_nextflow_resolves_them(
    name: str, hub: str | None, environ: dict[str, str], project: str, url: str | None
) -> None:
    resolved = resolve_name(name, DEFAULTS, hub=hub, environ=environ)
    assert resolved.project == project
    if url is not None:
        assert resolved.clone_url == url


def test_a_script_inside_the_repository_is_the_main_script() -> None:
    resolved = resolve_name("acme/pipe/workflows/alt.nf", DEFAULTS, hub=None, environ={})
    assert (resolved.project, resolved.main_script) == ("acme/pipe", "workflows/alt.nf")


@pytest.mark.parametrize(
    ("name", "hub", "message"),
    [
        ("acme/pipe", "nohub", "unknown repository provider 'nohub'"),
        ("https://git.example.org/a/b", None, "unable to find a Git provider config"),
        ("https://github.com/acme/pipe/main.nf", None, "must not end with a script file"),
        ("a/b/c", None, "not a valid project name"),
    ],
)
def test_names_nextflow_refuses_are_exit_2(name: str, hub: str | None, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        resolve_name(name, DEFAULTS, hub=hub, environ={})
    assert caught.value.remedy


@pytest.mark.parametrize(
    ("name", "remote"),
    [("acme/pipe", True), ("https://x.org/a/b", True), ("./pipe", False), ("pipe", False)],
)
def test_what_counts_as_a_remote_name(name: str, remote: bool) -> None:
    assert looks_remote(name) is remote


def write_scm(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scm"
    path.write_text(text)
    return path


def test_the_scm_file_is_a_nextflow_config_with_the_environment_bound(tmp_path: Path) -> None:
    path = write_scm(
        tmp_path,
        """
        providers {
            github { user = 'me'; password = GH_PAT }
            mylab {
                server = 'gitlab.acme.org'
                platform = 'gitlab'
                token = System.getenv('LAB_TOKEN')
            }
            bb { platform = 'bitbucket'; auth = 'bob:pw' }
        }
        """,
    )
    environ = {"GH_PAT": "pat-123456", "LAB_TOKEN": "lab-987654"}
    providers = load_providers(path, False, environ)
    github = providers["github"].credentials(environ)
    assert github is not None
    assert (github.username.reveal(), github.password.reveal()) == ("me", "pat-123456")
    lab = providers["mylab"]
    assert lab.server == "https://gitlab.acme.org"
    credentials = lab.credentials(environ)
    assert credentials is not None and credentials.password.reveal() == "lab-987654"
    bitbucket = providers["bb"].credentials({})
    assert bitbucket is not None and bitbucket.username.reveal() == "bob"
    # the built-in providers are still there
    assert {"gitlab", "gitea", "bitbucket", "azurerepos"} <= set(providers)
    # a URL on the custom server picks it by domain
    name = resolve_name("https://gitlab.acme.org/grp/pipe.git", providers, hub=None, environ={})
    assert name.provider.name == "mylab"
    # and no secret prints
    assert "lab-987654" not in repr(lab) and "pat-123456" not in repr(providers["github"])


def test_github_token_is_used_only_when_the_scm_file_gives_no_credentials(
    tmp_path: Path,
) -> None:
    bare = load_providers(tmp_path / "none", False, {})["github"]
    from_env = bare.credentials({"GITHUB_TOKEN": "ghp_fromenv1234"})
    assert from_env is not None and from_env.origin == "GITHUB_TOKEN"
    assert (from_env.username.reveal(), from_env.password.reveal()) == (
        "ghp_fromenv1234",
        "x-oauth-basic",
    )
    path = write_scm(tmp_path, "providers { github { token = 'ghp_fromfile123' } }")
    configured = load_providers(path, False, {})["github"]
    chosen = configured.credentials({"GITHUB_TOKEN": "ghp_fromenv1234"})
    assert chosen is not None and chosen.username.reveal() == "ghp_fromfile123"
    assert bare.credentials({}) is None


def test_a_custom_provider_without_platform_names_the_file(tmp_path: Path) -> None:
    path = write_scm(tmp_path, "providers {\n  mine { server = 'https://git.acme.org' }\n}\n")
    with pytest.raises(InputError, match="missing 'platform'") as caught:
        load_providers(path, False, {})
    assert str(path) in str(caught.value)


def test_nxf_scm_file_must_exist_when_named(tmp_path: Path) -> None:
    path, required = scm_file({"NXF_SCM_FILE": str(tmp_path / "gone")}, tmp_path)
    assert required
    with pytest.raises(InputError, match="missing SCM config file"):
        load_providers(path, required, {})
    assert scm_file({}, tmp_path) == (tmp_path / "scm", False)


def test_the_wrapped_nextflow_run_line_gives_revision_hub_and_latest() -> None:
    from preflight.cli.launch_line import parse_launch_command

    launch = parse_launch_command(
        ["nextflow", "run", "acme/pipe", "-hub", "gitlab", "-r", "v2", "-latest", "-resume"]
    )
    assert (launch.pipeline, launch.revision, launch.hub, launch.latest) == (
        "acme/pipe",
        "v2",
        "gitlab",
        True,
    )
    assert launch.local_pipeline is None
    plain = parse_launch_command(["nextflow", "run", "acme/pipe", "-revision", "main"])
    assert (plain.revision, plain.hub, plain.latest) == ("main", None, False)
