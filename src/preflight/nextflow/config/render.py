"""Show a resolved configuration: ``nextflow config -flat`` lines, or a versioned JSON document.

Pure functions: a :class:`ResolvedConfig` in, text or JSON-ready data out. Credentials show as
``<hidden>``; values only the run can know are marked, with the place and the reason.
"""

from __future__ import annotations

import re
from typing import Any

from preflight.model import SCHEMA_VERSION
from preflight.nextflow.config.resolved import ResolvedConfig, to_plain
from preflight.nextflow.groovy.expressions import groovy_str
from preflight.nextflow.groovy.values import Closure, Duration, Dynamic, MemoryUnit
from preflight.secret import REDACTED, Secret


def render_flat(config: ResolvedConfig) -> str:
    """One ``key = value`` line per setting, as ``nextflow config -flat`` prints them."""
    lines = []
    for key, value in config.flat():
        line = f"{key} = {flat_value(value)}"
        if isinstance(value, Dynamic):
            line += f"  // dynamic: {value.reason} ({value.location})"
        lines.append(line)
    return "\n".join(lines) + ("\n" if lines else "")


def flat_value(value: Any) -> str:
    """A value in Groovy notation: ``'text'``, ``true``, ``[a, b]``, ``{ closure }``."""
    if isinstance(value, Secret):
        return f"'{REDACTED}'"
    if isinstance(value, Dynamic):
        return value.source or "<dynamic>"
    if isinstance(value, Closure):
        return re.sub(r"\s*\n\s*", " ", value.source)  # one line per setting
    if isinstance(value, str):
        return "'" + _escape(value) + "'"
    if isinstance(value, (MemoryUnit, Duration)):
        return f"'{value}'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flat_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "[:]"
        return "[" + ", ".join(f"{k}:{flat_value(v)}" for k, v in value.items()) + "]"
    return groovy_str(value)


_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(text: str) -> str:
    """One line per setting, and no control character reaches the terminal as is."""
    return "".join(
        _ESCAPES.get(char)
        or (f"\\u{ord(char):04x}" if ord(char) < 32 or ord(char) == 127 else char)
        for char in text
    )


def render_json(config: ResolvedConfig) -> dict[str, Any]:
    """``schema_version``, ``config`` (nested), ``dynamic``, ``files``, ``profiles`` …"""
    return {
        "schema_version": SCHEMA_VERSION,
        "syntax": config.syntax,
        "profiles": list(config.profiles),
        "config": json_value(to_plain(config.tree)),
        "dynamic": [
            {
                "key": entry.key,
                "location": f"{entry.location.file}:{entry.location.line}",
                "file": entry.location.file,
                "line": entry.location.line,
                "reason": entry.reason,
            }
            for entry in config.dynamic
        ],
        "files": [{"path": source.path, "reason": source.reason} for source in config.files],
        "unread_includes": [
            {"target": item.target, "location": str(item.location), "reason": item.reason}
            for item in config.unread
        ],
    }


def json_value(value: Any) -> Any:
    """A value JSON can hold: unknown values are ``null`` (listed under ``dynamic``)."""
    if isinstance(value, Secret):
        return REDACTED
    if isinstance(value, Dynamic):
        return None
    if isinstance(value, Closure):
        return value.source
    if isinstance(value, (MemoryUnit, Duration)):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
