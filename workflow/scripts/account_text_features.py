"""Snakemake script: the whole dataset's text family, a global input of the sharded account features."""

from spreadwatch.runlog import script_logging
from spreadwatch.shards import run_account_text_features

with script_logging(snakemake.log[0]):  # noqa: F821
    run_account_text_features(
        snakemake.params.canonical_dir,
        snakemake.output[0],  # noqa: F821
        snakemake.params.text_cache_dir,
    )  # noqa: F821
