"""Cut the operations preflight uses out of Seqera Platform's OpenAPI description.

``python tests/seqera/spec_subset.py SPEC.yaml`` rewrites ``fixtures/seqera/platform-openapi.json``:
the named operations, every schema they reach through ``$ref``, and the security scheme, with
``description``/``summary`` prose dropped (the facts — paths, parameters, statuses, schemas — are
kept as they are). The tests read only the result; the full description is not needed to run them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

OUTPUT = Path(__file__).resolve().parents[2] / "fixtures" / "seqera" / "platform-openapi.json"

OPERATIONS: dict[str, tuple[str, ...]] = {
    "/service-info": ("get",),
    "/user-info": ("get",),
    "/user/{userId}/workspaces": ("get",),
    "/orgs": ("get",),
    "/orgs/{orgId}/workspaces": ("get",),
    "/credentials": ("get", "post"),
    "/credentials/validate": ("get",),
    "/credentials/{credentialsId}": ("get", "put", "delete"),
    "/credentials/{credentialsId}/keys": ("get",),
    "/pipelines": ("get",),
    "/pipelines/{pipelineId}/launch": ("get",),
    "/compute-envs": ("get",),
    "/compute-envs/{computeEnvId}": ("get",),
}
PROSE = frozenset({"description", "summary", "title", "example", "examples"})


def _strip(node: Any, key: str | None = None) -> Any:
    if isinstance(node, dict):
        # "properties" maps field names to schemas: a field may be called "description";
        # a response object must keep its (one-word) description to stay a valid description.
        if key == "responses":
            return {
                k: {**_strip(v), "description": v.get("description", "")} for k, v in node.items()
            }
        keep_all = key == "properties"
        return {k: _strip(v, k) for k, v in node.items() if keep_all or k not in PROSE}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value.rsplit("/", 1)[-1])
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def subset(spec: dict[str, Any]) -> dict[str, Any]:
    """The operations of :data:`OPERATIONS` with the closure of their schemas."""
    paths: dict[str, Any] = {}
    pending: set[str] = set()
    for path, methods in OPERATIONS.items():
        item = spec["paths"][path]
        paths[path] = {m: _strip(item[m]) for m in methods}
        _refs(paths[path], pending)
    all_schemas = spec["components"]["schemas"]
    schemas: dict[str, Any] = {}
    while pending:
        name = pending.pop()
        if name in schemas:
            continue
        schemas[name] = _strip(all_schemas[name])
        _refs(schemas[name], pending)
    return {
        "openapi": spec["openapi"],
        "info": {
            "title": f"{spec['info']['title']} (the operations preflight uses)",
            "version": spec["info"]["version"],
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": spec["components"]["securitySchemes"],
        },
    }


def main(argv: list[str]) -> int:
    spec = yaml.safe_load(Path(argv[0]).read_text())
    OUTPUT.write_text(json.dumps(subset(spec), indent=1, sort_keys=False) + "\n")
    print(f"wrote {OUTPUT.name}: {len(OPERATIONS)} paths")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
