"""Snakemake script: ranked accounts and domains (spreadwatch.ranking)."""
import json

from spreadwatch.runlog import script_logging
from spreadwatch.stages import run_rank

with script_logging(snakemake.log[0]):  # noqa: F821
    p, out = snakemake.params, snakemake.output  # noqa: F821
    summary = run_rank(p.canonical_dir, snakemake.input.account_scores, snakemake.input.cascade_scores,  # noqa: F821
                       snakemake.input.coordination, out.accounts, out.domains, p.metrics_dir,  # noqa: F821
                       weights=dict(p.weights), ks=tuple(p.ks),
                       reviews_path=snakemake.input.reviews[0] if len(snakemake.input.reviews) else None,  # noqa: F821
                       reviews_db_path=snakemake.input.reviews_db[0] if len(snakemake.input.reviews_db) else None,  # noqa: F821
                       dataset=snakemake.wildcards.dataset,  # noqa: F821
                       evidence_out=out.evidence, evidence_top_n=p.top_n)
    with open(out.summary, "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2, sort_keys=True)
