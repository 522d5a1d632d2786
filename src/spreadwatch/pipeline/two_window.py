"""Two-window stage: rank on window 1, dismantle window 2."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from spreadwatch import models, ranking
from spreadwatch.evaluation import records
from spreadwatch.evaluation.records import skipped_record
from spreadwatch.evaluation.truth import planted_sources
from spreadwatch.ingest import read_canonical
from spreadwatch.pipeline._io import usable_cascade_scores
from spreadwatch.reviews import (
    merge_reviews,
    read_reviews,
    read_reviews_db,
    review_exclusions,
)

log = logging.getLogger(__name__)


def run_two_window(
    canonical_dir,
    account_scores_path,
    cascade_scores_path,
    metrics_dir,
    rankers,
    weights: dict | None = None,
    coordination_window_s: float = 60.0,
    ks=(10, 100, 1000),
    share: float = 0.5,
    reviews_path=None,
    select: bool = True,
    reviews_db_path=None,
    dataset=None,
) -> dict:
    """Rank on window 1, dismantle window 2; write ``rank__two_window__{ranker}.json`` per ranker.

    Dismissed reviews are excluded from every ranking; truth for precision@k = planted sources."""
    tables = read_canonical(canonical_dir, ("accounts", "cascades", "engagements"))
    if "time" not in tables["engagements"] or not tables["engagements"]["time"].notna().any():
        reason = "engagements have no time (e.g. FakeNewsNet share lists): no windows to rank on and dismantle"
        for name in rankers:
            records.write(
                skipped_record("rank", "two_window", name, reason), Path(metrics_dir) / f"rank__two_window__{name}.json"
            )
        log.info("two-window evaluation skipped: %s", reason)
        return {}
    reviews = merge_reviews(read_reviews(reviews_path), read_reviews_db(reviews_db_path, dataset))
    truth = planted_sources(tables["accounts"])
    by_ranker = ranking.two_window_records(
        tables["cascades"],
        tables["engagements"],
        tables["accounts"],
        usable_cascade_scores(cascade_scores_path),
        pd.read_parquet(account_scores_path),
        weights=weights,
        coordination_window_s=coordination_window_s,
        truth=truth or None,
        ks=tuple(ks),
        share=share,
        exclude=review_exclusions(reviews),
        select=select,
    )
    summary = {}
    for name in rankers:
        models.write_metrics(by_ranker[name], Path(metrics_dir) / f"rank__two_window__{name}.json")
        summary[name] = by_ranker[name]["metrics"]
    log.info("two-window removed share at k: %s", {n: m["removed_share_at_k"] for n, m in summary.items()})
    return summary
