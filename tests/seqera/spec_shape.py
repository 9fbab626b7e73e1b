"""A small validator for ``fixtures/seqera/platform-api.schema.json`` (no jsonschema needed).

It knows what the subset uses: ``type`` (object, array, string, integer, boolean), ``nullable``,
``properties`` (closed: an unknown field is an error), ``required``, ``enum``, ``maxLength``,
``format: date-time``, ``items``, ``$ref``, a ``discriminator`` with its ``mapping``, and the
direction rules: ``writeOnly`` fields are null or absent in responses, ``readOnly`` fields are
absent from requests.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "seqera"
SCHEMA_FILE = FIXTURES / "platform-api.schema.json"
SPEC: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())


def operation(method: str, path: str) -> tuple[str, dict[str, Any]]:
    """The operation whose path template matches ``path`` (``/api`` prefix allowed)."""
    if path.startswith("/api/"):
        path = path[len("/api") :]
    for key, op in SPEC["operations"].items():
        op_method, template = key.split(" ", 1)
        pattern = re.sub(r"\{[^}]+\}", r"[^/]+", template)
        if op_method == method and re.fullmatch(pattern, path):
            # /credentials/validate also fits /credentials/{id}: the literal path wins.
            if template.endswith("}") and f"{method} {path}" in SPEC["operations"]:
                continue
            return key, op
    raise AssertionError(f"{method} {path} is not an operation of the subset")


def check_exchange(
    method: str,
    path: str,
    query: dict[str, list[str]],
    request_body: Any,
    status: int,
    response_body: bytes,
) -> list[str]:
    """Every way one request/response pair departs from the subset; empty when it conforms."""
    key, op = operation(method, path)
    errors: list[str] = []
    for name, values in query.items():
        kind = op["query"].get(name)
        if kind is None:
            errors.append(f"{key}: query parameter {name!r} is not declared")
        elif kind == "int64" and not all(v.isdigit() for v in values):
            errors.append(f"{key}: query parameter {name!r} is not an integer: {values}")
    if request_body is not None:
        if "request" not in op:
            errors.append(f"{key}: takes no request body")
        else:
            errors += validate(request_body, op["request"], "request", key + " request")
    responses = op["responses"]
    if status == 401:
        return errors  # undeclared by the API description; the service answers it anyway
    if str(status) not in responses:
        return [*errors, f"{key}: status {status} is not declared"]
    schema = responses[str(status)]
    if schema is None:
        if response_body and status == 204:
            errors.append(f"{key}: 204 with a body")
        return errors
    try:
        payload = json.loads(response_body)
    except ValueError:
        return [*errors, f"{key}: {status} body is not JSON"]
    return errors + validate(payload, schema, "response", f"{key} {status}")


def validate(
    value: Any, schema: str | dict[str, Any], direction: str, where: str, tag: str | None = None
) -> list[str]:
    """Errors of ``value`` against ``schema``; ``tag`` is the enclosing object's ``provider``,
    which stands in for a discriminator that requests may leave out (as tw does)."""
    if isinstance(schema, str):
        return validate(value, {"$ref": schema}, direction, where, tag)
    if "$ref" in schema:
        return validate(value, SPEC["schemas"][schema["$ref"]], direction, where, tag)
    if value is None:
        return [] if schema.get("nullable") else [f"{where}: null is not allowed"]
    kind = schema.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
    }
    if kind and not checks[kind](value):
        return [f"{where}: expected {kind}, got {type(value).__name__}"]
    errors: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        errors.append(f"{where}: longer than {schema['maxLength']}")
    if schema.get("format") == "date-time":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            errors.append(f"{where}: {value!r} is not a date-time")
    if kind == "array" and "items" in schema:
        for i, item in enumerate(value):
            errors += validate(item, schema["items"], direction, f"{where}[{i}]")
    if kind == "object":
        errors += _object(value, schema, direction, where, tag)
    return errors


def _object(
    value: dict[str, Any], schema: dict[str, Any], direction: str, where: str, hint: str | None
) -> list[str]:
    if "discriminator" in schema:
        tag = value.get(schema["discriminator"])
        if tag is None and direction == "request":
            tag = hint
        elif tag != hint:
            return [f"{where}: {schema['discriminator']} {tag!r} differs from provider {hint!r}"]
        target = schema["mapping"].get(tag)
        if target is None:
            return [f"{where}: unknown {schema['discriminator']} {tag!r}"]
        return validate(value, target, direction, where)
    properties: dict[str, Any] = schema.get("properties", {})
    errors = [
        f"{where}: missing {name!r}"
        for name in schema.get("required", [])
        if value.get(name) is None
    ]
    for name, item in value.items():
        if name not in properties:
            errors.append(f"{where}: unknown field {name!r}")
            continue
        prop = properties[name]
        if direction == "response" and prop.get("writeOnly") and item is not None:
            errors.append(f"{where}: write-only {name!r} is returned")
        if direction == "request" and prop.get("readOnly"):
            errors.append(f"{where}: read-only {name!r} is sent")
        errors += validate(item, prop, direction, f"{where}.{name}", value.get("provider"))
    return errors
