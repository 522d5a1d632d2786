"""Snakemake script: portable profile features of the bot datasets (spreadwatch.pipeline.cross_dataset)."""

from spreadwatch.pipeline.cross_dataset import run_bot_portable_profiles
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    p = snakemake.params  # noqa: F821
    run_bot_portable_profiles(list(p.datasets), dict(p.registry), p.data_root, snakemake.output[0])  # noqa: F821
