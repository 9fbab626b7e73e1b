"""Remote pipelines: named as for ``nextflow run``, read at one commit as Nextflow does."""
