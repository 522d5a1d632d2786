"""Snakemake script: ranked accounts and domains (spreadwatch.pipeline.rank)."""

from spreadwatch.pipeline.rank import run_rank
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    i, p, out = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
    run_rank(
        p.canonical_dir,
        i.account_scores,
        i.cascade_scores,
        i.coordination,
        out.accounts,
        out.domains,
        p.metrics_dir,
        weights=dict(p.weights),
        ks=tuple(p.ks),
        reviews_path=i.reviews[0] if len(i.reviews) else None,
        reviews_db_path=i.reviews_db[0] if len(i.reviews_db) else None,
        dataset=snakemake.wildcards.dataset,
        summary_out=out.summary,
        reshares_path=i.reshares,
        evidence_out=out.evidence,
        evidence_top_n=p.top_n,
    )  # noqa: F821
