"""The progress display writes to a real terminal and stays silent everywhere else."""

from __future__ import annotations

import io
import os
import select
import time
from collections.abc import Iterator

import pytest

from preflight.model import Status
from preflight.report import Progress


@pytest.fixture
def terminal() -> Iterator[tuple[io.TextIOWrapper, int]]:
    """A pseudo-terminal: the writer end as a text stream, and the reader's descriptor."""
    leader, follower = os.openpty()
    stream = open(follower, "w", encoding="utf-8", closefd=True)  # noqa: SIM115
    try:
        yield stream, leader
    finally:
        stream.close()
        os.close(leader)


def _read(fd: int, ends_with: str = "\n", timeout: float = 5.0) -> str:
    """What the terminal received, once it ends with ``ends_with``.

    Each write reaches the terminal on its own, so one read may return only the first; keep
    reading until the expected end arrives (or the time is up, and the test's asserts speak).
    """
    received = b""
    deadline = time.monotonic() + timeout
    while not received.endswith(ends_with.encode()):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            break
        received += os.read(fd, 65536)
    return received.decode("utf-8")


def test_writes_nothing_when_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream, color=True)
    progress.start("pull labacr.azurecr.io/tools/star:2.7.11b")
    progress.done("pull labacr.azurecr.io/tools/star:2.7.11b", Status.FAIL)
    progress.close()
    assert not progress.enabled
    assert stream.getvalue() == ""


def test_shows_running_then_done_on_a_terminal(terminal: tuple[io.TextIOWrapper, int]) -> None:
    stream, leader = terminal
    progress = Progress(stream)
    assert progress.enabled
    progress.start("credentials")
    progress.done("credentials", Status.PASS)
    out = _read(leader)
    assert "… credentials" in out
    assert out.rstrip("\r\n").endswith("✓ credentials")
    assert "\x1b[3" not in out  # no colour unless asked


def test_colour_and_cleanup_on_a_terminal(terminal: tuple[io.TextIOWrapper, int]) -> None:
    stream, leader = terminal
    progress = Progress(stream, color=True)
    progress.start("pull")
    progress.done("pull", Status.ERROR)
    progress.start("token\x1b[2J")  # text from elsewhere cannot clear the screen
    progress.close()
    out = _read(leader, ends_with="\r\x1b[K")
    assert "\x1b[1;31m✗\x1b[0m pull" in out
    assert "\x1b[2J" not in out
    assert out.endswith("\r\x1b[K")


def test_a_closed_stream_counts_as_no_terminal() -> None:
    stream = io.StringIO()
    stream.close()
    assert not Progress(stream).enabled
