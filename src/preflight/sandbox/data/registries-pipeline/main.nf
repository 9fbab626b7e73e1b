#!/usr/bin/env nextflow
// One image from each registry family the sandbox serves: Azure Container Registry, Docker Hub,
// GHCR (public, and private with the workspace's credential), Quay (public, a misspelt tag, and
// private without a credential) and a generic distribution registry.

process ACR_TOOL {
    container 'sandboxacr.azurecr.io/team/app:1.0'
    script:
    "app --version"
}

process HUB_TOOL {
    container 'busybox:1.36'
    script:
    "busybox true"
}

process GHCR_PUBLIC {
    container 'ghcr.io/acme-org/public-tool:1.0'
    script:
    "public-tool --help"
}

process GHCR_PRIVATE {
    container 'ghcr.io/acme-org/private-tool:2.0'
    script:
    "private-tool --help"
}

process QUAY_PUBLIC {
    container 'quay.io/biocontainers/samtools:1.17'
    script:
    "samtools --version"
}

process QUAY_MISSPELT {
    container 'quay.io/biocontainers/samtools:1.71'
    script:
    "samtools --version"
}

process QUAY_PRIVATE {
    container 'quay.io/acme/secret-tool:1.0'
    script:
    "secret-tool --help"
}

process GENERIC_TOOL {
    container 'cr.example.org/tools/multiqc:1.21'
    script:
    "multiqc --version"
}

workflow {
    ACR_TOOL()
    HUB_TOOL()
    GHCR_PUBLIC()
    GHCR_PRIVATE()
    QUAY_PUBLIC()
    QUAY_MISSPELT()
    QUAY_PRIVATE()
    GENERIC_TOOL()
}
