process ALIGN {
    tag "$reads"
    label 'process_high'

    input:
    path reads

    output:
    path "*.bam", emit: bam

    script:
    """
    align --reads $reads --out ${reads.simpleName}.bam
    """
}
