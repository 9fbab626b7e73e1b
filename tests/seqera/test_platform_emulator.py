"""The Platform emulator through ``handle()``: auth, roles, workspaces, credentials, reset."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from preflight.sandbox.http import Request, Response
from preflight.sandbox.platform import PlatformEmulator, PlatformState
from preflight.sandbox.platform_state import DEMO_USER, VIEWER_USER


def call(
    emulator: PlatformEmulator,
    method: str,
    path: str,
    token: str | None,
    body: Any = None,
    **query: Any,
) -> tuple[int, Any]:
    headers = (("Authorization", f"Bearer {token}"),) if token else ()
    response: Response = emulator.handle(
        Request(
            method=method,
            path=path,
            query={k: [str(v)] for k, v in query.items()},
            headers=headers,
            body=json.dumps(body).encode() if body is not None else b"",
        )
    )
    assert isinstance(response.body, bytes)
    return response.status, json.loads(response.body) if response.body else None


def registry_body(
    name: str, registry: str | None = "sandboxacr.azurecr.io", password: str = "s3cret-pw"
) -> dict[str, Any]:
    return {
        "credentials": {
            "name": name,
            "provider": "container-reg",
            "keys": {
                "discriminator": "container-reg",
                "userName": "tok",
                "password": password,
                "registry": registry,
            },
        }
    }


@pytest.fixture
def demo(state: PlatformState) -> str:
    return state.token_of(DEMO_USER)


@pytest.fixture
def viewer(state: PlatformState) -> str:
    return state.token_of(VIEWER_USER)


@pytest.fixture
def pipelines(state: PlatformState) -> int:
    return state.workspace_by_name("acme", "pipelines").id


@pytest.fixture
def research(state: PlatformState) -> int:
    return state.workspace_by_name("acme", "research").id


def test_describe_is_the_sandbox_contract(state: PlatformState, demo: str) -> None:
    described = state.describe()
    assert described["access_token"] == demo
    assert described["user_id"] == 4242
    assert [(w["org"], w["name"], w["role"]) for w in described["workspaces"]] == [
        ("acme", "pipelines", "owner"),
        ("acme", "research", "launch"),
    ]
    assert all(isinstance(w["id"], int) for w in described["workspaces"])


def test_seed_holds_no_acr_credentials(state: PlatformState) -> None:
    hosts = {c.keys.get("registry") for stored in state.credentials.values() for c in stored}
    assert not any(h and ".azurecr." in h for h in hosts)


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer ", "token"])
def test_bad_or_missing_token_is_401(emulator: PlatformEmulator, header: str | None) -> None:
    headers = (("Authorization", header),) if header else ()
    response = emulator.handle(Request("GET", "/credentials", headers=headers))
    assert response.status == 401


def test_service_info_needs_no_token(emulator: PlatformEmulator) -> None:
    status, body = call(emulator, "GET", "/service-info", None)
    assert status == 200 and body["serviceInfo"]["waveEnabled"] is True


def test_api_prefix_and_unknown_paths(emulator: PlatformEmulator, demo: str) -> None:
    assert call(emulator, "GET", "/api/user-info", demo)[0] == 200
    assert call(emulator, "GET", "/api/service-info", None)[0] == 200
    assert call(emulator, "GET", "/nothing-here", demo)[0] == 404
    assert call(emulator, "PATCH", "/credentials", demo)[0] == 405


def test_user_and_workspaces(emulator: PlatformEmulator, demo: str, viewer: str) -> None:
    status, body = call(emulator, "GET", "/user-info", demo)
    assert status == 200 and body["user"]["userName"] == DEMO_USER
    user_id = body["user"]["id"]
    status, body = call(emulator, "GET", f"/user/{user_id}/workspaces", demo)
    rows = body["orgsAndWorkspaces"]
    assert [(r["orgName"], r.get("workspaceName"), r["roles"]) for r in rows] == [
        ("acme", None, []),  # the organisation's own row: no workspace fields at all
        ("acme", "pipelines", ["owner"]),
        ("acme", "research", ["launch"]),
    ]
    assert call(emulator, "GET", f"/user/{user_id}/workspaces", viewer)[0] == 403
    status, body = call(emulator, "GET", "/orgs", demo)
    assert [o["name"] for o in body["organizations"]] == ["acme"] and body["totalSize"] == 1
    assert call(emulator, "GET", "/orgs", demo, role="member")[1]["organizations"] == []
    status, body = call(emulator, "GET", "/orgs/77001/workspaces", viewer)
    assert [w["name"] for w in body["workspaces"]] == ["pipelines", "research"]
    assert call(emulator, "GET", "/orgs/1/workspaces", demo)[0] == 403


def test_create_list_describe_never_return_the_password(
    emulator: PlatformEmulator, demo: str, pipelines: int
) -> None:
    status, body = call(
        emulator,
        "POST",
        "/credentials",
        demo,
        registry_body("acr", "https://sandboxacr.azurecr.io/"),
        workspaceId=pipelines,
    )
    assert status == 200
    new_id = body["credentialsId"]
    assert len(new_id) == 22 and new_id.isalnum()
    _, listing = call(emulator, "GET", "/credentials", demo, workspaceId=pipelines)
    created = next(c for c in listing["credentials"] if c["id"] == new_id)
    assert created["keys"] == {
        "userName": "tok",
        "registry": "https://sandboxacr.azurecr.io/",  # verbatim
        "discriminator": "container-reg",
    }  # the write-only password is left out, not null
    assert created["dateCreated"] and created["lastUpdated"]
    assert "description" not in created and "baseUrl" not in created  # unset: absent, not null
    _, described = call(emulator, "GET", f"/credentials/{new_id}", demo, workspaceId=pipelines)
    assert "password" not in described["credentials"]["keys"]
    _, keys = call(emulator, "GET", f"/credentials/{new_id}/keys", demo, workspaceId=pipelines)
    everything = json.dumps([listing, described, keys])
    assert "s3cret-pw" not in everything
    stored = emulator.state.credentials_in(4242, pipelines)[-1]
    assert stored.password == "s3cret-pw"


def test_personal_workspaces_are_per_user(
    emulator: PlatformEmulator, demo: str, viewer: str
) -> None:
    assert call(emulator, "POST", "/credentials", demo, registry_body("mine"))[0] == 200
    mine = call(emulator, "GET", "/credentials", demo)[1]["credentials"]
    theirs = call(emulator, "GET", "/credentials", viewer)[1]["credentials"]
    assert [c["name"] for c in mine] == ["mine"] and theirs == []


@pytest.mark.parametrize(
    ("user", "workspace", "create", "keys"),
    [
        (DEMO_USER, "pipelines", 200, 200),  # owner
        (DEMO_USER, "research", 403, 200),  # launch: may not write, Wave may read keys
        (VIEWER_USER, "pipelines", 403, 403),  # view
        (VIEWER_USER, "research", 403, 403),  # connect
    ],
)
def test_roles(
    emulator: PlatformEmulator,
    state: PlatformState,
    user: str,
    workspace: str,
    create: int,
    keys: int,
) -> None:
    ws = state.workspace_by_name("acme", workspace).id
    seeded = state.add_registry_credential(
        name="seeded", registry="r.azurecr.io", user_name="t", password="p", workspace_id=ws
    )
    token = state.token_of(user)
    assert call(emulator, "GET", "/credentials", token, workspaceId=ws)[0] == 200
    status, body = call(
        emulator, "POST", "/credentials", token, registry_body("new"), workspaceId=ws
    )
    assert status == create
    if status == 403:
        assert "role" in body["message"]
    assert call(emulator, "GET", f"/credentials/{seeded.id}/keys", token, workspaceId=ws)[0] == keys
    assert call(emulator, "DELETE", f"/credentials/{seeded.id}", token, workspaceId=ws)[0] == (
        204 if create == 200 else 403
    )


@pytest.mark.platform_off_spec_requests  # a malformed workspaceId, on purpose
def test_unknown_workspace_is_403_and_bad_id_400(emulator: PlatformEmulator, demo: str) -> None:
    assert call(emulator, "GET", "/credentials", demo, workspaceId=999)[0] == 403
    status, body = call(emulator, "GET", "/credentials", demo, workspaceId="ws")
    assert status == 400 and "message" in body


def test_validate_name(emulator: PlatformEmulator, demo: str, pipelines: int) -> None:
    assert (
        call(emulator, "GET", "/credentials/validate", demo, name="fresh", workspaceId=pipelines)[0]
        == 204
    )
    status, body = call(
        emulator, "GET", "/credentials/validate", demo, name="dockerhub", workspaceId=pipelines
    )
    assert status == 409 and "already exists" in body["message"]
    assert (
        call(
            emulator, "GET", "/credentials/validate", demo, name="no spaces", workspaceId=pipelines
        )[0]
        == 400
    )
    assert call(emulator, "GET", "/credentials/validate", demo, workspaceId=pipelines)[0] == 400


@pytest.mark.platform_off_spec_requests  # malformed bodies, on purpose
def test_create_rejects_bad_bodies(
    emulator: PlatformEmulator, state: PlatformState, demo: str, pipelines: int
) -> None:
    def create(body: Any) -> int:
        return call(emulator, "POST", "/credentials", demo, body, workspaceId=pipelines)[0]

    assert create({"name": "x"}) == 400
    assert create(registry_body("bad name")) == 400
    assert create({"credentials": {"name": "x", "provider": "docker"}}) == 400
    assert create(registry_body("x", password="")) == 400
    assert create(registry_body("dockerhub")) == 409
    state.duplicate_name_status = 400
    assert create(registry_body("dockerhub")) == 400
    response = emulator.handle(
        Request(
            "POST",
            "/credentials",
            {"workspaceId": [str(pipelines)]},
            (("Authorization", f"Bearer {demo}"),),
            b"{not json",
        )
    )
    assert response.status == 400


def test_update_keeps_the_password_unless_given(
    emulator: PlatformEmulator, state: PlatformState, demo: str, pipelines: int
) -> None:
    stored = state.add_registry_credential(
        name="acr",
        registry="x.azurecr.io",
        user_name="t",
        password="old-pw",
        workspace_id=pipelines,
    )
    before = stored.last_updated
    body: dict[str, Any] = {
        "credentials": {
            "name": "acr-renamed",
            "provider": "container-reg",
            "keys": {
                "discriminator": "container-reg",
                "userName": "t2",
                "registry": "sandboxacr.azurecr.io",
            },
        }
    }
    assert (
        call(emulator, "PUT", f"/credentials/{stored.id}", demo, body, workspaceId=pipelines)[0]
        == 204
    )
    assert (stored.name, stored.keys["registry"], stored.password) == (
        "acr-renamed",
        "sandboxacr.azurecr.io",
        "old-pw",
    )
    assert stored.last_updated >= before
    body["credentials"]["keys"]["password"] = "new-pw"
    call(emulator, "PUT", f"/credentials/{stored.id}", demo, body, workspaceId=pipelines)
    assert stored.password == "new-pw"
    body["credentials"]["provider"] = "aws"
    assert (
        call(emulator, "PUT", f"/credentials/{stored.id}", demo, body, workspaceId=pipelines)[0]
        == 400
    )
    assert call(emulator, "GET", "/credentials/NoSuchId", demo, workspaceId=pipelines)[0] == 404


def test_reset_restores_the_seed(
    state: PlatformState, emulator: PlatformEmulator, demo: str, pipelines: int
) -> None:
    seeded = [c.id for c in state.credentials_in(4242, pipelines)]
    call(emulator, "POST", "/credentials", demo, registry_body("acr"), workspaceId=pipelines)
    state.workspaces[pipelines].roles[4242] = "view"
    state.accounts[4242].token = "changed"
    state.duplicate_name_status = 400
    state.wave_enabled = False
    state.reset()
    assert state.wave_enabled is True
    assert [c.id for c in state.credentials_in(4242, pipelines)] == seeded
    assert state.role_in(4242, pipelines) == "owner"
    assert state.token_of(DEMO_USER) == demo
    assert state.duplicate_name_status == 409


def test_concurrent_creates_are_all_kept(
    emulator: PlatformEmulator, state: PlatformState, demo: str, pipelines: int
) -> None:
    statuses: list[int] = []

    def create(i: int) -> None:
        statuses.append(
            call(
                emulator,
                "POST",
                "/credentials",
                demo,
                registry_body(f"c{i}"),
                workspaceId=pipelines,
            )[0]
        )

    threads = [threading.Thread(target=create, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 16
    names = [c.name for c in state.credentials_in(4242, pipelines)]
    assert sorted(n for n in names if n.startswith("c")) == sorted(f"c{i}" for i in range(16))
