"""Resolving a large pipeline's configuration against merely reading its files, in one run.

The pipeline is generated: a ``nextflow.config`` with params, profiles and includes, a base
config with label selectors, a modules config with one ``withName`` block per module (500), and
one small config per subworkflow (50). Prints the best times and their ratio: the cost of
understanding the configuration over the cost of the I/O it cannot avoid. Each timed resolve
parses every file, as a fresh process does; resolving again with the files unchanged (the parse
of each file kept) is shown apart.

Then whole processes, side by side: ``preflight config PIPELINE --format json`` against a fresh
interpreter that only reads the same files; and the price every launch pays before reading
anything, a fresh interpreter importing the reader against a bare interpreter start.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from preflight.nextflow.config.evaluator import resolve_config
from preflight.nextflow.config.parsed_files import forget_all
from preflight.pipeline import PipelineSpec

SRC = Path(__file__).resolve().parents[1] / "src"
MODULES = 500
SUBWORKFLOWS = 50
RUNS = 7
PYCACHE = tempfile.mkdtemp(prefix="preflight-bench-pycache-")
atexit.register(shutil.rmtree, PYCACHE, ignore_errors=True)


def generate(root: Path) -> list[Path]:
    """Write the pipeline; return every config file Nextflow would read."""
    conf = root / "conf"
    conf.mkdir()
    lines = [
        "params {",
        "    outdir = null",
        "    registry = 'example.azurecr.io'",
        "    skip_qc = false",
    ]
    lines += [f"    option_{i} = {i}" for i in range(100)]
    lines += ["}", "includeConfig 'conf/base.config'", "profiles {"]
    lines += [f"    p{i} {{ process.queue = 'q{i}'; docker.enabled = true }}" for i in range(20)]
    lines += ["}", "includeConfig !params.skip_qc ? 'conf/modules.config' : '/dev/null'"]
    lines += [f"includeConfig 'subworkflows/sw{i}/nextflow.config'" for i in range(SUBWORKFLOWS)]
    lines += ["docker.registry = 'quay.io'", "wave.enabled = true"]
    (root / "nextflow.config").write_text("\n".join(lines) + "\n")
    base = ["process {", "    cpus = { 1 * task.attempt }", "    memory = { 6.GB * task.attempt }"]
    for label in ("single", "low", "medium", "high", "long", "high_memory"):
        base += [
            f"    withLabel:process_{label} {{",
            "        cpus = { 4 * task.attempt }",
            "        memory = { 36.GB * task.attempt }",
            "    }",
        ]
    (conf / "base.config").write_text("\n".join([*base, "}"]) + "\n")
    modules = ["process {"]
    for i in range(MODULES):
        modules += [
            f"    withName: '.*:TOOL_{i}' {{",
            f"        ext.args = {{ params.option_{i % 100} ? '--flag {i}' : '' }}",
            f'        ext.prefix = {{ "${{meta.id}}_{i}" }}',
            f'        container = "${{params.registry}}/tools/tool-{i}:1.{i}"',
            "        publishDir = [ path: { \"${params.outdir}/tool\" }, mode: 'copy' ]",
            "    }",
        ]
    (conf / "modules.config").write_text("\n".join([*modules, "}"]) + "\n")
    for i in range(SUBWORKFLOWS):
        directory = root / "subworkflows" / f"sw{i}"
        directory.mkdir(parents=True)
        (directory / "nextflow.config").write_text(
            f"process {{\n    withName: '.*:SW{i}:.*' {{\n        ext.when = {{ !params.skip_qc }}"
            f"\n    }}\n}}\n"
        )
    return sorted(root.rglob("*.config"))


def median(action: Callable[[], object], setup: Callable[[], object] = lambda: None) -> float:
    timings = []
    for _ in range(RUNS):
        setup()
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)  # the best run: the least disturbed by other work on the machine


def start_up(code: str, *, quiet: bool = False) -> float:
    """Best wall time of a fresh interpreter running ``code`` (site on, as a launch has it).

    Compiled modules are cached (in a directory of the bench's own), as an installed package
    has them, even where the environment says not to write them.
    """
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONPYCACHEPREFIX": PYCACHE}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.DEVNULL if quiet else None
    return median(
        lambda: subprocess.run([sys.executable, "-c", code], env=env, check=True, stdout=out)
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        files = generate(root)
        spec = PipelineSpec(root=root, launch_dir=root)
        size = sum(f.stat().st_size for f in files)
        lines = sum(f.read_text().count("\n") for f in files)

        def read() -> None:
            for path in files:
                path.read_bytes()

        resolve_config(spec)  # warm imports, as a long-lived process would be
        read_time = median(read)
        # every file parsed, as in a fresh process: the kept parses are dropped before each run
        resolve_time = median(lambda: resolve_config(spec), setup=forget_all)
        again_time = median(lambda: resolve_config(spec))  # the files unchanged since
        listing = [str(f) for f in files]
        reader_process = start_up(f"for f in {listing!r}: open(f, 'rb').read()")
        config_process = start_up(
            "from preflight.cli import main; import sys; "
            f"sys.exit(main(['config', {str(root)!r}, '--format', 'json']))",
            quiet=True,
        )
    print(
        f"config: {len(files)} files, {lines} lines, {size / 1024:.0f} KiB; "
        f"read {read_time * 1000:.1f} ms, resolve {resolve_time * 1000:.1f} ms, "
        f"ratio {resolve_time / read_time:.0f}x "
        f"({lines / resolve_time / 1000:.0f}k lines/s, best of {RUNS}); "
        f"resolve again, files unchanged {again_time * 1000:.1f} ms"
    )
    print(
        f"process: preflight config --format json {config_process * 1000:.0f} ms, a fresh "
        f"interpreter reading the same files {reader_process * 1000:.0f} ms, ratio "
        f"{config_process / reader_process:.1f}x (best of {RUNS})"
    )
    bare = start_up("pass")
    reader = start_up("import preflight.nextflow.config.evaluator")
    print(
        f"import: interpreter start-up {bare * 1000:.0f} ms; the reader adds "
        f"{(reader - bare) * 1000:.0f} ms ({reader / bare:.1f}x the start-up; best of {RUNS})"
    )


if __name__ == "__main__":
    main()
