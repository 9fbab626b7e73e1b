"""``map_in_threads``: side by side, in order, and never holding up a Ctrl-C."""

from __future__ import annotations

import threading
import time

import pytest

from preflight.net.threads import map_in_threads


def test_results_come_back_in_order() -> None:
    def slow_square(n: int) -> int:
        time.sleep(0.01 * (5 - n))
        return n * n

    assert map_in_threads(slow_square, range(5), max_workers=5, name="t") == [0, 1, 4, 9, 16]


def test_a_failing_call_is_raised_after_the_running_ones_end() -> None:
    finished: list[int] = []

    def call(n: int) -> int:
        if n == 0:
            time.sleep(0.05)  # the other call is running by now
            raise ValueError("boom")
        time.sleep(0.2)
        finished.append(n)
        return n

    with pytest.raises(ValueError, match="boom"):
        map_in_threads(call, [0, 1], max_workers=2, name="t")
    assert finished == [1]


def test_an_interrupt_is_raised_at_once_not_after_the_running_calls() -> None:
    release = threading.Event()

    def call(n: int) -> int:
        if n == 0:
            time.sleep(0.05)
            raise KeyboardInterrupt
        release.wait(10)
        return n

    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            map_in_threads(call, [0, 1, 2], max_workers=2, name="t")
        assert time.monotonic() - started < 2.0
    finally:
        release.set()
