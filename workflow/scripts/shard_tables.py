"""Snakemake script: the account tables split into shards by account id (spreadwatch.shards)."""

from pathlib import Path

from spreadwatch.runlog import script_logging
from spreadwatch.shards import write_shards

with script_logging(snakemake.log[0]):  # noqa: F821
    out = snakemake.output  # noqa: F821
    write_shards(snakemake.params.canonical_dir, Path(out.context).parent, len(out.accounts))  # noqa: F821
