"""Run blocking calls side by side without making Ctrl-C wait for them.

``ThreadPoolExecutor`` used as a context manager waits for every running call on its way out,
also when the way out is a ``KeyboardInterrupt``: a user who presses Ctrl-C while registry
requests are in flight would wait for their timeouts. :func:`map_in_threads` waits as usual
when the calls end or fail, but on an interrupt cancels what has not started and leaves the
running calls behind: their answers are no longer wanted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_in_threads(
    call: Callable[[T], R], items: Iterable[T], *, max_workers: int, name: str
) -> list[R]:
    """``[call(item) for item in items]``, at most ``max_workers`` at once; results in order.

    The first exception a call raises is raised here, after every running call has ended. A
    ``KeyboardInterrupt`` is raised at once.
    """
    pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=name)
    try:
        results = list(pool.map(call, items))
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    except BaseException:
        pool.shutdown(wait=True)
        raise
    pool.shutdown(wait=True)
    return results
