"""Snakemake script: account features of one shard (spreadwatch.shards)."""

from pathlib import Path

from spreadwatch.runlog import script_logging
from spreadwatch.shards import run_account_features_shard

with script_logging(snakemake.log[0]):  # noqa: F821
    i = snakemake.input  # noqa: F821
    run_account_features_shard(
        Path(i.accounts).parent, i.context, i.network, i.coordination, snakemake.output[0], text_path=i.get("text")
    )  # noqa: F821
