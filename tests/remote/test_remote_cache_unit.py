"""The cache's atomic install and what it trusts; the host-map tunnel's refusals."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from preflight.errors import InputError
from preflight.remote.cache import CachedRevision, CheckoutCache
from preflight.remote.tunnel import ConnectTunnel

HOST, PROJECT, COMMIT = "github.com", "acme/pipe", "a" * 40


def test_a_failed_fill_leaves_no_entry(tmp_path: Path) -> None:
    cache = CheckoutCache(tmp_path)

    def half_written(directory: Path) -> None:
        directory.mkdir()
        (directory / "main.nf").write_text("workflow {")
        raise OSError("connection reset")

    with pytest.raises(OSError):
        cache.install(HOST, PROJECT, COMMIT, half_written)
    assert cache.checkout(HOST, PROJECT, COMMIT) is None
    assert list(cache.repository_dir(HOST, PROJECT).iterdir()) == []


def test_a_revision_is_trusted_only_with_its_complete_checkout(tmp_path: Path) -> None:
    cache = CheckoutCache(tmp_path)
    cache.install(HOST, PROJECT, COMMIT, lambda d: d.mkdir())
    cache.remember(HOST, PROJECT, "v1", CachedRevision(COMMIT, "tag", "v1"))
    assert cache.revision(HOST, PROJECT, "v1") == CachedRevision(COMMIT, "tag", "v1")
    (cache.repository_dir(HOST, PROJECT) / COMMIT).rmdir()
    assert cache.revision(HOST, PROJECT, "v1") is None


def test_an_unreadable_revisions_file_says_what_to_remove(tmp_path: Path) -> None:
    cache = CheckoutCache(tmp_path)
    directory = cache.repository_dir(HOST, PROJECT)
    directory.mkdir(parents=True)
    (directory / "revisions.json").write_text("{not json")
    with pytest.raises(InputError, match="unreadable cache file") as caught:
        cache.revision(HOST, PROJECT, "v1")
    assert str(directory) in caught.value.remedy


def test_abandoned_temporary_directories_of_dead_processes_are_removed(tmp_path: Path) -> None:
    cache = CheckoutCache(tmp_path)
    directory = cache.repository_dir(HOST, PROJECT)
    gone_pid = _a_dead_pid()
    abandoned = directory / f".tmp-{COMMIT}-{gone_pid}-0000"
    in_use = directory / f".tmp-{'b' * 40}-{os.getpid()}-0000"
    abandoned.mkdir(parents=True)
    in_use.mkdir()
    cache.install(HOST, PROJECT, "c" * 40, lambda d: d.mkdir())
    assert not abandoned.exists() and in_use.exists()


def _a_dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _request(port: int, line: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(line + b"\r\n\r\n")
        return sock.recv(200)


def test_the_tunnel_reaches_only_mapped_names(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as upstream:
        port = upstream.getsockname()[1]
        with ConnectTunnel({("github.com", 443): ("127.0.0.1", port)}) as tunnel:
            assert _request(tunnel.port, b"CONNECT example.org:443 HTTP/1.1").startswith(
                b"HTTP/1.1 403"
            )
            assert _request(tunnel.port, b"GET http://github.com/ HTTP/1.1").startswith(
                b"HTTP/1.1 405"
            )
            with socket.create_connection(("127.0.0.1", tunnel.port), timeout=5) as sock:
                sock.sendall(b"CONNECT github.com:443 HTTP/1.1\r\n\r\n")
                assert sock.recv(100).startswith(b"HTTP/1.1 200")
                accepted, _ = upstream.accept()
                with accepted:
                    sock.sendall(b"ping")
                    assert accepted.recv(4) == b"ping"
                    accepted.sendall(b"pong")
                    assert sock.recv(4) == b"pong"
