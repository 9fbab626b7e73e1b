"""Groovy as Nextflow files use it: tokens, the syntax tree, expressions and their values."""
