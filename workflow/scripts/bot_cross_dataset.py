"""Snakemake script for workflow/rules/bots.smk: portable profiles, leave-one-dataset-out, summary."""
from spreadwatch.pipeline import cross_dataset
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    rule, p = snakemake.rule, snakemake.params  # noqa: F821
    if rule == "bot_portable_profiles":
        cross_dataset.run_bot_portable_profiles(list(p.datasets), dict(p.registry), p.data_root, snakemake.output[0])  # noqa: F821
    elif rule == "bot_leave_one_dataset_out":
        wc = snakemake.wildcards  # noqa: F821
        cross_dataset.run_bot_leave_one_dataset_out(snakemake.input[0], wc.held_out, wc.model, list(p.seeds),  # noqa: F821
                                                    snakemake.output[0], calibration=p.calibration,  # noqa: F821
                                                    min_shared=float(p.min_shared),
                                                    predictions_out=snakemake.output[1])  # noqa: F821
    elif rule == "bot_cross_dataset_summary":
        cross_dataset.run_bot_cross_dataset_summary(list(snakemake.input), snakemake.output[0])  # noqa: F821
    else:
        raise ValueError(f"unexpected rule {rule!r}")
