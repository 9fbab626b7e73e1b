"""The bodies of a ``profiles { … }`` block, by profile name, in the order they are written.

``profiles { a { … } }``, ``profiles { a.x = 1 }`` and ``profiles.a { … }`` all define profile
``a``; anything else in the block is an error with its place.
"""

from __future__ import annotations

from preflight.errors import ConfigError
from preflight.model import Location
from preflight.nextflow.groovy import ast

# The profile a run without ``-profile`` selects (Nextflow's ConfigBuilder.DEFAULT_PROFILE).
DEFAULT_PROFILE = "standard"


def profile_bodies(
    body: tuple[ast.Stmt, ...],
) -> list[tuple[str, tuple[ast.Stmt, ...], Location]]:
    """Each profile the block defines: its name, its statements, where it is defined."""
    defined: list[tuple[str, tuple[ast.Stmt, ...], Location]] = []
    for stmt in body:
        if isinstance(stmt, ast.Block):
            rest = stmt.path[1:]
            inner = (
                stmt.body if not rest else (ast.Block(stmt.location, rest, stmt.body, stmt.span),)
            )
            defined.append((stmt.path[0], inner, stmt.location))
        elif isinstance(stmt, ast.Assign) and len(stmt.path) > 1:
            defined.append(
                (
                    stmt.path[0],
                    (ast.Assign(stmt.location, stmt.path[1:], stmt.value, stmt.value_span),),
                    stmt.location,
                )
            )
        else:
            raise ConfigError(
                "only named profiles may stand in a profiles block",
                where=str(stmt.location),
                remedy="write profiles { name { … } }",
            )
    return defined
