"""``--output FILE``: write a report so that readers see the old file or the new one, never half.

A CI step that reads ``report.json`` while preflight writes it, or a disk that fills up half-way,
must not leave a truncated report behind: the text goes to a temporary file in the same
directory, is flushed to disk, takes the old file's permissions, and replaces the old file in one
``os.replace``. Any failure removes the temporary file and leaves the old file as it was.

A path that is a symbolic link is written through: the link stays and its target is replaced.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from preflight.errors import InputError

ENCODING = "utf-8"
_NEW_FILE_MODE = 0o666  # less the umask, as for any file a program creates
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _encode(text: str) -> bytes:
    """UTF-8; a file name's undecodable bytes go back as they were, other stray surrogates as ?."""
    try:
        return text.encode(ENCODING, errors="surrogateescape")
    except UnicodeEncodeError:
        return text.encode(ENCODING, errors="replace")


def _cannot_write(path: Path, exc: OSError) -> InputError:
    reason = exc.strerror or exc.__class__.__name__
    return InputError(
        f"cannot write the report: {reason}",
        where=str(path),
        remedy="choose an --output path in an existing directory you can write to, with room "
        "on its disk",
    )


def _temporary_beside(target: Path) -> tuple[int, Path]:
    """Create and open a new, unique file next to ``target``."""
    for _ in range(100):
        candidate = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(candidate, _FLAGS, _NEW_FILE_MODE), candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {target}")


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable, where the platform allows opening a directory."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) atomically, keeping an existing file's mode.

    Raises :class:`~preflight.errors.InputError` naming the path when the file cannot be
    written; the previous content of ``path`` is then untouched and no temporary file remains.
    """
    target = Path(os.path.realpath(path))
    data = _encode(text)
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise _cannot_write(path, exc) from exc
    else:
        if stat.S_ISDIR(existing.st_mode):
            raise _cannot_write(path, IsADirectoryError(21, "it is a directory"))
        mode = stat.S_IMODE(existing.st_mode)
    try:
        fd, temporary = _temporary_beside(target)
    except OSError as exc:
        raise _cannot_write(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise _cannot_write(path, exc) from exc
        raise
    _sync_directory(target.parent)
