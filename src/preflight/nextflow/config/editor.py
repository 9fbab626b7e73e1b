"""Make Wave effective by editing the project's ``nextflow.config`` as little as possible.

Two edits exist: flip an existing top-level ``enabled = false`` to ``true`` in place, or append
a marked ``wave { enabled = true }`` block. Every other byte stays as it was — comments, layout,
a UTF-8 BOM, CRLF line ends, the presence or absence of a final newline. An edit is proved by
resolving the configuration again with the new text before it is offered; when no edit of the
project file can win (a legacy profile or a later file turns Wave off), the plan says why and
offers what does not touch the file: ``-with-wave`` or an extra ``-c`` file.

Writing is atomic (a temporary file in the same directory, then ``os.replace``), keeps the
file's mode, and refuses when the file changed since it was planned.
"""

from __future__ import annotations

import contextlib
import difflib
import glob
import hashlib
import os
import signal
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from preflight.errors import ApplyError, ConfigError
from preflight.model import Location
from preflight.nextflow.config.evaluator import resolve_config
from preflight.nextflow.config.parser import parse_config
from preflight.nextflow.config.resolved import ResolvedConfig
from preflight.nextflow.groovy import ast
from preflight.nextflow.groovy.runtime import is_enabled, truthy
from preflight.pipeline import PipelineSpec

MARKER = "// Added by preflight: Wave pulls private images with Seqera Platform credentials."
UTF8_BOM = b"\xef\xbb\xbf"
ALTERNATIVES = (
    "launch with `nextflow run <pipeline> -with-wave` (command-line options beat every file)",
    "write `wave { enabled = true }` to a file of your own and pass it last with `-c FILE`",
)


@dataclass(frozen=True)
class WaveEdit:
    """A planned change to one file: its bytes before (by hash) and after, and why.

    ``kind`` is ``flip``, ``append``, ``create`` or ``blocked``; a blocked edit changes nothing
    and carries ``blocked_reason`` and ``alternatives``. ``span`` is the byte range of the
    original that ``inserted`` replaces: ``new_bytes == original[:a] + inserted + original[b:]``.
    """

    path: Path
    shown: str
    original_sha256: str | None
    original: bytes
    new_bytes: bytes
    kind: str
    location: Location | None = None
    blocked_reason: str = ""
    alternatives: tuple[str, ...] = ()
    span: tuple[int, int] = (0, 0)
    inserted: bytes = b""

    @property
    def blocked(self) -> bool:
        return bool(self.blocked_reason)

    def diff(self) -> str:
        """The change as a unified diff (empty for a blocked edit)."""
        before = _text(self.original).splitlines(keepends=True)
        after = _text(self.new_bytes).splitlines(keepends=True)
        for lines in (before, after):
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n\\ No newline at end of file\n"
        return "".join(difflib.unified_diff(before, after, f"a/{self.shown}", f"b/{self.shown}"))


def plan_wave_injection(
    spec: PipelineSpec, resolved: ResolvedConfig | None = None
) -> WaveEdit | None:
    """The smallest edit of the project ``nextflow.config`` that makes Wave effective.

    None when Wave is already effective. Raises ``ConfigError`` when the configuration cannot
    be read (the same errors as :func:`resolve_config`).
    """
    resolved = resolved if resolved is not None else resolve_config(spec)
    if is_enabled(resolved.get("wave.enabled")):
        return None
    path = spec.root / "nextflow.config"
    shown = "nextflow.config"
    try:
        original = path.read_bytes() if path.exists() else None
    except OSError as exc:
        raise ConfigError(
            f"cannot read {shown}: {exc.strerror or exc}",
            where=shown,
            remedy="check that you may read the file",
        ) from None
    data = original or b""
    digest = hashlib.sha256(data).hexdigest() if original is not None else None
    bom = UTF8_BOM if data.startswith(UTF8_BOM) else b""
    try:
        text = data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(
            "not UTF-8 text; preflight edits only UTF-8 files",
            where=shown,
            remedy="save the file as UTF-8, or use -with-wave instead",
        ) from None

    candidates: list[tuple[str, tuple[int, int], str, Location | None]] = []
    flip = _flip_candidate(text, shown)
    if flip is not None:
        start, end, flipped = flip
        candidates.append(("flip", (start, end), "true", flipped))
    if MARKER not in text:
        kind = "append" if original is not None else "create"
        candidates.append((kind, (len(text), len(text)), _append(text)[len(text) :], None))

    for kind, (start, end), replacement, where in candidates:
        a = len(bom) + len(text[:start].encode("utf-8"))
        b = len(bom) + len(text[:end].encode("utf-8"))
        inserted = replacement.encode("utf-8")
        new_bytes = data[:a] + inserted + data[b:]
        if _wins(spec, path, new_bytes, resolved.syntax):
            return WaveEdit(
                path, shown, digest, data, new_bytes, kind, where, span=(a, b), inserted=inserted
            )
    return WaveEdit(
        path,
        shown,
        digest,
        data,
        data,
        "blocked",
        resolved.origin("wave.enabled"),
        blocked_reason=_why_blocked(spec, resolved, marker_present=MARKER in text),
        alternatives=ALTERNATIVES,
    )


