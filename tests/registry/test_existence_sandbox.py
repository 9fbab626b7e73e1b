"""Existence of each image, from every registry family of the sandbox, read back as findings.

The probes talk to the sandbox's real registry processes through each family's front door; the
findings are what a user reads. One image of each kind, a misspelt public tag, Quay's private
image without a credential, GHCR's private image with its credential and password.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from preflight.model import Finding, Location, Status
from preflight.net.tls import ssl_context
from preflight.registry.existence import Presence, probe_existence
from preflight.registry.existence_findings import ImageToCheck, findings, plan
from preflight.registry.families import RegistryKind, registry_kind
from preflight.sandbox.runtime import Sandbox
from preflight.secret import Secret


@pytest.fixture
def http(sandbox_env: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(verify=ssl_context(sandbox_env.ca_bundle), timeout=10) as client:
        yield client


def _image(
    ref: str,
    *,
    process: str,
    line: int,
    credential: str | None = None,
    user: str = "",
    password: str | None = None,
) -> ImageToCheck:
    host, _, rest = ref.partition("/")
    repository, _, tag = rest.rpartition(":")
    return ImageToCheck(
        image=ref,
        registry=host,
        repository=repository,
        reference=tag,
        kind=registry_kind(host),
        processes=(process,),
        source=Location("main.nf", line),
        credential=credential,
        username=user,
        password=Secret(password) if password else None,
    )


def _run(http: httpx.Client, images: list[ImageToCheck]) -> dict[str, Finding]:
    results = probe_existence(http, plan(images))
    return {f.subject: f for f in findings(images, results, workspace="acme/pipelines")}


def test_one_image_of_each_family(sandbox_env: Sandbox, http: httpx.Client) -> None:
    ghcr_password = sandbox_env.family_password("ghcr.io")
    images = [
        _image("docker.io/library/busybox:1.36", process="HUB", line=3),
        _image("ghcr.io/acme-org/public-tool:1.0", process="GHCR_PUBLIC", line=4),
        _image("quay.io/biocontainers/samtools:1.17", process="QUAY_PUBLIC", line=5),
        _image("cr.example.org/tools/multiqc:1.21", process="GENERIC", line=6),
        _image("quay.io/biocontainers/samtools:1.71", process="MISSPELT", line=7),
        _image("quay.io/acme/secret-tool:1.0", process="QUAY_PRIVATE", line=8),
        _image(
            "ghcr.io/acme-org/private-tool:2.0",
            process="GHCR_PRIVATE",
            line=9,
            credential="ghcr",
            user="acme-ci",
            password=ghcr_password,
        ),
    ]
    found = _run(http, images)
    for public in images[:4]:
        assert found[public.image].status is Status.PASS, found[public.image]
    misspelt = found["quay.io/biocontainers/samtools:1.71"]
    assert misspelt.status is Status.FAIL
    assert "MISSPELT" in misspelt.message and str(misspelt.location) == "main.nf:7"
    assert misspelt.details["exists"] is False
    private = found["quay.io/acme/secret-tool:1.0"]
    assert private.status is Status.FAIL
    assert "anonymously and be refused" in private.message
    assert "Registry server 'quay.io' exactly" in private.remedy
    assert private.details["needs_credential"] is True and private.details["credential"] is None
    with_credential = found["ghcr.io/acme-org/private-tool:2.0"]
    assert with_credential.status is Status.PASS
    assert with_credential.details == {
        "registry": "ghcr.io",
        "image": "ghcr.io/acme-org/private-tool:2.0",
        "kind": "ghcr",
        "exists": True,
        "needs_credential": None,
        "credential": "ghcr",
        "processes": ["GHCR_PRIVATE"],
    }
    # GHCR's token service saw the credential exactly once (one token for the repository);
    # Docker Hub's and Quay's saw no credential at all.
    ghcr_users = [r.username for r in sandbox_env.family_requests("ghcr.io") if r.had_basic_auth]
    assert ghcr_users == ["acme-ci"]
    for host in ("docker.io", "quay.io", "cr.example.org"):
        assert not any(r.had_basic_auth for r in sandbox_env.family_requests(host))
    text = repr(found)
    assert ghcr_password not in text


def test_private_images_are_refused_to_anonymous_clients_in_each_family_way(
    http: httpx.Client,
) -> None:
    refs = [
        "docker.io/acme/private-tool:1.0",  # down-scoped token: no pull in the access claim
        "ghcr.io/acme-org/private-tool:2.0",  # 401 at the token endpoint
        "cr.example.org/acme/internal:0.9",
        "docker.io/acme/no-such-repo:1.0",  # missing looks the same as private
    ]
    images = [_image(r, process="P", line=1) for r in refs]
    results = probe_existence(http, plan(images))
    assert [c.presence for r in results for c in r.checks] == [Presence.REFUSED] * 4
    for finding in findings(images, results):
        assert finding.status is Status.FAIL and finding.details["needs_credential"] is True


def test_a_credential_without_its_password_is_a_warning_not_a_failure(
    http: httpx.Client,
) -> None:
    image = _image(
        "docker.io/acme/private-tool:1.0",
        process="P",
        line=1,
        credential="dockerhub",
        user="acme-bot",
    )
    (finding,) = findings([image], probe_existence(http, plan([image])))
    assert finding.status is Status.WARN
    assert "--password-env docker.io=VAR" in finding.remedy


def test_a_wrong_password_fails_naming_the_credential(
    sandbox_env: Sandbox, http: httpx.Client
) -> None:
    image = _image(
        "quay.io/acme/secret-tool:1.0",
        process="P",
        line=1,
        credential="quay",
        user="acme+reader",
        password="not-the-password-of-the-robot",
    )
    (finding,) = findings([image], probe_existence(http, plan([image])))
    assert finding.status is Status.FAIL and "credential 'quay'" in finding.message
    assert "not-the-password-of-the-robot" not in repr(finding)


def test_docker_hub_rate_limit_warns_when_the_run_would_exceed_it(
    sandbox_env: Sandbox, http: httpx.Client
) -> None:
    sandbox_env.family_door("docker.io").set_pulls(99)  # one anonymous pull left
    images = [
        _image("docker.io/library/busybox:1.36", process="A", line=1),
        _image("docker.io/library/busybox:1.37", process="B", line=2),
    ]
    found = findings(images, probe_existence(http, plan(images)))
    (warning,) = [f for f in found if f.subject == "docker.io"]
    assert warning.status is Status.WARN
    assert "allows 1 more anonymous pulls (window 6 h); this run pulls 2" in warning.message
    sandbox_env.family_door("docker.io").set_pulls(0)
    assert not [
        f for f in findings(images, probe_existence(http, plan(images))) if f.subject == "docker.io"
    ]


def test_families_of_hosts() -> None:
    assert registry_kind("docker.io") is RegistryKind.DOCKERHUB
    assert registry_kind("registry-1.docker.io") is RegistryKind.DOCKERHUB
    assert registry_kind("europe-west2-docker.pkg.dev") is RegistryKind.GAR
    assert registry_kind("123456789012.dkr.ecr.eu-west-1.amazonaws.com") is RegistryKind.ECR
    assert registry_kind("community.wave.seqera.io") is RegistryKind.PUBLIC
    assert registry_kind("myreg.azurecr.io") is RegistryKind.ACR
    assert registry_kind("localhost:5000") is RegistryKind.GENERIC
