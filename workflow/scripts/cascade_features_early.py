"""Snakemake script: cascade features at every early-detection cut-off (spreadwatch.stages)."""
from spreadwatch.runlog import script_logging
from spreadwatch.stages import run_cascade_features_early

with script_logging(snakemake.log[0]):  # noqa: F821
    run_cascade_features_early(snakemake.params.canonical_dir, snakemake.input.account_features,  # noqa: F821
                               snakemake.input.account_scores, snakemake.output[0])  # noqa: F821
