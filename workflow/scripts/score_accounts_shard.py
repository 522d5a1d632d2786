"""Snakemake script: bot scores and explanations of one shard (spreadwatch.shards)."""

from spreadwatch.runlog import script_logging
from spreadwatch.shards import score_account_shard

with script_logging(snakemake.log[0]):  # noqa: F821
    i = snakemake.input  # noqa: F821
    score_account_shard(i.features, i.accounts, i.model, i.folds, snakemake.output[0])  # noqa: F821
