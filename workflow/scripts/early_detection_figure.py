"""Snakemake script: early-detection curve figure (spreadwatch.report.early_detection_figure)."""

from spreadwatch.report import early_detection_figure
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    early_detection_figure(list(snakemake.input), snakemake.output[0])  # noqa: F821
