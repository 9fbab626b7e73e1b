"""Every kind of bad input a user can hand preflight, and what each one gets.

One table, rows grouped by kind: options, paths, configuration files, image references, and
Seqera Platform and Azure Resource Manager answers that are not JSON or lack fields. Each row
names the verb and its arguments, the exit code a user (or a CI gate) gets — 2 for unusable
input, 1 where the contract says the gate fails — and two fragments of the message: *where* the
problem is (option, ``file:line:col``, endpoint) and *what to do* next. No row may end in exit 3
or a traceback, and no secret may show.

The rows for ``preflight config`` itself live beside its other tests
(``tests/nextflow/test_cli_config.py``); the same faults are tried here through the other verbs.
API rows talk real HTTPS to small stand-ins served by this module on loopback: a Platform, and
an ARM used together with the sandbox's Platform and Entra ID (so the real SDK signs in).
"""

from __future__ import annotations

import io
import json
import os
import ssl
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import pytest
import trustme

from preflight import cli
from preflight.errors import EXIT_FAIL, EXIT_INPUT, EXIT_PASS, EXIT_UNREACHABLE, InputError
from preflight.net.endpoint import checked_endpoint
from preflight.provision.names import check_wildcard

if TYPE_CHECKING:
    from preflight.sandbox.runtime import Sandbox

PLATFORM_TOKEN = "bad-input-platform-token-7f3a"
ACR_IMAGE = "examplelab.azurecr.io/genomics/base:2.4.1"
MAIN_NF = f"""\
process ALIGN {{
  container '{ACR_IMAGE}'
  script: 'echo aligned'
}}
workflow {{ ALIGN() }}
"""
WAVE_ON = "wave.enabled = true\n"


# -- stand-ins for the Platform and Azure Resource Manager -------------------------------------


@dataclass(frozen=True)
class Reply:
    """One canned answer: status, body bytes, their Content-Type, and any other headers."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


def as_json(value: object, status: int = 200) -> Reply:
    return Reply(status, json.dumps(value).encode())


HTML_PAGE = Reply(200, b"<!doctype html><html><body>Seqera</body></html>", "text/html")

# A healthy Platform: user 1 ("ann") in workspace lab/prod (id 10), no credentials yet.
HEALTHY: Mapping[str, Reply] = MappingProxyType(
    {
        "/user-info": as_json({"user": {"id": 1, "userName": "ann", "email": "ann@example.org"}}),
        "/user/1/workspaces": as_json(
            {
                "orgsAndWorkspaces": [
                    {"orgId": 7, "orgName": "lab", "workspaceId": None, "workspaceName": None},
                    {
                        "orgId": 7,
                        "orgName": "lab",
                        "workspaceId": 10,
                        "workspaceName": "prod",
                        "roles": ["owner"],
                    },
                ]
            }
        ),
        "/credentials": as_json({"credentials": []}),
        "/service-info": as_json({"serviceInfo": {"version": "25.1.0", "waveEnabled": True}}),
    }
)


class FakeService:
    """Serves ``routes`` (path → reply, query ignored; else 404) over HTTPS on a loopback port."""

    def __init__(self, ca: trustme.CA) -> None:
        self.routes: dict[str, Reply] = {}
        self.paths: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                path = self.path.split("?", 1)[0]
                owner.paths.append(path)
                reply = owner.routes.get(path, as_json({"message": "not found"}, 404))
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.endpoint = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def service_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def platform_server(service_ca: trustme.CA) -> Iterator[FakeService]:
    server = FakeService(service_ca)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def platform(
    platform_server: FakeService,
    service_ca: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[FakeService]:
    """The stand-in, healthy again, with a shell set up to use it (endpoint, token, CA)."""
    ca_file = tmp_path / "platform-ca.pem"
    service_ca.cert_pem.write_to_path(str(ca_file))
    platform_server.routes = dict(HEALTHY)
    platform_server.paths.clear()
    monkeypatch.setenv("TOWER_API_ENDPOINT", platform_server.endpoint)
    monkeypatch.setenv("TOWER_ACCESS_TOKEN", PLATFORM_TOKEN)
    monkeypatch.setenv("PREFLIGHT_CA_BUNDLE", str(ca_file))
    yield platform_server


@pytest.fixture(scope="module")
def arm_server(service_ca: trustme.CA) -> Iterator[FakeService]:
    server = FakeService(service_ca)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def arm(
    sandbox_env: Sandbox,
    arm_server: FakeService,
    service_ca: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[FakeService]:
    """The sandbox (Platform, Entra ID), but Resource Manager is the stand-in, trusted too."""
    trust = tmp_path / "trust.pem"
    trust.write_bytes(
        Path(sandbox_env.env["PREFLIGHT_CA_BUNDLE"]).read_bytes() + service_ca.cert_pem.bytes()
    )
    monkeypatch.setenv("PREFLIGHT_CA_BUNDLE", str(trust))
    monkeypatch.setenv("PREFLIGHT_ARM_ENDPOINT", arm_server.endpoint)
    arm_server.routes = {}
    arm_server.paths.clear()
    yield arm_server


# -- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One bad input. ``{pipe}`` and ``{tmp}`` (in ``argv``, ``env``, ``where``) become real
    paths, ``{api}`` the Platform stand-in's endpoint.

    ``files`` are written into the pipeline directory ``pipe`` (``main.nf`` and a Wave-enabled
    ``nextflow.config`` are there unless replaced); a ``None`` value makes a directory.
    ``api`` replaces routes of the Platform stand-in; ``None`` means no Platform at all.
    ``arm`` (paths may hold ``{sub}``, the subscription) are the only routes of an ARM
    stand-in used with the sandbox's Platform and Entra ID; ``None`` means no Azure.
    ``absent`` are fragments that must not show (work that should not have started).
    """

    name: str
    argv: tuple[str, ...]
    code: int
    where: str
    remedy: str
    files: Mapping[str, str | bytes | None] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    stdin: str = ""
    api: Mapping[str, Reply] | None = None
    arm: Mapping[str, Reply] | None = None
    absent: tuple[str, ...] = ()


