"""Snakemake script: cascade features at every early-detection cut-off (spreadwatch.pipeline.features)."""

from spreadwatch.pipeline.features import run_cascade_features_early
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    run_cascade_features_early(
        snakemake.params.canonical_dir,
        snakemake.input.account_features,  # noqa: F821
        snakemake.input.account_scores,
        snakemake.output[0],
    )  # noqa: F821
