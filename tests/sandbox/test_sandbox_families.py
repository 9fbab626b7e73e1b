"""The sandbox's Docker Hub, GHCR, Quay and generic registries answer as those services do.

Each fact asserted here is a documented shape, cited where it is asserted; the clients are plain
httpx over TLS to the real registry processes behind their front doors, reached by real name.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest

from preflight.net.tls import ssl_context
from preflight.registry.challenge import pick_challenge
from preflight.sandbox.runtime import Sandbox

ACCEPT = (
    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json"
)


@pytest.fixture
def http(sandbox_env: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(verify=ssl_context(sandbox_env.ca_bundle), timeout=10) as client:
        yield client


def _claims(token: str) -> dict[str, object]:
    segment = token.split(".")[1]
    claims: dict[str, object] = json.loads(base64.urlsafe_b64decode(segment + "=" * 4))
    return claims


def _token(
    http: httpx.Client, realm: str, service: str, repository: str, auth: object = None
) -> httpx.Response:
    return http.get(
        realm,
        params={"service": service, "scope": f"repository:{repository}:pull"},
        auth=auth,  # type: ignore[arg-type]
    )


def test_docker_hub_challenge_names_auth_docker_io(http: httpx.Client) -> None:
    # Docker Hub: Bearer realm="https://auth.docker.io/token",service="registry.docker.io"
    # (distribution/distribution docs/content/spec/auth/token.md).
    answer = http.get("https://registry-1.docker.io/v2/")
    assert answer.status_code == 401
    challenge = pick_challenge(answer.headers.get_list("www-authenticate"))
    assert challenge is not None and challenge.is_bearer
    assert challenge.realm == "https://auth.docker.io/token"
    assert challenge.service == "registry.docker.io"


def test_docker_hub_anonymous_token_is_down_scoped_for_a_private_repository(
    http: httpx.Client,
) -> None:
    realm, service = "https://auth.docker.io/token", "registry.docker.io"
    public = _token(http, realm, service, "library/busybox")
    private = _token(http, realm, service, "acme/private-tool")
    # Both answer 200: "If the client only has a subset of the requested access it must not be
    # considered an error" (distribution token spec); Hub sends token and access_token.
    assert public.status_code == private.status_code == 200
    assert {"token", "access_token", "expires_in", "issued_at"} <= set(public.json())
    assert _claims(public.json()["token"])["access"] == [
        {"Type": "repository", "Name": "library/busybox", "Actions": ["pull"]}
    ]
    assert _claims(private.json()["token"])["access"] == [
        {"Type": "repository", "Name": "acme/private-tool", "Actions": []}
    ]
    manifest = http.head(
        "https://registry-1.docker.io/v2/acme/private-tool/manifests/1.0",
        headers={"Authorization": f"Bearer {private.json()['token']}", "Accept": ACCEPT},
    )
    assert manifest.status_code == 401
    assert 'error="insufficient_scope"' in manifest.headers["www-authenticate"]


def test_docker_hub_rate_limit_headers_count_get_but_not_head(
    sandbox_env: Sandbox, http: httpx.Client
) -> None:
    token = _token(
        http, "https://auth.docker.io/token", "registry.docker.io", "library/busybox"
    ).json()["token"]
    url = "https://registry-1.docker.io/v2/library/busybox/manifests/1.36"
    headers = {"Authorization": f"Bearer {token}", "Accept": ACCEPT}
    # "These headers are returned on both GET and HEAD requests. Using GET emulates a real pull
    # and counts towards the limit. Using HEAD won't." (docs.docker.com/docker-hub/usage/pulls)
    first = http.head(url, headers=headers)
    assert first.headers["ratelimit-limit"] == "100;w=21600"
    assert first.headers["ratelimit-remaining"] == "100;w=21600"
    assert http.head(url, headers=headers).headers["ratelimit-remaining"] == "100;w=21600"
    assert http.get(url, headers=headers).headers["ratelimit-remaining"] == "99;w=21600"
    sandbox_env.family_door("docker.io").set_pulls(100)
    refused = http.get(url, headers=headers)
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == "TOOMANYREQUESTS"


def test_docker_hub_refuses_a_wrong_password_at_the_token_service(
    sandbox_env: Sandbox, http: httpx.Client
) -> None:
    realm, service = "https://auth.docker.io/token", "registry.docker.io"
    assert (
        _token(http, realm, service, "acme/private-tool", ("acme-hub", "wrong")).status_code == 401
    )
    good = ("acme-hub", sandbox_env.family_password("docker.io"))
    answer = _token(http, realm, service, "acme/private-tool", good)
    assert _claims(answer.json()["token"])["access"] == [
        {"Type": "repository", "Name": "acme/private-tool", "Actions": ["pull"]}
    ]
    assert [r.username for r in sandbox_env.family_requests("docker.io")] == ["acme-hub"] * 2


def test_ghcr_refuses_an_anonymous_token_for_a_private_repository(
    sandbox_env: Sandbox, http: httpx.Client
) -> None:
    realm = "https://ghcr.io/token"
    challenge = pick_challenge(http.get("https://ghcr.io/v2/").headers.get_list("www-authenticate"))
    assert challenge is not None and (challenge.realm, challenge.service) == (realm, "ghcr.io")
    # GHCR: anonymous token for a private or missing repository → 401 (openai/tunnel-client#75).
    assert _token(http, realm, "ghcr.io", "acme-org/private-tool").status_code == 401
    assert _token(http, realm, "ghcr.io", "acme-org/no-such-thing").status_code == 401
    public = _token(http, realm, "ghcr.io", "acme-org/public-tool")
    assert public.status_code == 200 and set(public.json()) == {"token"}
    # Empty Basic credentials are refused with 403.
    assert _token(http, realm, "ghcr.io", "acme-org/public-tool", ("", "")).status_code == 403
    good = ("acme-ci", sandbox_env.family_password("ghcr.io"))
    assert _token(http, realm, "ghcr.io", "acme-org/private-tool", good).status_code == 200


def test_quay_v2_answers_true_and_tokens_hold_only_token(
    sandbox_env: Sandbox, http: httpx.Client
) -> None:
    # Quay: anonymous GET /v2/ → 401, body `true`; realm https://quay.io/v2/auth; the token
    # answer is {"token": …} only (quay/quay endpoints/v2/__init__.py, endpoints/v2/v2auth.py).
    v2 = http.get("https://quay.io/v2/")
    assert v2.status_code == 401 and v2.content == b"true"
    challenge = pick_challenge(v2.headers.get_list("www-authenticate"))
    assert challenge is not None and challenge.realm == "https://quay.io/v2/auth"
    assert challenge.service == "quay.io"
    private = _token(http, "https://quay.io/v2/auth", "quay.io", "acme/secret-tool")
    assert private.status_code == 200 and set(private.json()) == {"token"}
    assert _claims(private.json()["token"])["access"] == [
        {"Type": "repository", "Name": "acme/secret-tool", "Actions": []}
    ]
    bad = _token(
        http, "https://quay.io/v2/auth", "quay.io", "acme/secret-tool", ("acme+reader", "x")
    )
    assert bad.status_code == 401
    assert bad.json()["errors"][0]["message"] == "Specified credentials are invalid"


def test_the_platform_holds_a_credential_for_ghcr_only(sandbox_env: Sandbox) -> None:
    assert sandbox_env.platform is not None
    registries = [
        c.keys.get("registry")
        for stored in sandbox_env.platform.credentials.values()
        for c in stored
        if c.provider == "container-reg"
    ]
    assert "ghcr.io" in registries
    assert "quay.io" not in registries and "cr.example.org" not in registries
    workspace = int(sandbox_env.env["TOWER_WORKSPACE_ID"])
    passwords = sandbox_env.platform.registry_passwords("ghcr.io", workspace)
    assert passwords == [sandbox_env.family_password("ghcr.io")]
