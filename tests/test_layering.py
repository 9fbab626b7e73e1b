"""The import rules of docs/architecture.md: lower layers never import higher ones."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import preflight

SOURCE = Path(preflight.__file__).parent

# What each part may import from preflight (beyond itself), as docs/architecture.md says.
BASE = {"errors", "secret", "model", "settings", "pipeline", "net"}
NEXTFLOW = {"nextflow.groovy", "nextflow.config", "nextflow.script"}
CLIENTS = {"seqera", "azure", "registry"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "secret": set(),
    "model": {"errors"},
    "settings": {"secret"},
    "pipeline": {"errors", "model"},  # model: a remote pipeline's source is reported
    "net": {"errors"},
    "nextflow.groovy": BASE,
    "nextflow.config": BASE | {"nextflow.groovy"},
    "nextflow.script": BASE | {"nextflow.groovy", "nextflow.config"},
    "images": BASE | NEXTFLOW,
    "remote": BASE | {"nextflow.groovy", "nextflow.config"},  # the scm file is a config file
    "seqera": BASE,
    "azure": BASE,
    "registry": BASE,
    "checks": BASE | NEXTFLOW | {"images"} | CLIENTS,
    "wiring": BASE | CLIENTS | {"checks"},
    "provision": BASE | NEXTFLOW | {"images"} | CLIENTS | {"checks", "wiring"},
    "report": BASE | {"images", "checks", "provision"},
    "sandbox": BASE | {"seqera"},
}


def _part(module: str) -> str:
    names = module.split(".")[1:]
    if names[0] == "nextflow" and len(names) > 1:
        return f"nextflow.{names[1]}"
    return names[0]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("preflight.")
        ):
            found.add(_part(node.module))
        elif isinstance(node, ast.Import):
            found.update(_part(a.name) for a in node.names if a.name.startswith("preflight."))
    return found


def _modules() -> list[tuple[str, Path]]:
    pairs = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).with_suffix("")
        module = ".".join(("preflight", *relative.parts))
        if len(relative.parts) > 1 or relative.name not in ("__init__", "__main__"):
            pairs.append((_part(module), path))
    return pairs


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_each_part_imports_only_the_layers_below_it(part: str) -> None:
    paths = [path for owner, path in _modules() if owner == part]
    assert paths, f"no module belongs to {part}: update the rules with the layout"
    wrong = {
        f"{path.relative_to(SOURCE)} imports {imported}"
        for path in paths
        for imported in _imports(path) - ALLOWED[part] - {part}
    }
    assert not wrong, sorted(wrong)


def test_every_part_has_a_rule() -> None:
    free = {"cli", "api", "__init__", "__main__", "nextflow.__init__"}  # docstring-only inits
    parts = {owner for owner, _ in _modules()}
    assert parts - set(ALLOWED) - free == set()