def apply_wave_edit(edit: WaveEdit) -> None:
    """Write ``edit`` atomically; refuse a blocked edit or a file changed since planning."""
    if edit.blocked:
        raise ApplyError(
            f"{edit.shown}: {edit.blocked_reason}", remedy="; or ".join(edit.alternatives)
        )
    current = _read_current(edit.path)
    current_hash = hashlib.sha256(current).hexdigest() if current is not None else None
    if current_hash != edit.original_sha256:
        raise ApplyError(
            f"{edit.shown} changed since preflight read it; nothing was written",
            remedy="run preflight fix again to plan against the current file",
        )
    if current == edit.new_bytes:
        return
    write_atomically(edit.path, edit.new_bytes)


TEMPORARY_SUFFIX = ".preflight-tmp"


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` all at once, keeping its mode (and symlink).

    The bytes go to a temporary file in the same directory, are flushed to disk, and only then
    take the file's place; on any failure the temporary file is removed and the original stays.
    Ctrl-C (or a termination request) while the few milliseconds of writing run is held until
    the file is either in place or removed, so an interrupt leaves no temporary file; one left by
    a process that was killed outright is removed, by its name, by the next write.
    """
    target = Path(os.path.realpath(path))
    remove_leftover_temporaries(target)
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    temporary = target.parent / f".{target.name}.{os.getpid()}{TEMPORARY_SUFFIX}"
    with _interrupts_held():
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if mode is not None:
                os.chmod(temporary, mode)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, target)
        except BaseException as exc:
            temporary.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise ApplyError(
                    f"could not write {path}: {exc.strerror or exc}",
                    remedy="check free space and permissions; the file is unchanged",
                ) from None
            raise


def remove_leftover_temporaries(target: Path) -> list[Path]:
    """Remove ``target``'s temporary files that no running process owns; return them.

    Ours are named ``.NAME.PID.preflight-tmp``; a name without a live process's id (or the
    random name of an older preflight) is a leftover.
    """
    removed: list[Path] = []
    for candidate in target.parent.glob(f".{glob.escape(target.name)}.*{TEMPORARY_SUFFIX}"):
        owner = candidate.name[len(target.name) + 2 : -len(TEMPORARY_SUFFIX)]
        if owner.isdigit() and _running(int(owner)):
            continue
        try:
            candidate.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            continue  # not ours to force: the write itself reports a directory it cannot use
        removed.append(candidate)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM for the block, then act on them as if they came after it.

    Signal handlers can only be set from the main thread; elsewhere the block runs unguarded
    (its own ``except`` still removes the temporary file on a single interrupt).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[signal.Signals] = []

    def hold(signum: int, _frame: object) -> None:
        received.append(signal.Signals(signum))

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        first = received[0]
        handler = previous[first]
        if callable(handler):
            handler(first, None)
        elif handler == signal.SIG_DFL:
            signal.raise_signal(first)


def _read_current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ApplyError(
            f"cannot read {path}: {exc.strerror or exc}", remedy="check that you may read the file"
        ) from None


def _text(data: bytes) -> str:
    body = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
    return body.decode("utf-8", errors="replace")


def _newline(text: str) -> str:
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _append(text: str) -> str:
    """``text`` with the marked block after it, in the file's own line-end style."""
    nl = _newline(text)
    block = f"{MARKER}{nl}wave {{{nl}    enabled = true{nl}}}"
    if not text:
        return block + nl
    if text.endswith("\n"):
        return f"{text}{nl}{block}{nl}"
    return f"{text}{nl}{nl}{block}"


def _flip_candidate(text: str, shown: str) -> tuple[int, int, Location] | None:
    """The span of the last top-level ``wave.enabled = <literal>`` that is not ``true``."""
    try:
        config = parse_config(text, shown)
    except ConfigError:
        return None
    last: ast.Assign | None = None

    def visit(statements: tuple[ast.Stmt, ...], prefix: tuple[str, ...]) -> None:
        nonlocal last
        for stmt in statements:
            if isinstance(stmt, ast.Assign) and prefix + stmt.path == ("wave", "enabled"):
                last = stmt
            elif isinstance(stmt, ast.Block) and stmt.path[0] != "profiles":
                visit(stmt.body, prefix + stmt.path)

    visit(config.statements, ())
    if last is None or not isinstance(last.value, ast.Literal) or truthy(last.value.value):
        return None
    start, end = last.value_span
    return start, end, last.value.location


def _wins(spec: PipelineSpec, path: Path, new_bytes: bytes, syntax: str) -> bool:
    try:
        after = resolve_config(spec, syntax=syntax, overrides={path: new_bytes})
    except ConfigError:
        return False
    return is_enabled(after.get("wave.enabled"))


def _why_blocked(spec: PipelineSpec, resolved: ResolvedConfig, *, marker_present: bool) -> str:
    if spec.replace_configs:
        return "-C replaces every default configuration file, so the project file is not read"
    history = resolved.assignments("wave.enabled")
    if history:
        last = history[-1]
        if last.profile is not None and resolved.syntax == "v1":
            return (
                f"profile '{last.profile}' sets wave.enabled at {last.location}, and under "
                "the legacy config syntax a selected profile beats every top-level setting "
                "of its file"
            )
        if last.location.file != "nextflow.config":
            return (
                f"{last.location} sets wave.enabled after the project nextflow.config is "
                "read, so it wins over any edit of that file"
            )
        return f"wave.enabled is set at {last.location} in a way an edit cannot override"
    if marker_present:
        return "the block preflight added earlier is present but does not take effect"
    return "no edit of the project nextflow.config makes wave.enabled true"
