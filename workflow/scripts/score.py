"""Snakemake script: out-of-fold scores + explanations, and the saved model (spreadwatch.models)."""

from spreadwatch.pipeline.score import run_score
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    p = snakemake.params  # noqa: F821
    run_score(
        p.task,
        snakemake.input.features,
        p.canonical_dir,
        p.model,
        p.seed,  # noqa: F821
        snakemake.output.scores,
        snakemake.output.model,
        target=p.target,  # noqa: F821
        text_cache_dir=p.get("text_cache_dir"),
        engager_bag=bool(p.get("engager_bag", False)),
        root_history=bool(p.get("root_history", True)),
        model_source=p.get("model_source") or "in_domain",
        prior=p.get("prior"),
        credibility=p.get("credibility"),
    )