def container_config(image: str) -> dict[str, str | bytes | None]:
    return {
        "nextflow.config": WAVE_ON + f"process {{\n  withName: ALIGN {{\n"
        f"    container = {image}\n  }}\n}}\n"
    }


OPTIONS = [
    Case(
        "unknown option",
        ("check", "{pipe}", "--offline", "--bogus"),
        EXIT_INPUT,
        "No such option '--bogus'",
        "Try 'preflight check --help'",
    ),
    Case(
        "bad --format",
        ("check", "{pipe}", "--format", "xml"),
        EXIT_INPUT,
        "Invalid value for '--format': 'xml'",
        "Try 'preflight check --help'",
    ),
    Case(
        "--param without =",
        ("fix", "{pipe}", "--dry-run", "--param", "genome"),
        EXIT_INPUT,
        "--param 'genome' is not KEY=VALUE",
        "write e.g. --param genome=GRCh38",
    ),
    Case(
        "--param with an empty key",
        ("images", "{pipe}", "--param", "=GRCh38"),
        EXIT_INPUT,
        "--param '=GRCh38' is not KEY=VALUE",
        "write e.g. --param genome=GRCh38",
    ),
    Case(
        "-profile unknown, none defined",
        ("images", "{pipe}", "-profile", "azure"),
        EXIT_INPUT,
        "nextflow.config: unknown configuration profile 'azure'",
        "choose among the known profiles: none are defined",
    ),
    Case(
        "bad --engine",
        ("images", "{pipe}", "--engine", "rkt"),
        EXIT_INPUT,
        "Invalid value for '--engine': 'rkt'",
        "Try 'preflight images --help'",
    ),
    Case(
        "--password-env names an unset variable",
        ("check", "{pipe}", "--password-env", "examplelab.azurecr.io=ACR_PASSWORD"),
        EXIT_INPUT,
        "--password-env examplelab.azurecr.io=ACR_PASSWORD: environment variable ACR_PASSWORD",
        "export the variable holding the token password",
    ),
    Case(
        "--password-env with no variable",
        ("check", "{pipe}", "--password-env", "reg="),
        EXIT_INPUT,
        "--password-env reg=: environment variable (none) is not set",
        "export the variable holding the token password",
    ),
    Case(
        "--password-stdin with empty stdin",
        ("check", "{pipe}", "--password-stdin"),
        EXIT_INPUT,
        "--password-stdin: nothing was read from stdin",
        "pipe the token password in",
    ),
    Case(
        "--ca-bundle that is not PEM",
        ("check", "{pipe}", "--ca-bundle", "{pipe}/main.nf"),
        EXIT_INPUT,
        "cannot load the CA bundle",
        "at a readable PEM file",
        api={},
    ),
    Case(
        "PREFLIGHT_CONNECT_TO malformed",
        ("check", "{pipe}", "--offline"),
        EXIT_INPUT,
        "PREFLIGHT_CONNECT_TO: 'examplelab.azurecr.io:443:127.0.0.1' is not HOST:PORT:ADDR",
        "write each entry as e.g. myreg.azurecr.io:443:127.0.0.1:8443",
        env={"PREFLIGHT_CONNECT_TO": "examplelab.azurecr.io:443:127.0.0.1"},
    ),
    Case(
        "TOWER_API_ENDPOINT without a scheme",
        ("check", "{pipe}"),
        EXIT_INPUT,
        "TOWER_API_ENDPOINT: could not check: 'api.cloud.seqera.io' is not a usable URL",
        "set TOWER_API_ENDPOINT to the service's URL, e.g. https://api.cloud.seqera.io",
        env={"TOWER_API_ENDPOINT": "api.cloud.seqera.io", "TOWER_ACCESS_TOKEN": PLATFORM_TOKEN},
    ),
    Case(
        "TOWER_API_ENDPOINT unparsable",
        ("check", "{pipe}"),
        EXIT_INPUT,
        "'http://[::1' is not a usable URL: Invalid IPv6 URL",
        "set TOWER_API_ENDPOINT to the service's URL",
        env={"TOWER_API_ENDPOINT": "http://[::1", "TOWER_ACCESS_TOKEN": PLATFORM_TOKEN},
    ),
    Case(
        "TOWER_ACCESS_TOKEN with a non-ASCII letter",
        ("check", "{pipe}"),
        EXIT_INPUT,
        "TOWER_ACCESS_TOKEN: could not check: the Seqera Platform access token holds a "
        "character no access token has",
        "copy the token again",
        env={"TOWER_ACCESS_TOKEN": "tök-" + PLATFORM_TOKEN},
        api={},
    ),
    Case(
        "PREFLIGHT_ARM_ENDPOINT over plain HTTP",
        ("fix", "{pipe}", "--dry-run"),
        EXIT_INPUT,
        "PREFLIGHT_ARM_ENDPOINT: 'http://management.azure.com' is not a usable URL: it must "
        "start with https://",
        "e.g. https://management.azure.com",
        env={
            "PREFLIGHT_ARM_ENDPOINT": "http://management.azure.com",
            "AZURE_SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000000",
        },
        api={},
    ),
    Case(
        "AZURE_AUTHORITY_HOST unparsable",
        ("fix", "{pipe}", "--dry-run"),
        EXIT_INPUT,
        "AZURE_AUTHORITY_HOST: 'https://login microsoftonline.com' is not a usable URL",
        "e.g. https://login.microsoftonline.com",
        env={
            "AZURE_AUTHORITY_HOST": "login microsoftonline.com",
            "AZURE_SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000000",
        },
        api={},
    ),
    # `check` proves what it can without Azure: the pull check says why it could not sign in.
    Case(
        "AZURE_AUTHORITY_HOST unparsable, check",
        ("check", "{pipe}"),
        EXIT_FAIL,
        "no Azure identity is set up (AZURE_AUTHORITY_HOST: 'http://[::1' is not a usable URL",
        "give the token password",
        env={"AZURE_AUTHORITY_HOST": "http://[::1", "AZURE_SUBSCRIPTION_ID": "my-subscription"},
        api={},
    ),
    Case(
        "AZURE_SUBSCRIPTION_ID that is no GUID",
        ("fix", "{pipe}", "--dry-run"),
        EXIT_INPUT,
        "AZURE_SUBSCRIPTION_ID: 'my-subscription' is not a subscription id",
        "az account show --query id -o tsv",
        env={"AZURE_SUBSCRIPTION_ID": "my-subscription"},
        api={},
    ),
    Case(
        "--expiry malformed",
        ("fix", "{pipe}", "--dry-run", "--expiry", "next-year"),
        EXIT_INPUT,
        "--expiry 'next-year' is neither a duration nor an ISO date",
        "write e.g. --expiry 90d",
    ),
    Case(
        "--expiry beyond the calendar",
        ("fix", "{pipe}", "--dry-run", "--expiry", "99999999999d"),
        EXIT_INPUT,
        "--expiry '99999999999d' is too far in the future",
        "write e.g. --expiry 90d",
    ),
    Case(
        "--expiry in the past",
        ("fix", "{pipe}", "--dry-run", "--expiry", "2001-01-01"),
        EXIT_INPUT,
        "--expiry '2001-01-01' is not in the future",
        "give a later date",
    ),
    Case(
        "--token-name invalid",
        ("fix", "{pipe}", "--dry-run", "--token-name", "wave_pull"),
        EXIT_INPUT,
        "'wave_pull' is not a valid ACR token name",
        "no underscores",
    ),
    Case(
        "--wildcard that no repository name can start with",
        ("fix", "{pipe}", "--dry-run", "--wildcard", "Team A"),
        EXIT_INPUT,
        "--wildcard 'Team A' is not a repository prefix",
        "in lower case: e.g. --wildcard team",
    ),
    Case(
        "fix without --yes on a non-TTY",
        ("fix", "{pipe}"),
        EXIT_INPUT,
        "stdin is not a terminal to confirm on",
        "pass --yes to apply without asking",
    ),
    Case(
        "run with no command",
        ("run", "--offline", "--pipeline", "{pipe}", "--"),
        EXIT_INPUT,
        "Missing argument 'WRAPPED...'",
        "Try 'preflight run --help'",
    ),
    # Found out before any check or fix runs: the report stays unprinted.
    Case(
        "run with a command that does not exist",
        ("run", "--fix", "--pipeline", "{pipe}", "--", "preflight-no-such-command", "-v"),
        EXIT_INPUT,
        "preflight-no-such-command: command not found",
        "check PATH",
        absent=("reading the pipeline", "images used"),
    ),
    Case(
        "run naming no pipeline at all",
        ("run", "--offline", "--", "nextflow", "run", "-resume"),
        EXIT_INPUT,
        "cannot tell which pipeline nextflow run -resume runs",
        "name it with --pipeline DIR",
    ),
    Case(
        "-w naming an unknown workspace",
        ("check", "{pipe}", "-w", "lab/dev"),
        EXIT_INPUT,
        "user 'ann' has no workspace 'lab/dev'",
        "use one of: lab/prod (id 10)",
        api={},
    ),
    Case(
        "-w naming an unknown workspace id",
        ("check", "{pipe}", "-w", "11"),
        EXIT_INPUT,
        "has no workspace '11'",
        "use one of: lab/prod (id 10)",
        api={},
    ),
    Case(
        "-w malformed",
        ("check", "{pipe}", "-w", "lab/prod/extra"),
        EXIT_INPUT,
        "workspace 'lab/prod/extra' is not ORGANIZATION/WORKSPACE",
        "write the workspace as a numeric id or as org/workspace",
        api={},
    ),
    # Offline, the Wave check says Nextflow will refuse the value: the gate fails.
    Case(
        "non-numeric tower.workspaceId, offline",
        ("check", "{pipe}", "--offline"),
        EXIT_FAIL,
        "tower.workspaceId at nextflow.config:2:1 is 'prod'",
        "use the number shown by `tw workspaces list`",
        files={"nextflow.config": WAVE_ON + "tower.workspaceId = 'prod'\n"},
        env={"TOWER_ACCESS_TOKEN": PLATFORM_TOKEN},
    ),
    Case(
        "non-numeric tower.workspaceId",
        ("check", "{pipe}"),
        EXIT_FAIL,
        "tower.workspaceId at nextflow.config:2:1 is 'prod'",
        "use the number shown by `tw workspaces list`",
        files={"nextflow.config": WAVE_ON + "tower.workspaceId = 'prod'\n"},
        api={},
    ),
    # The same rule for the variable: the Wave check's fail with the place, reported once.
    Case(
        "non-numeric TOWER_WORKSPACE_ID",
        ("check", "{pipe}"),
        EXIT_FAIL,
        "TOWER_WORKSPACE_ID is 'prod'; Nextflow needs the numeric workspace id",
        "use the number shown by `tw workspaces list`",
        env={"TOWER_WORKSPACE_ID": "prod"},
        api={},
        absent=("neither a numeric id nor org/workspace",),
    ),
    Case(
        "TOWER_WORKSPACE_ID naming an unknown org/workspace",
        ("check", "{pipe}"),
        EXIT_FAIL,
        "TOWER_WORKSPACE_ID is 'lab/dev'; Nextflow needs the numeric workspace id",
        "use the number shown by `tw workspaces list`",
        env={"TOWER_WORKSPACE_ID": "lab/dev"},
        api={},
        absent=("has no workspace",),
    ),
    # -w is preflight's own option: unusable, it stays exit 2 (rows above), as does fix, which
    # must know the workspace to create the credential in.
    Case(
        "non-numeric TOWER_WORKSPACE_ID for fix",
        ("fix", "{pipe}", "--dry-run"),
        EXIT_INPUT,
        "workspace 'prod' is neither a numeric id nor org/workspace",
        "write the workspace as a numeric id or as org/workspace",
        env={"TOWER_WORKSPACE_ID": "prod"},
        api={},
    ),
]

