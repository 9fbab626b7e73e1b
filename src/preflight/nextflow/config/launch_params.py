"""Pipeline parameters given at launch: ``--params-file`` (JSON or YAML) and ``--param k=v``.

They override the configuration's own ``params`` while it is read, so ``${params.x}`` and a
conditional ``includeConfig`` see them — as in Nextflow. Command-line values are converted as
Nextflow converts them (``true``/``false``, integers, decimals), and ``--foo-bar`` is also
``fooBar``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from preflight.errors import InputError
from preflight.pipeline import PipelineSpec

MAX_NESTING = 100  # levels of mappings and lists in a params file


def launch_params(spec: PipelineSpec) -> dict[str, Any]:
    """The nested parameters from ``--params-file`` then ``--param`` (the latter wins)."""
    params: dict[str, Any] = {}
    if spec.params_file is not None:
        _merge(params, load_params_file(spec.params_file))
    for key, raw in spec.params.items():
        value = convert_cli_value(raw)
        _put(params, key.split("."), value)
        camel = re.sub(r"-(\w)", lambda m: m.group(1).upper(), key)
        if camel != key:
            _put(params, camel.split("."), value)
    return params


def load_params_file(path: Path) -> dict[str, Any]:
    """A JSON or YAML mapping; anything else is an ``InputError`` naming the place."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read the params file: {getattr(exc, 'strerror', None) or exc}",
            where=str(path),
            remedy="name a readable JSON or YAML file",
        ) from None
    try:
        data = _parse_params(path, text)
    except RecursionError:  # both parsers recurse once per level of nesting
        data = None
        too_deep = True
    else:
        too_deep = _deeper_than(data, MAX_NESTING)
    if too_deep:
        # Reading the config recurses per level too: refuse what no real params file holds.
        raise InputError(
            f"values are nested more than {MAX_NESTING} levels deep",
            where=str(path),
            remedy="flatten the nesting; no real params file needs it",
        )
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise InputError(
            "a params file must hold a mapping of parameter names to values",
            where=str(path),
            remedy='write e.g. {"outdir": "results"}',
        )
    return {str(k): v for k, v in data.items()}


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether mappings and lists nest more than ``limit`` levels (checked without recursion)."""
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        children = (
            value.values()
            if isinstance(value, Mapping)
            else (value if isinstance(value, list) else ())
        )
        for child in children:
            if isinstance(child, (Mapping, list)):
                if depth + 1 > limit:
                    return True
                pending.append((child, depth + 1))
    return False


def _parse_params(path: Path, text: str) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"not valid JSON: {exc.msg}",
                where=f"{path}:{exc.lineno}:{exc.colno}",
                remedy="fix the JSON syntax at this place",
            ) from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        raise InputError(
            f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
            where=where,
            remedy="fix the YAML syntax at this place",
        ) from None


def convert_cli_value(raw: str) -> Any:
    """``'true'`` → True, ``'12'`` → 12, ``'1.5'`` → 1.5, anything else stays a string."""
    lowered = raw.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if re.fullmatch(r"-?[0-9]+", raw):
        return int(raw)
    if re.fullmatch(r"-?[0-9]+\.[0-9]+", raw):
        return float(raw)
    return raw


def leaf_keys(params: Mapping[str, Any], prefix: str = "") -> set[str]:
    """Dotted keys of every leaf (``a.b``) of a nested mapping."""
    keys: set[str] = set()
    for key, value in params.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            keys |= leaf_keys(value, dotted + ".")
        else:
            keys.add(dotted)
    return keys


def _put(target: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        nxt = target.get(part)
        if not isinstance(nxt, dict):
            nxt = target[part] = {}
        target = nxt
    target[parts[-1]] = value


def _merge(target: dict[str, Any], source: Mapping[str, Any]) -> None:
    for key, value in source.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = dict(value) if isinstance(value, Mapping) else value
