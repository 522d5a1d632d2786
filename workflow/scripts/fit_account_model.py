"""Snakemake script: the bot model and its out-of-fold models, fitted once for all shards."""

from spreadwatch.runlog import script_logging
from spreadwatch.shards import fit_account_model

with script_logging(snakemake.log[0]):  # noqa: F821
    p, out = snakemake.params, snakemake.output  # noqa: F821
    fit_account_model(
        snakemake.input.features,
        p.canonical_dir,
        p.model,
        p.seed,
        out.model,
        out.folds,  # noqa: F821
        model_source=p.model_source,
        prior=p.prior,
    )
