"""Snakemake script: the self-contained HTML report (spreadwatch.report), from declared inputs only."""

from pathlib import Path

from spreadwatch.report import build_report
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    i, out = snakemake.input, snakemake.output  # noqa: F821
    build_report(
        snakemake.wildcards.dataset,
        out.html,
        Path(out.roc_bot).parent,
        i.datacard,  # noqa: F821
        [*i.metrics, *i.ranking_metrics, *i.planted],
        i.account_scores,
        i.cascade_scores,
        i.account_features,
        i.ranked_accounts,
        i.ranked_domains,
        config=dict(snakemake.params.config),  # noqa: F821
        top_n=snakemake.params.top_n,
        evidence_path=i.evidence,
        model_dir=Path(i.bot_model).parent,  # noqa: F821
        early_detection_png=i.early_detection[0] if len(i.early_detection) else None,
        run_stats_path=i.get("run_stats"),
    )
    if not Path(out.dismantling).exists():  # datasets without engagement times have no two-window curve
        from spreadwatch.report import placeholder_figure

        placeholder_figure("no two-window evaluation for this dataset", out.dismantling)
