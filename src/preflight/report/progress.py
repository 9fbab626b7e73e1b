"""A one-line progress display for stderr while network checks run.

People watching a terminal should see that preflight is waiting on a registry, not hung; a CI
log or a pipe should get nothing (the report says it all). So :class:`Progress` writes only when
its stream is a terminal, and holds no global state: the caller hands in the stream, typically
``sys.stderr``, so the report on stdout stays clean.
"""

from __future__ import annotations

from typing import TextIO

from preflight.model import Status
from preflight.report.facts import printable

_CLEAR_LINE = "\r\x1b[K"
_MARKS: dict[Status, tuple[str, str]] = {
    Status.PASS: ("✓", "32"),
    Status.SKIP: ("-", "2"),
    Status.WARN: ("!", "33"),
    Status.FAIL: ("✗", "31"),
    Status.ERROR: ("✗", "1;31"),
}


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # closed or stream-like without a terminal
        return False


class Progress:
    """``start(label)`` shows what is running; ``done(label, status)`` leaves one line for it.

    Writes nothing at all when ``stream`` is not a terminal. ``color`` adds ANSI colour to the
    status marks. ``close()`` clears a line left by a ``start`` that never got its ``done``.
    """

    def __init__(self, stream: TextIO, *, color: bool = False) -> None:
        self._stream = stream
        self._color = color
        self._enabled = _is_terminal(stream)
        self._pending = False

    @property
    def enabled(self) -> bool:
        """Whether this display writes anything (its stream is a terminal)."""
        return self._enabled

    def start(self, label: str) -> None:
        """Show ``label`` as running, replacing the line a previous ``start`` left."""
        if not self._enabled:
            return
        self._write(f"{_CLEAR_LINE}… {printable(label)}")
        self._pending = True

    def done(self, label: str, status: Status) -> None:
        """Replace the running line with ``label`` and its status mark, and end the line."""
        if not self._enabled:
            return
        mark, sgr = _MARKS[status]
        if self._color:
            mark = f"\x1b[{sgr}m{mark}\x1b[0m"
        self._write(f"{_CLEAR_LINE}{mark} {printable(label)}\n")
        self._pending = False

    def close(self) -> None:
        """Clear an unfinished running line, so the next output starts on a clean line."""
        if self._enabled and self._pending:
            self._write(_CLEAR_LINE)
            self._pending = False

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()


# The name the command line uses: a progress display that shows only on a terminal.
TerminalProgress = Progress
