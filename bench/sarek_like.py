# ruff: noqa: E501 - the generated Groovy keeps the long lines real pipelines have
"""A generated pipeline of nf-core/sarek's size and shape, for timing ``preflight images``.

Sarek holds about 260 ``.nf``/``.config`` files, 870 KB: ~150 modules with the engine ternary,
~45 subworkflows whose calls stand under ``if (params.…)``, ~50 ``conf/modules/*.config`` files
of ``withName`` blocks with ``ext`` closures and ``publishDir`` maps, a base config of labels,
and a ``nextflow.config`` with params, profiles and ``includeConfig``. Written from scratch
here (no network, no third-party text).
"""

from __future__ import annotations

from pathlib import Path

MODULES = 150
SUBWORKFLOWS = 45
MODULE_CONFIGS = 58
TOOLS_PER_SUBWORKFLOW = 8

_MODULE = '''// {tool}: one step of the pipeline, run once per sample.
//   input:  meta (map: id, patient, sample, status), the reads or alignments and their index,
//           meta2 and the reference fasta
//   output: the results per sample, and the tool's version on the 'versions' topic
//   ext.args is appended to the command line; ext.prefix names the outputs (meta.id by default)
//   ext.when decides whether the step runs; the container follows the engine: a Singularity
//   image from the Galaxy depot, or the Docker image from BioContainers, pinned by build
//   (see https://biocontainers.pro for the tags of each tool and their conda environments)
process {name} {{
    tag "$meta.id"
    label '{label}'

    conda "${{moduleDir}}/environment.yml"
    container "${{ workflow.containerEngine == 'singularity' && !task.ext.singularity_pull_docker_container ?
        'https://depot.galaxyproject.org/singularity/{tool}:1.{n}--h{n:05d}_0' :
        'biocontainers/{tool}:1.{n}--h{n:05d}_0' }}"

    input:
    tuple val(meta), path(input), path(index)
    tuple val(meta2), path(fasta)

    output:
    tuple val(meta), path("*.out"), emit: results
    tuple val("${{task.process}}"), val('{tool}'), eval("{tool} --version"), topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${{meta.id}}"
    """
    {tool} \\\\
        $args \\\\
        --threads $task.cpus \\\\
        --reference $fasta \\\\
        --output ${{prefix}}.out \\\\
        $input
    """

    stub:
    def prefix = task.ext.prefix ?: "${{meta.id}}"
    """
    touch ${{prefix}}.out
    """
}}
'''


def _subworkflow(index: int, tools: list[str]) -> str:
    includes = "\n".join(
        f"include {{ {t.upper()} }} from '../../../modules/nf-core/{t}/main'" for t in tools
    )
    steps = []
    for step, tool in enumerate(tools):
        name = tool.upper()
        call = (
            f"        {name} ( ch_input, ch_fasta )\n"
            f"        ch_out = ch_out.mix({name}.out.results)\n"
            f"        ch_reports = ch_reports.mix({name}.out.results.map {{ meta, out -> out }})"
        )
        if step % 3 == 1:
            steps.append(
                f"    if (!(params.skip_tools && params.skip_tools.split(',').contains('{tool}'))) {{\n{call}\n    }}"
            )
        elif step % 3 == 2:
            steps.append(
                f"    if (params.step{index % 4} == 'variant_calling') {{\n{call}\n    }} else {{\n        ch_out = ch_out.mix(ch_input)\n    }}"
            )
        else:
            steps.append(call.replace("        ", "    "))
    body = "\n\n".join(steps)
    return (
        (
            f"//\n// Subworkflow {index}: {', '.join(tools)}\n//\n\n{includes}\n\n"
            f"workflow SUB_{index:02d} {{\n    take:\n    ch_input   // channel: [ meta, input, index ]\n"
            "    ch_fasta   // channel: [ meta2, fasta ]\n\n    main:\n"
            "    ch_out     = Channel.empty()\n    ch_reports = Channel.empty()\n\n"
            f"{body}\n\n    emit:\n    out     = ch_out\n    reports = ch_reports\n}}\n"
        )
        + "\n".join(
            f"// {tool}: see modules/nf-core/{tool}/meta.yml for its inputs, outputs and options"
            for tool in tools * 7
        )
        + "\n"
    )


def _module_config(index: int, tools: list[str]) -> str:
    blocks = []
    for tool in tools:
        name = tool.upper()
        blocks.append(
            f"    withName: '{name}' {{\n"
            f'        ext.args   = {{ params.{tool}_args ?: \'--mode ${{meta.status == 1 ? "tumor" : "normal"}}\' }}\n'
            f'        ext.prefix = {{ "${{meta.id}}.{tool}" }}\n'
            f"        ext.when   = {{ !(params.skip_tools && params.skip_tools.split(',').contains('{tool}')) }}\n"
            "        publishDir = [\n"
            "            mode: params.publish_dir_mode,\n"
            f'            path: {{ "${{params.outdir}}/reports/{tool}/${{meta.id}}/" }},\n'
            "            pattern: '*{out,json,txt}',\n"
            "            saveAs: { filename -> filename.equals('versions.yml') ? null : filename }\n"
            "        ]\n    }"
        )
    header = (
        "/*\n"
        + "~" * 80
        + f"\n    Config file {index}: DSL2 per module options and publishing paths\n"
        + "~" * 80
        + "\n*/\n\n"
    )
    return header + "process {\n\n" + "\n\n".join(blocks) + "\n}\n"


