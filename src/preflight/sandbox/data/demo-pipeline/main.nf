#!/usr/bin/env nextflow
// A small pipeline whose tools live in a private Azure Container Registry.

include { QC     } from './modules/local/qc/main'
include { ALIGN  } from './modules/local/align/main'
include { REPORT } from './modules/local/report/main'

workflow {
    reads = Channel.fromPath(params.input)
    QC(reads)
    ALIGN(reads)
    REPORT(ALIGN.out.bam.collect())
}
