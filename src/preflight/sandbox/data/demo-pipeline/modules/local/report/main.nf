process REPORT {
    label 'process_single'
    container 'sandboxacr.azurecr.io/team/app:1.0'

    input:
    path bams

    output:
    path "report.html"

    script:
    """
    make-report $bams > report.html
    """
}
