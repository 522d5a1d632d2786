"""Snakemake script: account feature table (spreadwatch.features)."""

from spreadwatch.pipeline.features import run_account_features
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    run_account_features(
        snakemake.params.canonical_dir,
        snakemake.input.network,  # noqa: F821
        snakemake.input.coordination,
        snakemake.output[0],  # noqa: F821
        text_cache_dir=snakemake.params.text_cache_dir,
    )  # noqa: F821