def generate(root: Path) -> int:
    """Write the pipeline under ``root``; return the number of files written."""
    tools = [f"tool{n:03d}" for n in range(MODULES)]
    for n, tool in enumerate(tools):
        directory = root / "modules" / "nf-core" / tool
        directory.mkdir(parents=True)
        label = ("process_single", "process_low", "process_medium", "process_high")[n % 4]
        (directory / "main.nf").write_text(
            _MODULE.format(name=tool.upper(), label=label, tool=tool, n=n)
        )
    subs = []
    for index in range(SUBWORKFLOWS):
        chosen = [tools[(index * 5 + k) % MODULES] for k in range(TOOLS_PER_SUBWORKFLOW)]
        directory = root / "subworkflows" / "local" / f"sub_{index:02d}"
        directory.mkdir(parents=True)
        (directory / "main.nf").write_text(_subworkflow(index, chosen))
        subs.append(f"SUB_{index:02d}")
    (root / "workflows").mkdir()
    includes = "\n".join(
        f"include {{ {s} }} from '../subworkflows/local/{s.lower()}/main'" for s in subs
    )
    calls = "\n".join(f"    {s} ( ch_input, ch_fasta )" for s in subs)
    (root / "workflows" / "sarek.nf").write_text(
        f"{includes}\n\nworkflow SAREK {{\n    take:\n    ch_input\n\n    main:\n"
        f"    ch_fasta = Channel.value([[id: 'fasta'], file(params.fasta)])\n{calls}\n}}\n"
    )
    (root / "main.nf").write_text(
        "#!/usr/bin/env nextflow\n"
        "params.fasta = getGenomeAttribute('fasta')\n\n"
        "include { SAREK } from './workflows/sarek'\n\n"
        "def getGenomeAttribute(attribute) {\n"
        "    return params.genomes?.get(params.genome)?.get(attribute)\n}\n\n"
        "workflow NFCORE_SAREK {\n    take:\n    samplesheet\n\n    main:\n"
        "    SAREK ( samplesheet )\n}\n\n"
        "workflow {\n    NFCORE_SAREK ( Channel.fromPath(params.input) )\n}\n"
    )
    conf = root / "conf"
    (conf / "modules").mkdir(parents=True)
    for index in range(MODULE_CONFIGS):
        chosen = [tools[(index * 3 + k) % MODULES] for k in range(8)]
        (conf / "modules" / f"modules_{index:02d}.config").write_text(_module_config(index, chosen))
    labels = "\n".join(
        f"    withLabel:{label} {{\n        cpus   = {{ {cpus} * task.attempt }}\n"
        f"        memory = {{ {cpus * 6}.GB * task.attempt }}\n        time   = {{ 4.h * task.attempt }}\n    }}"
        for label, cpus in (
            ("process_single", 1),
            ("process_low", 2),
            ("process_medium", 6),
            ("process_high", 12),
        )
    )
    (conf / "base.config").write_text(
        "process {\n    cpus   = { 1 * task.attempt }\n    memory = { 6.GB * task.attempt }\n"
        "    errorStrategy = { task.exitStatus in ((130..145) + 104) ? 'retry' : 'finish' }\n"
        f"    maxRetries = 1\n{labels}\n}}\n"
    )
    params = "\n".join(f"    {tool}_args = null" for tool in tools)
    steps = "\n".join(f"    step{k} = 'mapping'" for k in range(4))
    profiles = "\n".join(
        f"    {name} {{\n        {name}.enabled = true\n    }}"
        for name in ("docker", "singularity", "podman", "apptainer")
    )
    (root / "nextflow.config").write_text(
        "params {\n    input = null\n    genome = 'GATK.GRCh38'\n    genomes = [:]\n"
        "    outdir = 'results'\n    publish_dir_mode = 'copy'\n    skip_tools = null\n"
        f"{steps}\n{params}\n}}\n\n"
        "includeConfig 'conf/base.config'\n\n"
        f"profiles {{\n{profiles}\n}}\n\n"
        "docker.registry = 'quay.io'\n"
        + "".join(
            f"includeConfig 'conf/modules/modules_{index:02d}.config'\n"
            for index in range(MODULE_CONFIGS)
        )
    )
    return MODULES + SUBWORKFLOWS + MODULE_CONFIGS + 5
