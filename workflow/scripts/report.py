"""Snakemake script: the self-contained HTML report (spreadwatch.report)."""
import glob
from pathlib import Path

from spreadwatch.report import build_report
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    i, out = snakemake.input, snakemake.output  # noqa: F821
    rank_metrics = sorted(glob.glob(str(Path(i.rank_summary).parent / "rank__*.json")))
    build_report(
        snakemake.wildcards.dataset, out.html, Path(out.roc_bot).parent, i.datacard,  # noqa: F821
        list(i.metrics) + rank_metrics, i.account_scores, i.cascade_scores, i.account_features,
        i.ranked_accounts, i.ranked_domains, config=dict(snakemake.params.config),  # noqa: F821
    )