PATHS = [
    Case(
        "missing pipeline",
        ("images", "{tmp}/nowhere"),
        EXIT_INPUT,
        "nowhere: no such file or directory",
        "check the path",
    ),
    Case(
        "a file that is not .nf",
        ("check", "{pipe}/notes.txt", "--offline"),
        EXIT_INPUT,
        "notes.txt is not a pipeline directory or a .nf script",
        "name a pipeline directory or its main .nf script",
        files={"notes.txt": "hello\n"},
    ),
    Case(
        "a directory without a pipeline",
        ("images", "{pipe}/docs"),
        EXIT_INPUT,
        "docs holds neither main.nf nor nextflow.config",
        "name a pipeline directory or its main .nf script",
        files={"docs": None},
    ),
    Case(
        "nextflow.config is a directory",
        ("check", "{pipe}", "--offline"),
        EXIT_INPUT,
        "cannot read nextflow.config",
        "check that the file exists and that you may read it",
        files={"nextflow.config": None},
    ),
    Case(
        "nextflow.config is a directory, images",
        ("images", "{pipe}"),
        EXIT_INPUT,
        "cannot read nextflow.config",
        "check that the file exists and that you may read it",
        files={"nextflow.config": None},
    ),
    Case(
        "-c names a directory",
        ("images", "{pipe}", "-c", "{pipe}/conf"),
        EXIT_INPUT,
        "-c {pipe}/conf: no such configuration file",
        "check the path given to -c",
        files={"conf": None},
    ),
    Case(
        "--params-file is a directory",
        ("check", "{pipe}", "--offline", "--params-file", "{pipe}/conf"),
        EXIT_INPUT,
        "{pipe}/conf: could not check: cannot read the params file",
        "name a readable JSON or YAML file",
        files={"conf": None},
    ),
    Case(
        "--params-file holds a list",
        ("images", "{pipe}", "--params-file", "{pipe}/p.yaml"),
        EXIT_INPUT,
        "p.yaml: a params file must hold a mapping",
        'write e.g. {"outdir": "results"}',
        files={"p.yaml": "- outdir\n"},
    ),
    Case(
        "--params-file malformed YAML",
        ("fix", "{pipe}", "--dry-run", "--only", "wave", "--params-file", "{pipe}/p.yaml"),
        EXIT_INPUT,
        "p.yaml:2:1: not valid YAML",
        "fix the YAML syntax at this place",
        files={"p.yaml": "outdir: [\n"},
    ),
    Case(
        "--params-file nested past any real use",
        ("check", "{pipe}", "--offline", "--params-file", "{pipe}/p.json"),
        EXIT_INPUT,
        "{pipe}/p.json: could not check: values are nested more than 100 levels",
        "flatten the nesting",
        files={"p.json": '{"a": ' + '{"b": ' * 700 + "1" + "}" * 701},
    ),
    Case(
        "--params-file nested past the parser",
        ("images", "{pipe}", "--params-file", "{pipe}/p.json"),
        EXIT_INPUT,
        "p.json: values are nested more than 100 levels",
        "flatten the nesting",
        files={"p.json": '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"},
    ),
    Case(
        "--output in a missing directory",
        ("check", "{pipe}", "--offline", "--output", "{tmp}/missing/report.json"),
        EXIT_INPUT,
        "missing/report.json: cannot write the report",
        "choose an --output path",
        env={"TOWER_ACCESS_TOKEN": PLATFORM_TOKEN},
    ),
]

CONFIGS = [
    Case(
        "malformed",
        ("fix", "{pipe}", "--dry-run", "--only", "wave"),
        EXIT_INPUT,
        "nextflow.config:3:1: unclosed '{' block",
        "add the missing '}'",
        files={"nextflow.config": "process {\n  cpus = 2\n"},
    ),
    Case(
        "malformed, check",
        ("check", "{pipe}", "--offline"),
        EXIT_INPUT,
        "nextflow.config:3:1: could not check: expected a value but found '}'",
        "fix the syntax at this place",
        files={"nextflow.config": "wave {\n  enabled = \n}\n"},
    ),
    Case(
        "included file not UTF-8",
        ("images", "{pipe}"),
        EXIT_INPUT,
        "conf/base.config:2:16: not UTF-8 text (byte 0xe9)",
        "save the file as UTF-8",
        files={
            "nextflow.config": "includeConfig 'conf/base.config'\n",
            "conf/base.config": b"process.cpus = 2\nparams.name = '\xe9'\n",
        },
    ),
    Case(
        "include cycle",
        ("check", "{pipe}", "--offline"),
        EXIT_INPUT,
        "include cycle: nextflow.config → conf/a.config → nextflow.config",
        "remove the includeConfig that closes the cycle",
        files={
            "nextflow.config": "includeConfig 'conf/a.config'\n",
            "conf/a.config": "includeConfig '../nextflow.config'\n",
        },
    ),
    Case(
        "missing include",
        ("fix", "{pipe}", "--dry-run", "--only", "wave"),
        EXIT_INPUT,
        "nextflow.config:2:1: includeConfig 'conf/gone.config': no such file",
        "create the file, fix the path (it is relative to the including file)",
        files={"nextflow.config": WAVE_ON + "includeConfig 'conf/gone.config'\n"},
    ),
    Case(
        "unknown profile",
        ("check", "{pipe}", "--offline", "-profile", "docker,azure"),
        EXIT_INPUT,
        "unknown configuration profile 'azure'",
        "choose among the known profiles: docker",
        files={"nextflow.config": WAVE_ON + "profiles {\n  docker { docker.enabled = true }\n}\n"},
    ),
]

# An image the registry will refuse is not unusable input: the run would fail, so the gate does.
IMAGE_REFERENCES = [
    Case(
        "upper-case repository",
        ("images", "{pipe}"),
        EXIT_FAIL,
        "[nextflow.config:4:5]",
        "write the repository in lower case: upper/case",
        files=container_config("'UPPER/Case:tag'"),
    ),
    Case(
        "spaces in the reference",
        ("images", "{pipe}"),
        EXIT_FAIL,
        "image 'bad ref with spaces': it contains white space [nextflow.config:4:5]",
        "correct the container value where it is set",
        files=container_config("'bad ref with spaces'"),
    ),
    Case(
        "digest of the wrong length",
        ("check", "{pipe}", "--offline"),
        EXIT_FAIL,
        "digest 'sha256:abc123' is not valid\n        at nextflow.config:4",
        "correct the container value where it is set",
        files=container_config("'examplelab.azurecr.io/a/b@sha256:abc123'"),
        env={"TOWER_ACCESS_TOKEN": PLATFORM_TOKEN},
    ),
    Case(
        "empty tag",
        ("images", "{pipe}"),
        EXIT_FAIL,
        "tag '' is not valid [nextflow.config:4:5]",
        "correct the container value",
        files=container_config("'examplelab.azurecr.io/a/b:'"),
    ),
    Case(
        "bad reference in a script",
        ("images", "{pipe}"),
        EXIT_FAIL,
        "image 'bad ref': it contains white space [main.nf:2:13]",
        "correct the container value",
        files={"main.nf": MAIN_NF.replace(ACR_IMAGE, "bad ref")},
    ),
    # Nextflow reads an empty container as "no container": a warning, and the gate passes.
    Case(
        "empty string",
        ("images", "{pipe}"),
        EXIT_PASS,
        "no container and run on the bare host: ALIGN [nextflow.config:4:5]",
        "set a container",
        files=container_config("''"),
    ),
]

# The Platform answers, but not as its API does. `check` makes each an `error` finding of the
# credentials check and the gate fails (exit 1): the service, not the user's input, is at fault.
API_RESPONSES = [
    Case(
        "HTML instead of JSON",
        ("check", "{pipe}"),
        EXIT_FAIL,
        "{api}/user-info: could not check: Seqera Platform's user info is not JSON "
        "(Content-Type 'text/html')",
        "TOWER_API_ENDPOINT names the Platform API",
        api={"/user-info": HTML_PAGE},
    ),
    Case(
        "200 with an empty body",
        ("check", "{pipe}"),
        EXIT_FAIL,
        "{api}/user-info: could not check: Seqera Platform's user info is empty (HTTP 200",
        "TOWER_API_ENDPOINT names the Platform API",
        api={"/user-info": Reply(200, b"")},
    ),
    Case(
        "a list where an object is expected",
        ("check", "{pipe}"),
        EXIT_FAIL,
        "/user-info: could not check: Seqera Platform's user info has no usable "
        "'(top level object)' field",
        "TOWER_API_ENDPOINT",
        api={"/user-info": as_json([])},
    ),
    Case(
        "user without an id",
        ("check", "{pipe}"),
        EXIT_FAIL,
        "user info has no usable 'user.id' field",
        "TOWER_API_ENDPOINT",
        api={"/user-info": as_json({"user": {"id": "1", "userName": "ann"}})},
    ),
    Case(
        "{} where the credential list is expected",
        ("check", "{pipe}"),
        EXIT_FAIL,
        "could not list the credentials of your personal workspace ({api}/credentials): "
        "Seqera Platform's credential list has no usable 'credentials' field",
        "TOWER_API_ENDPOINT",
        api={"/credentials": as_json({})},
    ),
    Case(
        "an object where the credential list is expected",
        ("check", "{pipe}"),
        EXIT_FAIL,
        "credential list has no usable 'credentials' field",
        "TOWER_API_ENDPOINT",
        api={"/credentials": as_json({"credentials": {}})},
    ),
    Case(
        "{} where the workspace list is expected",
        ("check", "{pipe}", "-w", "lab/prod"),
        EXIT_FAIL,
        "{api}/user/1/workspaces: could not check: Seqera Platform's workspace "
        "list has no usable 'orgsAndWorkspaces' field",
        "TOWER_API_ENDPOINT",
        api={"/user/1/workspaces": as_json({})},
    ),
    Case(
        "a credential without keys",
        ("check", "{pipe}"),
        EXIT_FAIL,
        "no container registry credential for 'examplelab.azurecr.io' in your personal workspace",
        "run 'preflight fix' to create a pull-only token",
        api={
            "/credentials": as_json(
                {"credentials": [{"id": "c1", "name": "acr", "provider": "container-reg"}]}
            )
        },
    ),
    Case(
        "401 as an HTML page",
        ("check", "{pipe}"),
        EXIT_INPUT,  # a token Platform refuses is unusable input, like an unknown workspace
        "{api}/user-info: could not check: Seqera Platform refused the access token (401)",
        "create a new access token at {api}/tokens",
        api={"/user-info": Reply(401, HTML_PAGE.body, "text/html")},
    ),
    Case(
        "404: the endpoint lacks /api",
        ("check", "{pipe}"),
        EXIT_FAIL,
        "{api}/user-info: could not check: Seqera Platform answered 404",
        "check TOWER_API_ENDPOINT: the cloud API is https://api.cloud.seqera.io",
        api={"/user-info": Reply(404, HTML_PAGE.body, "text/html")},
    ),
    Case(
        "503 as an HTML page",
        ("check", "{pipe}"),
        EXIT_UNREACHABLE,  # Platform could not answer: nothing is known to be wrong
        "{api}/user-info: could not check: Seqera Platform failed (503)",
        "try again in a few minutes",
        api={"/user-info": Reply(503, HTML_PAGE.body, "text/html", (("Retry-After", "0"),))},
    ),
    Case(
        "a credential that is not an object",
        ("check", "{pipe}"),
        EXIT_FAIL,
        "credential list has no usable 'credentials[]' field",
        "TOWER_API_ENDPOINT",
        api={"/credentials": as_json({"credentials": ["acr"]})},
    ),
]

# Azure Resource Manager answers, but not as ARM does. `fix` cannot plan that registry: the plan
# says what is blocked and why, and the gate fails (exit 1).
SANDBOX_MAIN_NF = MAIN_NF.replace(ACR_IMAGE, "sandboxacr.azurecr.io/team/app:1.0")
REGISTRIES = "/subscriptions/{sub}/providers/Microsoft.ContainerRegistry/registries"
SANDBOX_ACR = (
    "/subscriptions/{sub}/resourceGroups/rg-preflight/providers/"
    "Microsoft.ContainerRegistry/registries/sandboxacr"
)
REGISTRY_LISTING = as_json(
    {
        "value": [
            {
                "id": SANDBOX_ACR,
                "name": "sandboxacr",
                "type": "Microsoft.ContainerRegistry/registries",
                "location": "westeurope",
                "sku": {"name": "Standard", "tier": "Standard"},
                "properties": {
                    "loginServer": "sandboxacr.azurecr.io",
                    "provisioningState": "Succeeded",
                },
            }
        ]
    }
)
NOT_ARM = "the answer is not Azure Resource Manager's JSON"
ARM_REMEDY = "check that PREFLIGHT_ARM_ENDPOINT names Azure Resource Manager"
FIX_PLAN = ("fix", "{pipe}", "--dry-run", "--only", "credentials")
ARM_RESPONSES = [
    Case(
        "HTML instead of JSON",
        FIX_PLAN,
        EXIT_FAIL,
        f"could not list registries: {NOT_ARM} (JSONDecodeError",
        ARM_REMEDY,
        files={"main.nf": SANDBOX_MAIN_NF},
        arm={REGISTRIES: HTML_PAGE},
    ),
    Case(
        "200 with an empty body",
        FIX_PLAN,
        EXIT_FAIL,
        f"could not list registries: {NOT_ARM}",
        ARM_REMEDY,
        files={"main.nf": SANDBOX_MAIN_NF},
        arm={REGISTRIES: Reply(200, b"")},
    ),
    Case(
        "a registry without id or name",
        FIX_PLAN,
        EXIT_FAIL,
        "a registry without a resource id and name",
        ARM_REMEDY,
        files={"main.nf": SANDBOX_MAIN_NF},
        arm={REGISTRIES: as_json({"value": [{}]})},
    ),
    Case(
        "a registry that is a string",
        FIX_PLAN,
        EXIT_FAIL,
        f"could not list registries: {NOT_ARM} (AttributeError",
        ARM_REMEDY,
        files={"main.nf": SANDBOX_MAIN_NF},
        arm={REGISTRIES: as_json({"value": ["acr"]})},
    ),
    Case(
        "a 503 with a text body",
        FIX_PLAN,
        EXIT_FAIL,
        f"could not list registries: {NOT_ARM}",
        ARM_REMEDY,
        files={"main.nf": SANDBOX_MAIN_NF},
        # Retry-After keeps the SDK's bounded retries quick.
        arm={
            REGISTRIES: Reply(
                503, b"upstream unavailable", "text/plain", (("Retry-After", "0.01"),)
            )
        },
    ),
    Case(
        "{} where the registry list is expected",
        FIX_PLAN,
        EXIT_FAIL,
        "no registry with login server sandboxacr.azurecr.io is visible in subscription",
        "check AZURE_SUBSCRIPTION_ID",
        files={"main.nf": SANDBOX_MAIN_NF},
        arm={REGISTRIES: as_json({})},
    ),
    Case(
        "an unknown subscription",
        FIX_PLAN,
        EXIT_FAIL,
        "could not list registries: SubscriptionNotFound",
        "check AZURE_SUBSCRIPTION_ID",
        files={"main.nf": SANDBOX_MAIN_NF},
        arm={
            REGISTRIES: as_json(
                {
                    "error": {
                        "code": "SubscriptionNotFound",
                        "message": "The subscription could not be found.",
                    }
                },
                404,
            )
        },
    ),
    Case(
        "HTML for the token",
        FIX_PLAN,
        EXIT_FAIL,
        f"could not read token wave-pull-184950001 of sandboxacr.azurecr.io: {NOT_ARM}",
        ARM_REMEDY,
        files={"main.nf": SANDBOX_MAIN_NF},
        arm={REGISTRIES: REGISTRY_LISTING, SANDBOX_ACR + "/tokens/wave-pull-184950001": HTML_PAGE},
    ),
]

TABLE = [
    *(pytest.param(case, id=f"options: {case.name}") for case in OPTIONS),
    *(pytest.param(case, id=f"paths: {case.name}") for case in PATHS),
    *(pytest.param(case, id=f"configs: {case.name}") for case in CONFIGS),
    *(pytest.param(case, id=f"images: {case.name}") for case in IMAGE_REFERENCES),
    *(pytest.param(case, id=f"api: {case.name}") for case in API_RESPONSES),
    *(
        pytest.param(case, id=f"arm: {case.name}", marks=pytest.mark.sandbox)
        for case in ARM_RESPONSES
    ),
]


def make_pipeline(root: Path, files: Mapping[str, str | bytes | None]) -> Path:
    pipe = root / "pipe"
    pipe.mkdir()
    layout: dict[str, str | bytes | None] = {"main.nf": MAIN_NF, "nextflow.config": WAVE_ON}
    layout.update(files)
    for name, content in layout.items():
        path = pipe / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return pipe


@pytest.mark.parametrize("case", TABLE)
def test_bad_input_gets_a_clear_error_never_a_crash(
    case: Case,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    pipe = make_pipeline(tmp_path, case.files)

    def fill(text: str) -> str:
        text = text.replace("{pipe}", str(pipe)).replace("{tmp}", str(tmp_path))
        return text.replace("{api}", api_endpoint)

    api_endpoint = "(no Platform)"
    if case.api is not None:
        server: FakeService = request.getfixturevalue("platform")
        server.routes.update(case.api)
        api_endpoint = server.endpoint
    if case.arm is not None:
        arm_stand_in: FakeService = request.getfixturevalue("arm")
        subscription = os.environ["AZURE_SUBSCRIPTION_ID"]
        arm_stand_in.routes = {
            path.replace("{sub}", subscription): reply for path, reply in case.arm.items()
        }
    for name, value in case.env.items():
        monkeypatch.setenv(name, fill(value))
    monkeypatch.setattr(sys, "stdin", io.StringIO(case.stdin))
    monkeypatch.chdir(tmp_path)

    code = cli.main([fill(arg) for arg in case.argv])
    captured = capsys.readouterr()
    shown = captured.out + captured.err

    assert code == case.code, shown
    assert "Traceback" not in shown and "internal error" not in shown, shown
    assert fill(case.where) in shown, shown
    assert fill(case.remedy) in shown, shown
    assert not [fragment for fragment in case.absent if fragment in shown], shown
    for secret in (
        PLATFORM_TOKEN,
        os.environ.get("TOWER_ACCESS_TOKEN"),
        os.environ.get("AZURE_CLIENT_SECRET"),
    ):
        assert not secret or secret not in shown


def test_the_platform_stand_in_answered_the_api_rows(
    platform: FakeService,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The healthy stand-in passes the credentials lookup, so the API rows fail for their
    reply alone (and not because nothing was listening)."""
    pipe = make_pipeline(tmp_path, {})
    code = cli.main(["check", str(pipe), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    statuses = {f["status"] for f in report["findings"] if f["check"] == "credentials"}
    assert "error" not in statuses, report["findings"]
    assert code == EXIT_FAIL  # no credential for the ACR registry yet: the gate says no
    assert "/user-info" in platform.paths and "/credentials" in platform.paths


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://api.cloud.seqera.io", ""),
        ("http://127.0.0.1:8080/api", ""),
        ("api.cloud.seqera.io", "it must start with https:// or http://"),
        ("ftp://files.example.org", "it must start with https:// or http://"),
        ("https:", "it names no host"),
        ("https://login microsoftonline.com", "it holds white space"),
        ("https://host.example:99999", "Port out of range"),
        ("https://host.example:port", "Port could not be cast"),
    ],
)
def test_an_endpoint_is_checked_before_it_is_used(url: str, problem: str) -> None:
    if not problem:
        assert checked_endpoint(url, "TOWER_API_ENDPOINT", example="https://x") == url
        return
    with pytest.raises(InputError) as caught:
        checked_endpoint(url, "TOWER_API_ENDPOINT", example="https://api.example")
    assert caught.value.where == "TOWER_API_ENDPOINT"
    assert problem in caught.value.message
    assert "https://api.example" in caught.value.remedy


@pytest.mark.parametrize(
    ("given", "prefix"),
    [
        ("team", "team"),
        ("team/*", "team"),
        ("team/", "team"),
        ("*", "*"),
        ("team/rna-seq_2", "team/rna-seq_2"),
        ("Team", None),
        ("team/*/x", None),
        ("", None),
        ("a b", None),
    ],
)
def test_a_wildcard_is_a_repository_prefix(given: str, prefix: str | None) -> None:
    if prefix is not None:
        assert check_wildcard(given) == prefix
        return
    with pytest.raises(InputError, match="is not a repository prefix"):
        check_wildcard(given)
