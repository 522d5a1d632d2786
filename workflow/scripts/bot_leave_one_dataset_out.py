"""Snakemake script: leave-one-dataset-out bot metrics of one held-out dataset and model
(spreadwatch.pipeline.cross_dataset)."""

from spreadwatch.pipeline.cross_dataset import run_bot_leave_one_dataset_out
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    p, wc = snakemake.params, snakemake.wildcards  # noqa: F821
    run_bot_leave_one_dataset_out(
        snakemake.input[0],
        wc.held_out,
        wc.model,
        list(p.seeds),  # noqa: F821
        snakemake.output[0],
        calibration=p.calibration,  # noqa: F821
        min_shared=float(p.min_shared),
        predictions_out=snakemake.output[1],
    )  # noqa: F821
