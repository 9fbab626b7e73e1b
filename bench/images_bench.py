"""Image resolution against merely reading the pipeline's files, measured side by side.

First, ``preflight images`` as a whole process (interpreter, imports, configuration, scan,
resolution, JSON) on a generated pipeline of nf-core/sarek's size (:mod:`sarek_like`: ~260
``.nf``/``.config`` files, ~870 KB), against a process that only walks and reads those files;
both run in turns, their bytecode cached as an installed package's is, and the report gives
both times and the ratio (target: within 3x), then where the time goes.

Then, in one process, a 500-module pipeline:

Generates a pipeline laid out as nf-core lays them out — modules with the engine ternary,
subworkflows that include them (some under aliases), a configuration with labels, ``withName``
selectors and ``docker.registry`` — in a temporary directory, then times:

* the baselines: reading every ``.nf`` and ``.config`` file (bytes from the page cache,
  decoded) — once finding them by walking the tree, once from a list already known;
* the ``.nf`` scan alone;
* ``resolve_images`` end to end (configuration, scan, per-process resolution).

Times are CPU time of this process (medians, the four measurements taken in turns), which a busy
shared machine disturbs less than wall time. Prints the ratios to both baselines (target: within
3x) and the peak memory of one resolution (tracemalloc, measured in a separate run so it does not
slow the timed ones).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import sarek_like

from preflight.images.resolve import resolve_images
from preflight.nextflow.script.scan import scan_pipeline
from preflight.pipeline import PipelineSpec

MODULES = 500
PER_SUBWORKFLOW = 10
RUNS = 9
TARGET = 3.0
SRC = Path(__file__).resolve().parents[1] / "src"
# The baseline process: walk the pipeline and read and decode every .nf and .config file.
READER = """import os, sys
total = 0
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        if name.endswith(('.nf', '.config')):
            with open(os.path.join(folder, name), 'rb') as handle:
                total += len(handle.read().decode('utf-8'))
