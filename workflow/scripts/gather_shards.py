"""Snakemake script: gather the shards of account features or bot scores (spreadwatch.shards)."""

from spreadwatch.runlog import script_logging
from spreadwatch.shards import gather_account_features, gather_account_scores

with script_logging(snakemake.log[0]):  # noqa: F821
    gather = gather_account_features if snakemake.rule == "gather_account_features" else gather_account_scores  # noqa: F821
    gather(list(snakemake.input), snakemake.output[0])  # noqa: F821
