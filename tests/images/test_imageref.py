"""ImageRef: parsing, normalisation, the registry-host rule, ACR detection, strict errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from preflight.errors import InputError
from preflight.images.ref import ImageRef, acr_login_server, is_acr_host, is_host_component

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest", "normalised"),
    [
        ("ubuntu", "docker.io", "library/ubuntu", None, None, "docker.io/library/ubuntu"),
        (
            "ubuntu:22.04",
            "docker.io",
            "library/ubuntu",
            "22.04",
            None,
            "docker.io/library/ubuntu:22.04",
        ),
        (
            "nextflow/rnaseq-nf:v1.3.1",
            "docker.io",
            "nextflow/rnaseq-nf",
            "v1.3.1",
            None,
            "docker.io/nextflow/rnaseq-nf:v1.3.1",
        ),
        ("docker.io/ubuntu", "docker.io", "library/ubuntu", None, None, "docker.io/library/ubuntu"),
        (
            "index.docker.io/library/ubuntu:1",
            "docker.io",
            "library/ubuntu",
            "1",
            None,
            "docker.io/library/ubuntu:1",
        ),
        (
            "quay.io/biocontainers/fastqc:0.12.1--hdfd78af_0",
            "quay.io",
            "biocontainers/fastqc",
            "0.12.1--hdfd78af_0",
            None,
            "quay.io/biocontainers/fastqc:0.12.1--hdfd78af_0",
        ),
        (
            "registry:5000/image/name",
            "registry:5000",
            "image/name",
            None,
            None,
            "registry:5000/image/name",
        ),
        (
            "myacr.azurecr.io/tools/bwa@" + DIGEST,
            "myacr.azurecr.io",
            "tools/bwa",
            None,
            DIGEST,
            "myacr.azurecr.io/tools/bwa@" + DIGEST,
        ),
        (
            "myacr.azurecr.io/tools/bwa:0.7@" + DIGEST,
            "myacr.azurecr.io",
            "tools/bwa",
            "0.7",
            DIGEST,
            "myacr.azurecr.io/tools/bwa:0.7@" + DIGEST,
        ),
        # Nextflow's rule, not Docker's: localhost is not a host without '.' or ':'.
        (
            "localhost/tool:1",
            "docker.io",
            "localhost/tool",
            "1",
            None,
            "docker.io/localhost/tool:1",
        ),
        ("localhost:5000/tool:1", "localhost:5000", "tool", "1", None, "localhost:5000/tool:1"),
        ("[::1]:5000/tool:1", "[::1]:5000", "tool", "1", None, "[::1]:5000/tool:1"),
        # The host keeps its case: Wave's credential match is exact.
        (
            "MyAcr.azurecr.io/tool:1",
            "MyAcr.azurecr.io",
            "tool",
            "1",
            None,
            "MyAcr.azurecr.io/tool:1",
        ),
    ],
)
def test_parse_normalises(
    text: str,
    registry: str,
    repository: str,
    tag: str | None,
    digest: str | None,
    normalised: str,
) -> None:
    ref = ImageRef.parse(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (
        registry,
        repository,
        tag,
        digest,
    )
    assert str(ref) == normalised
    assert ImageRef.parse(str(ref)) == ref


def test_default_registry_applies_only_to_relative_names() -> None:
    assert str(ImageRef.parse("cbcrg/hello", default_registry="d.reg")) == "d.reg/cbcrg/hello"
    assert str(ImageRef.parse("cbcrg/hello", default_registry="d.reg/")) == "d.reg/cbcrg/hello"
    assert ImageRef.parse("hello", default_registry="quay.io").repository == "hello"
    kept = ImageRef.parse("registry:5000/cbcrg/hello", default_registry="d.reg")
    assert kept.registry == "registry:5000"


def test_reference_and_latest() -> None:
    assert ImageRef.parse("ubuntu").reference == "latest"
    assert ImageRef.parse("ubuntu").implicit_latest
    assert ImageRef.parse("ubuntu:1").reference == "1"
    assert ImageRef.parse("ubuntu:1@" + DIGEST).reference == DIGEST
    assert not ImageRef.parse("ubuntu@" + DIGEST).implicit_latest


def test_uppercase_repository_is_flagged_not_refused() -> None:
    ref = ImageRef.parse("myacr.azurecr.io/Tools/BWA:1")
    assert ref.uppercase_repository
    assert not ImageRef.parse("myacr.azurecr.io/tools/bwa:1").uppercase_repository


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("https://depot.galaxyproject.org/singularity/fastqc:0.12.1", "URL"),
        ("docker://ubuntu:22.04", "URL"),
        ("quay.io/bio containers/x", "white space"),
        ("quay.io/", "repository is missing"),
        ("quay.io//x", "component ''"),
        ("quay.io/-x", "component '-x'"),
        ("quay.io/x-", "component 'x-'"),
        ("quay.io/x:", "tag ''"),
        ("quay.io/x:.hidden", "tag '.hidden'"),
        ("quay.io/x:" + "t" * 129, "tag"),
        ("quay.io/x@sha256:abc", "digest"),
        ("quay.io/x@sha256:" + "a" * 63 + "z", "digest"),
        ("quay.io/x@sha256:" + "a" * 66, "64 hex"),
        ("quay.io/x@" + DIGEST + "@" + DIGEST, "more than one"),
        ("bad_host.io/x", "registry host 'bad_host.io'"),
        ("-bad.io/x", "registry host"),
        ("q.io/" + "a" * 260, "longer than"),
    ],
)
def test_parse_refuses_with_a_message_naming_the_part(text: str, part: str) -> None:
    with pytest.raises(InputError) as caught:
        ImageRef.parse(text)
    assert part in caught.value.message
    assert caught.value.remedy
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("component", "expected"),
    [
        ("hello", False),
        ("image", False),
        ("localhost", False),
        ("registry:5000", True),
        ("d.reg", True),
        ("quay.io", True),
    ],
)
def test_host_component_rule(component: str, expected: bool) -> None:
    assert is_host_component(component) is expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("myacr.azurecr.io", True),
        ("MyAcr.AzureCR.io", True),
        ("myacr.azurecr.io:443", True),
        ("myacr.azurecr.cn", True),
        ("myacr.azurecr.us", True),
        ("myacr.azurecr.sovcloud-azure.fr", True),
        ("myacr.azurecr.sovcloud-azure.de", True),
        ("myacr.westeurope.geo.azurecr.io", True),
        ("azurecr.io", False),
        (".azurecr.io", False),
        ("myacr.azurecr.io.evil.com", False),
        ("quay.io", False),
        ("notazurecr.io", False),
    ],
)
def test_acr_hosts_in_every_cloud(host: str, expected: bool) -> None:
    assert is_acr_host(host) is expected
    if expected:
        assert ImageRef.parse(f"{host}/tool:1").is_acr


def test_acr_login_server_from_regional_endpoint() -> None:
    assert acr_login_server("myacr.westeurope.geo.azurecr.io") == "myacr.azurecr.io"
    assert (
        acr_login_server("reg.deloscloudgermanycentral.geo.azurecr.sovcloud-azure.de")
        == "reg.azurecr.sovcloud-azure.de"
    )
    assert acr_login_server("myacr.azurecr.io") == "myacr.azurecr.io"
    assert acr_login_server("quay.io") == "quay.io"


_component = st.from_regex(r"[a-z0-9]{1,6}(?:[._-][a-z0-9]{1,4}){0,2}", fullmatch=True)
_host = st.one_of(
    st.just("docker.io"),
    st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9]\.(?:azurecr\.io|io|example\.org)", fullmatch=True),
    st.from_regex(r"[a-z]{1,8}:[1-9][0-9]{1,4}", fullmatch=True),
)


@given(
    host=_host,
    path=st.lists(_component, min_size=1, max_size=3),
    tag=st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)),
    digest=st.one_of(st.none(), st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True)),
)
def test_normalised_form_parses_back_to_itself(
    host: str, path: list[str], tag: str | None, digest: str | None
) -> None:
    text = f"{host}/{'/'.join(path)}"
    text += (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
    ref = ImageRef.parse(text)
    assert ImageRef.parse(str(ref)) == ref
    assert (ref.tag, ref.digest) == (tag, digest)
    assert ref.repository.endswith(path[-1])
    assert ref.is_acr == host.endswith(".azurecr.io")
