process QC {
    tag "$reads"
    label 'process_low'

    container "${ workflow.containerEngine == 'singularity' ? 'https://depot.example.org/singularity/fastqc:0.12.1' : 'quay.io/biocontainers/fastqc:0.12.1--hdfd78af_0' }"

    input:
    path reads

    output:
    path "*.html", emit: html

    script:
    """
    fastqc $reads
    """
}
