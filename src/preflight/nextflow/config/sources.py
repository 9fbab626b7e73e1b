"""Which configuration files Nextflow reads for a run, in which order, and reading them safely.

Order (lowest priority first): ``$NXF_HOME/config``, the project's ``nextflow.config``, the
launch directory's ``nextflow.config`` (when it is another file), the spec's in-memory
``config_texts`` (a Platform launch's layers), then each ``-c`` file in command-line order.
``-C`` replaces the whole list. A ``-c`` file that does not exist stops the run, as it stops
Nextflow. An in-memory text is named by a path under :data:`TEXT_ROOT` that
:func:`config_text_at` maps back to it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from preflight.errors import ConfigError, InputError
from preflight.pipeline import ConfigText, PipelineSpec

BOM = "\ufeff"
TEXT_ROOT = Path("/.preflight-config-text")  # no file: the names of in-memory texts


def config_text_at(spec: PipelineSpec, path: Path) -> ConfigText | None:
    """The in-memory text ``path`` names (see :func:`config_files`), else ``None``."""
    if path.parent != TEXT_ROOT or not path.name.isdigit():
        return None
    index = int(path.name)
    return spec.config_texts[index] if index < len(spec.config_texts) else None


def config_files(
    spec: PipelineSpec, exists: Callable[[Path], bool] = Path.is_file
) -> list[tuple[Path, str]]:
    """``(path, why it is read)`` for every top-level file, lowest priority first.

    ``exists`` decides whether a default file is there (the editor's proof of an edit counts a
    file it is about to create).
    """
    launch = (spec.launch_dir or spec.root).resolve()
    texts = [(TEXT_ROOT / str(i), t.reason) for i, t in enumerate(spec.config_texts)]
    if spec.replace_configs:
        return [*texts, *((_given(path, launch, "-C"), "-C") for path in spec.config_files)]
    found: list[tuple[Path, str]] = []
    if spec.nxf_home is not None:
        home = spec.nxf_home / "config"
        if exists(home):
            found.append((home, "$NXF_HOME/config"))
    project = spec.root / "nextflow.config"
    if exists(project):
        found.append((project, "project nextflow.config"))
    launch_config = launch / "nextflow.config"
    if exists(launch_config) and not _same(launch_config, project):
        found.append((launch_config, "launch-dir nextflow.config"))
    found.extend(texts)
    found.extend((_given(path, launch, "-c"), "-c") for path in spec.config_files)
    return found


def _given(path: Path, launch: Path, option: str) -> Path:
    full = path.expanduser()
    if not full.is_absolute():
        full = launch / full
    if not full.is_file():
        raise InputError(
            f"{option} {path}: no such configuration file",
            where=str(path),
            remedy=f"check the path given to {option} "
            "(relative paths start at the launch directory)",
        )
    return full


def _same(a: Path, b: Path) -> bool:
    try:
        return b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def read_text(path: Path, shown: str, where: str = "") -> str:
    """The file's text (a UTF-8 BOM removed); unreadable or non-UTF-8 raises ``ConfigError``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read {shown}: {exc.strerror or exc}",
            where=where or shown,
            remedy="check that the file exists and that you may read it",
        ) from None
    return decode(data, shown)


def decode(data: bytes, shown: str) -> str:
    """Bytes of a config file as text; a byte that is not UTF-8 is reported at its line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
            where=f"{shown}:{line}:{col}",
            remedy="save the file as UTF-8, as Nextflow expects",
        ) from None
    return text[1:] if text.startswith(BOM) else text
