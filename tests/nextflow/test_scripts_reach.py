"""The reach walk: include and workflow chains far deeper than the interpreter's recursion limit,
include cycles, and the order instances come out in."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from preflight.nextflow.script.scan import scan_pipeline

DEPTH = 3000
PROCESS_EVERY = 500


def _write_chain(root: Path, depth: int, *, close_cycle: bool) -> None:
    """``main.nf`` calls W0; ``w/wI.nf`` includes and calls W(I+1); every ``PROCESS_EVERY``-th
    level also defines and calls a process ``P<I>``. With ``close_cycle`` the last level
    includes W0 again and calls it."""
    (root / "main.nf").write_text("include { W0 } from './w/w0'\n\nworkflow {\n    W0()\n}\n")
    (root / "w").mkdir()
    for level in range(depth):
        last = level + 1 == depth
        following = 0 if last else level + 1
        lines = []
        if not last or close_cycle:
            lines.append(f"include {{ W{following} }} from './w{following}'")
        calls = []
        if level % PROCESS_EVERY == 0 or last:
            lines.append(f"process P{level} {{\n    script:\n    'true'\n}}")
            calls.append(f"    P{level}()")
        if not last or close_cycle:
            calls.append(f"    W{following}()")
        lines.append(f"workflow W{level} {{\n" + "\n".join(calls) + "\n}")
        (root / "w" / f"w{level}.nf").write_text("\n".join(lines) + "\n")


def _expected(depth: int) -> list[str]:
    levels = [n for n in range(depth) if n % PROCESS_EVERY == 0 or n + 1 == depth]
    return [":".join(f"W{k}" for k in range(n + 1)) + f":P{n}" for n in levels]


def test_a_chain_far_deeper_than_the_recursion_limit_is_walked_fast(tmp_path: Path) -> None:
    assert sys.getrecursionlimit() < DEPTH  # the walk must not lean on recursion
    _write_chain(tmp_path, DEPTH, close_cycle=False)
    started = time.perf_counter()
    scripts = scan_pipeline(tmp_path, tmp_path / "main.nf")
    elapsed = time.perf_counter() - started
    assert [i.fqn for i in scripts.instances] == _expected(DEPTH)
    assert all(i.reached for i in scripts.instances)
    assert len(scripts.files) == DEPTH + 1
    assert scripts.issues == ()
    assert elapsed < 10.0, f"{DEPTH}-deep chain took {elapsed:.1f}s"


def test_a_deep_chain_that_includes_its_own_start_ends(tmp_path: Path) -> None:
    _write_chain(tmp_path, DEPTH, close_cycle=True)
    scripts = scan_pipeline(tmp_path, tmp_path / "main.nf")
    # W0 is open on the path when the last level calls it again: the walk stops there.
    assert [i.fqn for i in scripts.instances] == _expected(DEPTH)
    assert scripts.issues == ()


def test_mutually_including_files_are_each_entered_once_per_path(tmp_path: Path) -> None:
    (tmp_path / "main.nf").write_text("include { A } from './a'\n\nworkflow {\n    A()\n}\n")
    (tmp_path / "a.nf").write_text(
        "include { B } from './b'\n"
        "process PA {\n    script:\n    'true'\n}\n"
        "workflow A {\n    PA()\n    B()\n    PA2()\n}\n"
        "process PA2 {\n    script:\n    'true'\n}\n"
    )
    (tmp_path / "b.nf").write_text(
        "include { A } from './a'\n"
        "process PB {\n    script:\n    'true'\n}\n"
        "workflow B {\n    A()\n    PB()\n}\n"
    )
    scripts = scan_pipeline(tmp_path, tmp_path / "main.nf")
    # Depth first in call order: B's body is walked before A resumes with PA2.
    assert [(i.fqn, i.alias, i.reached) for i in scripts.instances] == [
        ("A:PA", "PA", True),
        ("A:B:PB", "PB", True),
        ("A:PA2", "PA2", True),
    ]
    assert len(scripts.files) == 3


def test_a_workflow_reached_along_two_paths_is_walked_under_each(tmp_path: Path) -> None:
    (tmp_path / "main.nf").write_text(
        "include { S } from './s'\ninclude { T } from './t'\n\nworkflow {\n    S()\n    T()\n}\n"
    )
    (tmp_path / "s.nf").write_text("include { C } from './c'\nworkflow S {\n    C()\n}\n")
    (tmp_path / "t.nf").write_text(
        "include { C as C2 } from './c'\nworkflow T {\n    C2()\n    S2()\n}\n"
        "include { S as S2 } from './s'\n"
    )
    (tmp_path / "c.nf").write_text(
        "process Q {\n    script:\n    'true'\n}\nworkflow C {\n    Q()\n}\n"
    )
    scripts = scan_pipeline(tmp_path, tmp_path / "main.nf")
    assert [i.fqn for i in scripts.instances] == ["S:C:Q", "T:C2:Q", "T:S2:C:Q"]
