"""Snakemake script: domain rankings against expert ratings (spreadwatch.ranking.domain_evaluation)."""
from pathlib import Path

import pandas as pd

from spreadwatch.ingest import credibility_ratings
from spreadwatch.pipeline.domain_eval import run_domain_eval
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    i, p, out = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
    if p.registry:
        ratings, lists = credibility_ratings(p.registry, p.data_root), ("lin_pc1", "iffy_plus")
    else:  # synthetic: the simulator's own domain truth
        ratings, lists = pd.read_parquet(i.ratings[0]), ("credibility", "low_credibility")
    run_domain_eval(p.canonical_dir, i.cascade_scores, ratings, Path(out.metrics[0]).parent, lists=lists)
