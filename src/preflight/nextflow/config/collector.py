"""Pause Python's cycle collector while a configuration is read.

Reading a pipeline's configuration allocates tens of thousands of small container objects
(tokens, syntax nodes, scopes) that form no reference cycles and all stay alive until the
read ends. The cycle collector, triggered by the allocation count alone, would walk them again
and again for nothing: about a sixth of the time of a large read. :func:`collector_paused`
switches it off for the duration and restores it afterwards.

The switch is process-wide, so pauses are counted: with several readers at once (threads),
the collector comes back when the last one ends, and only if it was on before the first began.
Nothing is lost meanwhile: garbage with cycles made during the pause is collected later.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Within the block the cycle collector does not run; its previous state is restored."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
