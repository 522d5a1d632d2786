"""Snakemake script: the leave-one-dataset-out summary table (spreadwatch.pipeline.cross_dataset)."""

from spreadwatch.pipeline.cross_dataset import run_bot_cross_dataset_summary
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    run_bot_cross_dataset_summary(list(snakemake.input), snakemake.output[0])  # noqa: F821
