"""Which ``.nf`` files a run loads: reading each once, and resolving ``include … from`` paths.

Nextflow loads the main script and, through DSL2 includes, every module and subworkflow it
names; a relative path starts from the including file's directory, ``.nf`` is implied, and a
directory stands for its ``main.nf``. Without a main script, every ``.nf`` file under the
conventional module directories is loaded instead.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from preflight.errors import InputError
from preflight.model import Location
from preflight.nextflow.script.model import ScanIssue, ScriptFile
from preflight.nextflow.script.scanner import scan_script


def read_script(path: Path, root: Path) -> ScriptFile:
    """Read and scan one file; ``display`` is the path relative to ``root`` when inside it.

    Nextflow reads scripts as UTF-8. A file that is not valid UTF-8 is still scanned, each bad
    byte read as U+FFFD, and the result carries a :class:`ScanIssue` at the first bad byte:
    text around it (a stray byte in a comment, say) is usually harmless, but a directive or
    include that holds it may not be read as written.
    """
    return _read(os.fspath(path), os.fspath(root))


def _read(path: str, root: str) -> ScriptFile:
    display = _display(path, root)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise InputError(
            f"cannot read {display}: {error.strerror or error}",
            where=display,
            remedy="make the script readable (or remove the include that names it)",
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        script = scan_script(data.decode("utf-8", errors="replace"), path, display)
        return replace(script, issues=(_not_utf8(data, error.start, display),))
    return scan_script(text, path, display)


def _not_utf8(data: bytes, bad: int, display: str) -> ScanIssue:
    """The issue for the first byte at ``bad`` that does not decode, with its line and column."""
    before = data[:bad].decode("utf-8")  # valid: decoding stopped at ``bad``
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return ScanIssue(
        f"{display} is not valid UTF-8: byte 0x{data[bad]:02X} at byte offset {bad} "
        f"(line {line}, column {column}) was read as U+FFFD",
        Location(display, line, column),
        remedy="re-save the file as UTF-8 (Nextflow reads scripts as UTF-8); a directive or "
        "include holding that byte may not be read as written",
    )


def _display(path: str, root: str) -> str:
    prefix = root.rstrip(os.sep) + os.sep
    return path[len(prefix) :].replace(os.sep, "/") if path.startswith(prefix) else path


def canonical(path: str) -> str:
    """An absolute, normalised path (``..`` folded) without the cost of resolving symlinks."""
    return os.path.normpath(os.path.abspath(path))


def resolve_include(including: Path, target: str) -> Path | None:
    """The file an include names, as Nextflow resolves it; ``None`` for plugin or missing ones.

    Relative paths start from the including file's directory; ``.nf`` is added when the name has
    no extension, and a directory stands for its ``main.nf``.
    """
    found = _resolve_include(os.path.dirname(os.fspath(including)), target)
    return Path(found) if found is not None else None


_DIR_VARIABLE = re.compile(r"^\$\{?(projectDir|baseDir|moduleDir)\}?(?=/)")


def _resolve_include(directory: str, target: str, project: str = "") -> str | None:
    variable = _DIR_VARIABLE.match(target)
    if variable is not None:  # "${projectDir}/modules/x", "$moduleDir/../y"
        base_dir = directory if variable.group(1) == "moduleDir" else project or directory
        target = base_dir + target[variable.end() :]
    if not target.startswith(("./", "../", "/")):
        return None
    base = target if target.startswith("/") else os.path.join(directory, target)
    candidates = (base,) if base.endswith(".nf") else (base + ".nf", base)
    # Absolute already (the usual case): folding ``..`` is all that is left to do.
    fold = os.path.normpath if os.path.isabs(base) else canonical
    for candidate in candidates:
        if os.path.isfile(candidate):
            return fold(candidate)
        main = os.path.join(candidate, "main.nf")
        if os.path.isfile(main):
            return fold(main)
    return None


MODULE_DIRS = ("workflows", "subworkflows", "modules")


@dataclass
class LoadedScripts:
    """The files a run loads (by canonical path), where each include led, what was not found.

    ``targets`` maps (including file, include path as written) to the file it resolved to, or
    ``None`` when it names a plugin or nothing on disk.
    """

    files: dict[str, ScriptFile] = field(default_factory=dict)
    targets: dict[tuple[str, str], str | None] = field(default_factory=dict)
    issues: list[ScanIssue] = field(default_factory=list)


def load_scripts(top: str, main: str | None) -> LoadedScripts:
    """Read ``main`` and every file its includes reach, or without it the module directories.

    ``top`` is the canonical pipeline root (it names files in locations and stands for
    ``projectDir``); ``main`` is the canonical main script. Each file is read once, however many
    includes name it, so include cycles end.
    """
    loaded = LoadedScripts()
    files, targets, issues = loaded.files, loaded.targets, loaded.issues
    if main is not None:
        resolved: dict[tuple[str, str], str | None] = {}
        queue = [main]
        while queue:
            path = queue.pop()
            if path in files:
                continue
            script = files[path] = _read(path, top)
            issues.extend(script.issues)
            directory = os.path.dirname(path)
            for include in script.includes:
                key = (directory, include.path)
                if key not in resolved:
                    resolved[key] = _resolve_include(directory, include.path, top)
                target = targets[(path, include.path)] = resolved[key]
                if target is not None:
                    queue.append(target)
                elif not include.path.startswith("plugin/"):
                    issues.append(
                        ScanIssue(
                            f"include target {include.path!r} was not found", include.location
                        )
                    )
    else:
        for directory in MODULE_DIRS:
            for found in sorted((Path(top) / directory).rglob("*.nf")):
                path = canonical(os.fspath(found))
                if path not in files:
                    script = files[path] = _read(path, top)
                    issues.extend(script.issues)
    return loaded
