"""The ACR front door as a registry client sees it: challenge, token service, proxy.

Requests go to ``https://sandboxacr.azurecr.io`` through the host map, so the name in SNI, in
the certificate check and in ``Host:`` is the real login server, as on Azure.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta

import httpx
import jwt
import pytest

from preflight.net.tls import ssl_context
from preflight.sandbox.push import MANIFEST_ACCEPT
from preflight.sandbox.runtime import Sandbox
from preflight.sandbox.state import ScopeMap, utcnow

LOGIN = "sandboxacr.azurecr.io"
TOKEN = "pipeline-reader"
ORIGIN = f"https://{LOGIN}"

pytestmark = pytest.mark.sandbox


@pytest.fixture
def client(sandbox_env: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=ORIGIN, verify=ssl_context(sandbox_env.ca_bundle), timeout=10
    ) as http:
        yield http


def basic(user: str, password: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def token_for(
    client: httpx.Client, password: str, *scopes: str, user: str = TOKEN
) -> httpx.Response:
    params: list[tuple[str, str | int | float | bool | None]] = [
        ("service", LOGIN),
        *(("scope", s) for s in scopes),
    ]
    return client.get("/oauth2/token", params=params, headers=basic(user, password))


def claims(access_token: str) -> dict[str, object]:
    decoded: dict[str, object] = jwt.decode(access_token, options={"verify_signature": False})
    return decoded


def pull_actions(access_token: str, repository: str) -> list[str]:
    entries = claims(access_token)["access"]
    assert isinstance(entries, list)
    return [a for e in entries if e["Name"] == repository for a in e["Actions"]]


def manifest(client: httpx.Client, access_token: str, reference: str) -> httpx.Response:
    repository, tag = reference.rsplit(":", 1)
    return client.get(
        f"/v2/{repository}/manifests/{tag}",
        headers={"Authorization": f"Bearer {access_token}", "Accept": MANIFEST_ACCEPT},
    )


def test_v2_challenges_with_a_realm_on_the_login_server(client: httpx.Client) -> None:
    response = client.get("/v2/")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        f'Bearer realm="https://{LOGIN}/oauth2/token",service="{LOGIN}"'
    )


def test_realm_follows_the_address_the_client_used(sandbox_env: Sandbox) -> None:
    address = sandbox_env.address(LOGIN)
    response = httpx.get(
        f"https://{address}/v2/", verify=ssl_context(sandbox_env.ca_bundle), timeout=10
    )
    assert response.status_code == 401
    assert f'realm="https://{address}/oauth2/token"' in response.headers["www-authenticate"]
    assert f'service="{LOGIN}"' in response.headers["www-authenticate"]


def test_basic_get_returns_an_acr_shaped_jwt_that_pulls(
    sandbox_env: Sandbox, client: httpx.Client
) -> None:
    password = sandbox_env.password(LOGIN, TOKEN)
    response = token_for(client, password, "repository:team/app:pull")
    assert response.status_code == 200
    assert set(response.json()) == {"access_token"}
    access_token = response.json()["access_token"]
    header = jwt.get_unverified_header(access_token)
    body = claims(access_token)
    assert header["x5c"] and header["alg"] == "ES256"
    assert body["aud"] == LOGIN and body["iss"] == "Azure Container Registry"
    assert body["access"] == [{"Type": "repository", "Name": "team/app", "Actions": ["pull"]}]
    assert 0 < int(body["exp"]) - int(body["iat"]) <= 300  # type: ignore[call-overload]

    pulled = manifest(client, access_token, "team/app:1.0")
    assert pulled.status_code == 200
    assert pulled.headers["docker-content-digest"].startswith("sha256:")
    assert pulled.headers["content-type"] == "application/vnd.oci.image.manifest.v1+json"


def test_password_grant_by_post_form(sandbox_env: Sandbox, client: httpx.Client) -> None:
    response = client.post(
        "/oauth2/token",
        data={
            "grant_type": "password",
            "service": LOGIN,
            "scope": "repository:team/tool:pull",
            "username": TOKEN,
            "password": sandbox_env.password(LOGIN, TOKEN),
        },
    )
    assert response.status_code == 200
    access_token = response.json()["access_token"]
    assert pull_actions(access_token, "team/tool") == ["pull"]
    assert manifest(client, access_token, "team/tool:2.1").status_code == 200
    (record,) = sandbox_env.acr_requests(LOGIN)
    assert (record.method, record.had_basic_auth, record.username) == ("POST", False, TOKEN)


def test_ungranted_scope_gets_200_without_pull_then_the_registry_says_insufficient_scope(
    sandbox_env: Sandbox, client: httpx.Client
) -> None:
    password = sandbox_env.password(LOGIN, TOKEN)
    response = token_for(client, password, "repository:shared/base:pull,push")
    assert response.status_code == 200
    access_token = response.json()["access_token"]
    assert pull_actions(access_token, "shared/base") == []

    refused = manifest(client, access_token, "shared/base:latest")
    assert refused.status_code == 401
    challenge = refused.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert f'realm="https://{LOGIN}/oauth2/token"' in challenge


def test_only_the_requested_and_granted_actions_are_granted(
    sandbox_env: Sandbox, client: httpx.Client
) -> None:
    password = sandbox_env.password(LOGIN, TOKEN)
    access_token = token_for(client, password, "repository:team/app:pull,push,delete").json()[
        "access_token"
    ]
    assert pull_actions(access_token, "team/app") == ["pull"]


def test_wrong_password_is_401_with_acrs_error_body(client: httpx.Client) -> None:
    response = token_for(client, "not-the-password", "repository:team/app:pull")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "UNAUTHORIZED"
    assert "not-the-password" not in response.text


def test_disabled_token_is_refused_at_the_token_endpoint(
    sandbox_env: Sandbox, client: httpx.Client
) -> None:
    with sandbox_env.azure.lock:
        registry = sandbox_env.azure.registry(LOGIN)
        assert registry is not None
        registry.tokens[TOKEN].enabled = False
    response = token_for(client, sandbox_env.password(LOGIN, TOKEN), "repository:team/app:pull")
    assert response.status_code == 401


def test_expired_password_is_refused_at_the_token_endpoint(
    sandbox_env: Sandbox, client: httpx.Client
) -> None:
    with sandbox_env.azure.lock:
        registry = sandbox_env.azure.registry(LOGIN)
        assert registry is not None
        registry.tokens[TOKEN].passwords[0].expiry = utcnow() - timedelta(minutes=1)
    response = token_for(client, sandbox_env.password(LOGIN, TOKEN), "repository:team/app:pull")
    assert response.status_code == 401


def test_a_scope_map_change_applies_at_once(sandbox_env: Sandbox, client: httpx.Client) -> None:
    password = sandbox_env.password(LOGIN, TOKEN)
    with sandbox_env.azure.lock:
        registry = sandbox_env.azure.registry(LOGIN)
        assert registry is not None
        registry.scope_maps["pipeline-reader-scope"] = ScopeMap(
            name="pipeline-reader-scope", actions=["repositories/shared/*/content/read"]
        )
    access_token = token_for(
        client, password, "repository:shared/base:pull", "repository:team/app:pull"
    ).json()["access_token"]
    assert pull_actions(access_token, "shared/base") == ["pull"]
    assert pull_actions(access_token, "team/app") == []
    assert manifest(client, access_token, "shared/base:latest").status_code == 200


def test_reset_restores_the_seeded_tokens(sandbox_env: Sandbox, client: httpx.Client) -> None:
    with sandbox_env.azure.lock:
        registry = sandbox_env.azure.registry(LOGIN)
        assert registry is not None
        del registry.tokens[TOKEN]
    password = sandbox_env.password(LOGIN, TOKEN)
    assert token_for(client, password, "repository:team/app:pull").status_code == 401
    sandbox_env.reset()
    assert token_for(client, password, "repository:team/app:pull").status_code == 200


def test_percent_encoded_repository_names_reach_the_registry(
    sandbox_env: Sandbox, client: httpx.Client
) -> None:
    password = sandbox_env.password(LOGIN, TOKEN)
    access_token = token_for(client, password, "repository:team/app:pull").json()["access_token"]
    response = client.head(
        "/v2/team%2Fapp/manifests/1.1",
        headers={"Authorization": f"Bearer {access_token}", "Accept": MANIFEST_ACCEPT},
    )
    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 0


def test_a_token_for_one_registry_is_refused_by_the_other(
    sandbox_env: Sandbox, client: httpx.Client
) -> None:
    password = sandbox_env.password(LOGIN, TOKEN)
    access_token = token_for(client, password, "repository:lab/align:pull").json()["access_token"]
    with httpx.Client(
        base_url="https://otheracr.azurecr.io",
        verify=ssl_context(sandbox_env.ca_bundle),
        timeout=10,
    ) as other:
        assert manifest(other, access_token, "lab/align:3.0").status_code == 401
        # the other registry's token service does not know this token either
        assert (
            other.get(
                "/oauth2/token",
                params={"service": "otheracr.azurecr.io", "scope": "repository:lab/align:pull"},
                headers=basic(TOKEN, password),
            ).status_code
            == 401
        )


def test_paths_acr_does_not_serve_here_are_404(client: httpx.Client) -> None:
    assert client.get("/acr/v1/team%2Fapp/_tags/1.0").status_code == 404
    assert client.get("/oauth2/exchange").status_code == 404  # POST only, as on ACR


def test_basic_credentials_straight_to_the_registry_work_as_on_acr(
    sandbox_env: Sandbox, client: httpx.Client
) -> None:
    password = sandbox_env.password(LOGIN, TOKEN)
    headers = {**basic(TOKEN, password), "Accept": MANIFEST_ACCEPT}
    assert client.get("/v2/team/app/manifests/1.0", headers=headers).status_code == 200
    assert client.get("/v2/", headers=headers).status_code == 200
    records = sandbox_env.acr_requests(LOGIN)
    assert [(r.path, r.had_basic_auth, r.username) for r in records] == [
        ("/v2/team/app/manifests/1.0", True, TOKEN),
        ("/v2/", True, TOKEN),
    ]


@pytest.mark.parametrize(
    ("path", "password_ok"),
    [("/v2/team/app/manifests/1.0", False), ("/v2/shared/base/manifests/latest", True)],
    ids=["wrong-password", "repository-outside-scope-map"],
)
def test_refused_basic_credentials_get_acrs_basic_challenge(
    sandbox_env: Sandbox, client: httpx.Client, path: str, password_ok: bool
) -> None:
    password = sandbox_env.password(LOGIN, TOKEN) if password_ok else "not-the-password"
    response = client.get(path, headers={**basic(TOKEN, password), "Accept": MANIFEST_ACCEPT})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="Azure Container Registry"'
    (error,) = response.json()["errors"]
    assert error["code"] == "UNAUTHORIZED"
    assert error["detail"] == [
        {
            "Type": "repository",
            "Name": path.split("/")[2] + "/" + path.split("/")[3],
            "Action": "pull",
        }
    ]
    assert "not-the-password" not in response.text
