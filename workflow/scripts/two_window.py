"""Snakemake script: rank on window 1, dismantle window 2 (spreadwatch.ranking.two_window_records)."""

from pathlib import Path

from spreadwatch.pipeline.two_window import run_two_window
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    i, p, out = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
    options = dict(p.two_window)
    run_two_window(
        p.canonical_dir,
        i.account_scores,
        i.cascade_scores,
        Path(out.metrics[0]).parent,
        p.rankers,
        weights=dict(p.weights),
        coordination_window_s=p.window_s,
        ks=tuple(options.get("ks", (10, 100, 1000))),
        share=options.get("share", 0.5),
        select=options.get("select_weights", True),
        reviews_path=i.reviews[0] if len(i.reviews) else None,
        reviews_db_path=i.reviews_db[0] if len(i.reviews_db) else None,
        dataset=snakemake.wildcards.dataset,  # noqa: F821
    )
