"""Amazon ECR: a Basic challenge, and a password only AWS can issue.

The registry stand-in answers as ECR's private registry does: ``401`` with
``Www-Authenticate: Basic realm="https://ACCOUNT.dkr.ecr.REGION.amazonaws.com/",
service="ecr.amazonaws.com"`` and the text body ``Not Authorized`` (the shape quoted in
NVIDIA/enroot#59 and in Wave's RegistryLookupServiceTest for such a host).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest
import trustme
from tests.registry.tiny_https import Answer, serve

from preflight.model import Status
from preflight.net import connect_to
from preflight.registry.existence import probe_existence
from preflight.registry.existence_findings import ImageToCheck, findings, plan
from preflight.registry.families import RegistryKind

ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def client(ca: trustme.CA) -> Iterator[httpx.Client]:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    with httpx.Client(verify=context, timeout=5.0) as http:
        yield http
    connect_to.uninstall()


def _ecr(method: str, path: str, headers: dict[str, str]) -> Answer:
    challenge = f'Basic realm="https://{ECR}/",service="ecr.amazonaws.com"'
    return 401, {"WWW-Authenticate": challenge, "Content-Type": "text/plain"}, b"Not Authorized"


def _image(credential: str | None) -> ImageToCheck:
    return ImageToCheck(
        image=f"{ECR}/team/tool:1.0",
        registry=ECR,
        repository="team/tool",
        reference="1.0",
        kind=RegistryKind.ECR,
        processes=("ALIGN",),
        credential=credential,
        username="AKIAEXAMPLE" if credential else "",
    )


def test_ecr_without_a_credential_fails_with_the_aws_keys_to_add(
    ca: trustme.CA, client: httpx.Client
) -> None:
    with serve(ca, [ECR], _ecr) as registry:
        connect_to.install({(ECR, 443): ("127.0.0.1", registry.port)})
        image = _image(None)
        (finding,) = findings([image], probe_existence(client, plan([image])))
    assert finding.status is Status.FAIL
    assert f"Registry server '{ECR}' exactly" in finding.remedy
    assert "AWS access key id" in finding.remedy
    # Anonymous: no Authorization ever went to the registry.
    assert registry.seen and all("authorization" not in s.headers for s in registry.seen)


def test_ecr_with_a_credential_says_the_proof_needs_aws_and_asks_nothing(
    ca: trustme.CA, client: httpx.Client
) -> None:
    with serve(ca, [ECR], _ecr) as registry:
        connect_to.install({(ECR, 443): ("127.0.0.1", registry.port)})
        image = _image("aws-ecr")
        assert plan([image]) == []
        (finding,) = findings([image], probe_existence(client, plan([image])))
    assert finding.status is Status.SKIP and "needs AWS" in finding.message
    assert registry.seen == []
