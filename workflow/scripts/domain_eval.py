"""Snakemake script: domain rankings against credibility ratings (spreadwatch.pipeline.domain_eval)."""

from pathlib import Path

from spreadwatch.pipeline.domain_eval import run_domain_eval
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    p = snakemake.params  # noqa: F821
    run_domain_eval(
        p.canonical_dir,
        snakemake.input.cascade_scores,
        p.ratings,  # noqa: F821
        Path(snakemake.output.metrics[0]).parent,
        lists=tuple(p.lists),
    )  # noqa: F821