print(total)
"""
IMPORTS = (
    "import preflight.cli, preflight.cli.images, preflight.images.resolve, "
    "preflight.nextflow.config.evaluator, preflight.report.images_table"
)

MODULE = '''process {name} {{
    tag "$meta.id"
    label '{label}'

    conda "${{moduleDir}}/environment.yml"
    container "${{ workflow.containerEngine == 'singularity' &&
        !task.ext.singularity_pull_docker_container ?
        'https://depot.galaxyproject.org/singularity/{tool}:1.{n}--h{n:05d}_0' :
        'biocontainers/{tool}:1.{n}--h{n:05d}_0' }}"

    input:
    tuple val(meta), path(reads)
    path  reference

    output:
    tuple val(meta), path("*.out"), emit: results
    path  "versions.yml"          , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${{meta.id}}"
    """
    {tool} \\\\
        $args \\\\
        --threads $task.cpus \\\\
        --reference $reference \\\\
        --output ${{prefix}}.out \\\\
        $reads

    cat <<-END_VERSIONS > versions.yml
    "${{task.process}}":
        {tool}: \\$( {tool} --version 2>&1 | sed 's/^.*{tool} //; s/ .*$//' )
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: "${{meta.id}}"
    """
    touch ${{prefix}}.out
    touch versions.yml
    """
}}
'''


def generate(root: Path) -> int:
    """Write the pipeline; return the number of files written."""
    names = [f"TOOL{n:03d}_RUN" for n in range(MODULES)]
    for n, name in enumerate(names):
        module = root / "modules" / "nf-core" / f"tool{n:03d}" / "run"
        module.mkdir(parents=True)
        label = ("process_low", "process_medium", "process_high")[n % 3]
        (module / "main.nf").write_text(
            MODULE.format(name=name, label=label, tool=f"tool{n:03d}", n=n)
        )
    subworkflows = []
    for start in range(0, MODULES, PER_SUBWORKFLOW):
        sub = f"SUB{start // PER_SUBWORKFLOW:02d}"
        subworkflows.append(sub)
        directory = root / "subworkflows" / "local" / sub.lower()
        directory.mkdir(parents=True)
        chunk = names[start : start + PER_SUBWORKFLOW]
        includes = []
        calls = []
        for index, name in enumerate(chunk):
            tool = name.split("_")[0].lower()
            alias = f"{name}_ALIGNED" if index == 0 else name
            spelled = f"{name} as {alias}" if alias != name else name
            includes.append(
                f"include {{ {spelled} }} from '../../../modules/nf-core/{tool}/run/main'"
            )
            calls.append(
                f"    {alias} ( reads, reference )\n"
                f"    ch_versions = ch_versions.mix({alias}.out.versions)"
            )
        (directory / "main.nf").write_text(
            "\n".join(includes)
            + f"\n\nworkflow {sub} {{\n    take:\n    reads\n    reference\n\n    main:\n"
            + "    ch_versions = Channel.empty()\n"
            + "\n".join(calls)
            + "\n\n    emit:\n    versions = ch_versions\n}\n"
        )
    (root / "workflows").mkdir()
    (root / "workflows" / "pipeline.nf").write_text(
        "\n".join(
            f"include {{ {s} }} from '../subworkflows/local/{s.lower()}/main'" for s in subworkflows
        )
        + "\n\nworkflow PIPELINE {\n    take:\n    reads\n\n    main:\n"
        + "    reference = file(params.fasta)\n"
        + "\n".join(f"    {s} ( reads, reference )" for s in subworkflows)
        + "\n}\n"
    )
    (root / "main.nf").write_text(
        "include { PIPELINE } from './workflows/pipeline'\n\n"
        "workflow BENCH { take: reads\n main: PIPELINE ( reads ) }\n\n"
        "workflow {\n    BENCH ( Channel.fromFilePairs(params.input) )\n}\n"
    )
    selectors = "\n".join(
        f"    withName: '.*:SUB{k:02d}:TOOL{k * PER_SUBWORKFLOW:03d}_RUN_ALIGNED' {{\n"
        f'        container = "${{params.acr}}/tools/tool{k * PER_SUBWORKFLOW:03d}:2.0"\n'
        f"        ext.args = '--fast'\n    }}"
        for k in range(len(subworkflows))
    )
    (root / "nextflow.config").write_text(
        "params {\n    input = null\n    fasta = null\n    acr = 'benchacr.azurecr.io'\n}\n"
        "process {\n    cpus = { 1 * task.attempt }\n"
        "    withLabel:process_high { cpus = 12 }\n" + selectors + "\n}\n"
        "docker.enabled = true\ndocker.registry = 'quay.io'\n"
    )
    return MODULES + len(subworkflows) + 3


def find_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.suffix in (".nf", ".config")]


def read_files(paths: list[Path]) -> int:
    """The baseline: read and decode every file the resolution reads."""
    return sum(len(path.read_bytes().decode("utf-8")) for path in paths)


def medians(funcs: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Median CPU time of each function, run in turns (one of each per round), so a busy
    stretch of a shared machine slows the baselines and the measured code alike."""
    timings: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(RUNS):
        for name, func in funcs.items():
            started = time.process_time()
            func()
            timings[name].append(time.process_time() - started)
    return {name: statistics.median(values) for name, values in timings.items()}


def _timed_process(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU time (user + system of the child) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def whole_process(tmp: Path) -> bool:
    """``preflight images`` as a process against the reading process, on a sarek-sized tree."""
    root = tmp / "sarek-like"
    root.mkdir()
    files = sarek_like.generate(root)
    size = sum(p.stat().st_size for p in find_files(root))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(SRC)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")  # cached bytecode, as once installed
    commands = {
        "read": [sys.executable, "-c", READER, str(root)],
        "images": [sys.executable, "-m", "preflight", "images", str(root), "--format", "json"],
        "bare": [sys.executable, "-c", "pass"],
        "imports": [sys.executable, "-c", IMPORTS],
    }
    out = subprocess.run(commands["images"], env=env, check=True, capture_output=True, text=True)
    document = json.loads(out.stdout)
    for command in commands.values():  # warm the page and bytecode caches
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(RUNS):
        for name, command in commands.items():
            took, used = _timed_process(command, env)
            walls[name].append(took)
            cpus[name].append(used)
    wall = {name: statistics.median(values) for name, values in walls.items()}
    cpu = {name: statistics.median(values) for name, values in cpus.items()}
    phases = _phases(root)
    ratio = wall["images"] / wall["read"]
    print(
        f"images as a process: {files} files ({size / 1e3:.0f} KB), "
        f"{len(document['processes'])} processes, {len(document['images'])} images; "
        f"median of {RUNS}, in turns\n"
        f"  read the files (process)     wall {wall['read'] * 1000:6.1f} ms  "
        f"cpu {cpu['read'] * 1000:6.1f} ms\n"
        f"  preflight images (process)   wall {wall['images'] * 1000:6.1f} ms  "
        f"cpu {cpu['images'] * 1000:6.1f} ms\n"
        f"  ratio                        wall {ratio:6.1f}x     "
        f"cpu {cpu['images'] / cpu['read']:6.1f}x    (target {TARGET:.0f}x: "
        f"{'met' if ratio <= TARGET else 'not met'})\n"
        f"  where it goes (CPU ms): interpreter {cpu['bare'] * 1000:.0f}, imports "
        f"{(cpu['imports'] - cpu['bare']) * 1000:.0f}, configuration {phases['config']:.0f}, "
        f"scan .nf {phases['scan']:.0f}, resolution {phases['resolve']:.0f}, "
        f"JSON {phases['render']:.0f}"
    )
    return document["status"] == "pass" and len(document["images"]) > 0


def _phases(root: Path) -> dict[str, float]:
    """CPU ms of each step of one resolution in this process (median of ``RUNS``)."""
    from preflight.nextflow.config.evaluator import resolve_config
    from preflight.nextflow.config.parsed_files import forget_all
    from preflight.report.images_table import render_json

    spec = PipelineSpec.locate(root, launch_dir=root)
    found: dict[str, list[float]] = {"config": [], "scan": [], "resolve": [], "render": []}
    for _ in range(RUNS):
        forget_all()  # every file parsed again, as in a fresh process
        started = time.process_time()
        config = resolve_config(spec)
        parsed = time.process_time()
        scripts = scan_pipeline(root, root / "main.nf", params=dict(config.params))
        scanned = time.process_time()
        result = resolve_images(spec, config, scripts=scripts)
        resolved = time.process_time()
        render_json(result, str(root))
        rendered = time.process_time()
        for name, value in (
            ("config", parsed - started),
            ("scan", scanned - parsed),
            ("resolve", resolved - scanned),
            ("render", rendered - resolved),
        ):
            found[name].append(value * 1000)
    return {name: statistics.median(values) for name, values in found.items()}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="preflight-images-bench-") as tmp:
        whole_ok = whole_process(Path(tmp))
        root = Path(tmp) / "pipeline"
        root.mkdir()
        files = generate(root)
        spec = PipelineSpec.locate(root, launch_dir=Path(tmp))
        paths = find_files(root)
        chars = read_files(paths)  # warm the page cache
        result = resolve_images(spec)
        acr = len(result.acr_uses)
        timed = medians(
            {
                "walk": lambda: read_files(find_files(root)),
                "read": lambda: read_files(paths),
                "scan": lambda: scan_pipeline(root, root / "main.nf"),
                "full": lambda: resolve_images(spec),
            }
        )
        walk, read, scan, full = timed["walk"], timed["read"], timed["scan"], timed["full"]
        tracemalloc.start()
        resolve_images(spec)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(
        f"images: {files} files ({chars / 1e6:.1f} MB), {len(result.processes)} processes, "
        f"{len(result.uses)} images, {acr} on ACR; CPU ms, median of {RUNS}\n"
        f"  walk + read files   {walk * 1000:7.1f}\n"
        f"  read known files    {read * 1000:7.1f}\n"
        f"  scan .nf            {scan * 1000:7.1f}  ({scan / walk:.1f}x walk+read, "
        f"{scan / read:.1f}x read)\n"
        f"  resolve_images      {full * 1000:7.1f}  ({full / walk:.1f}x walk+read, "
        f"{full / read:.1f}x read; target {TARGET:.0f}x)\n"
        f"  peak memory         {peak / 1e6:7.1f} MB (one resolution, tracemalloc)"
    )
    in_process_ok = len(result.processes) == MODULES and acr == MODULES // PER_SUBWORKFLOW
    return 0 if whole_ok and in_process_ok else 1


if __name__ == "__main__":
    sys.exit(main())
