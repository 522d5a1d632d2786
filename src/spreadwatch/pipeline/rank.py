"""Rank stage: ranked accounts and domains, and precision@k where ground truth exists."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch import evidence, graphs, models, ranking
from spreadwatch.evaluation import records
from spreadwatch.evaluation.records import skipped_record
from spreadwatch.evaluation.truth import planted_sources
from spreadwatch.ingest import read_canonical
from spreadwatch.reviews import (
    apply_reviews,
    merge_reviews,
    read_reviews,
    read_reviews_db,
    review_exclusions,
)
from spreadwatch.safe_csv import write_csv

log = logging.getLogger(__name__)


def model_reason_text(scores: pd.DataFrame) -> pd.Series:
    """'feature up/down' text of the top two model reasons per account (index account_id)."""
    if "reason_1_feature" not in scores:
        return pd.Series(dtype="string")
    texts = {}
    for row in scores.itertuples(index=False):
        parts = []
        for i in (1, 2):
            name, effect = getattr(row, f"reason_{i}_feature"), getattr(row, f"reason_{i}_effect")
            if isinstance(name, str) and effect == effect and abs(effect) >= 0.01:
                parts.append(f"{name} {'raises' if effect > 0 else 'lowers'} it by {abs(effect):.2f}")
        texts[row.account_id] = ", ".join(parts)
    return pd.Series(texts, dtype="string")


PLANTED_RANKERS = ("combined", "total_retweets", "followers", "fib")  # the files rank__planted_sources__* of run_rank


def run_rank(
    canonical_dir,
    account_scores_path,
    cascade_scores_path,
    coordination_path,
    ranked_accounts_out,
    ranked_domains_out,
    metrics_dir,
    weights: dict | None = None,
    ks=(10, 50, 100),
    reviews_path=None,
    reviews_db_path=None,
    dataset=None,
    summary_out=None,
    reshares_path=None,
    evidence_out=None,
    evidence_top_n: int = 50,
) -> dict:
    """Rank accounts and domains; write the ranked CSVs and rank metrics where ground truth exists
    (a skipped ``rank__planted_sources__*`` record where none does), with ``summary_out`` the precision@k
    summary per ordering (JSON; ``{}`` without ground truth), and with ``evidence_out`` the evidence of the
    first ``evidence_top_n`` accounts for the report (``evidence.account_evidence``). ``reshares_path`` is
    the graphs stage's reshare edges (``graphs.reshare_edges``, derived here only when not given).

    With a reviews file, ``review_status`` / ``reviewer`` columns are added, dismissed accounts go
    to the bottom and confirmed accounts count as true sources for precision@k. The review desk's
    database (``reviews_db_path``, verdicts of ``dataset``) is read as well; the latest verdict wins."""
    tables = read_canonical(canonical_dir, ("accounts", "cascades", "engagements"))
    account_scores = pd.read_parquet(account_scores_path)
    cascade_scores = pd.read_parquet(cascade_scores_path)
    reshares = (
        pd.read_parquet(reshares_path)
        if reshares_path
        else graphs.reshare_edges(tables["cascades"], tables["engagements"])
    )
    coordination = pd.read_parquet(coordination_path)
    components = ranking.account_components(
        tables["cascades"],
        tables["engagements"],
        cascade_scores,
        account_scores,
        coordination,
        edges=reshares,
    )
    ranked = ranking.rank_accounts(components, weights, model_reason_text(account_scores))
    accounts = tables["accounts"].set_index("account_id")
    for column in ("screen_name", "name", "label"):
        ranked[column] = ranked["account_id"].map(accounts[column]).astype("string")
    # a missing bot probability stays missing (not scored), shown with its source
    by_account = account_scores.assign(account_id=account_scores["account_id"].astype(str)).set_index("account_id")
    ranked["bot_probability"] = ranked["account_id"].astype(str).map(by_account["bot_probability"]).astype(float)
    sources = (
        by_account["score_source"]
        if "score_source" in by_account
        else pd.Series(
            np.where(by_account["bot_probability"].notna(), "in_domain_model", "not_scored"), index=by_account.index
        )
    )
    ranked["bot_score_source"] = ranked["account_id"].astype(str).map(sources).fillna("not_scored").astype("string")
    reviews = merge_reviews(read_reviews(reviews_path), read_reviews_db(reviews_db_path, dataset))
    ranked = apply_reviews(ranked, reviews)
    Path(ranked_accounts_out).parent.mkdir(parents=True, exist_ok=True)
    write_csv(ranked, ranked_accounts_out, float_format="%.6g")
    domains = ranking.rank_domains(tables["cascades"], cascade_scores, tables["engagements"])
    write_csv(domains, ranked_domains_out, float_format="%.6g")
    if evidence_out is not None:
        tables["posts"] = read_canonical(canonical_dir, ("posts",))["posts"]
        evidence.write_evidence(
            evidence.account_evidence(ranked, tables, reshares, coordination, top_n=evidence_top_n), evidence_out
        )
    truth = planted_sources(tables["accounts"]) | set(reviews.loc[reviews["verdict"] == "confirmed", "account_id"])
    truth -= review_exclusions(reviews)
    summary = {}
    if truth:
        orderings = {"combined": ranked["account_id"].tolist()}
        for name in ("total_retweets", "followers", "fib"):
            score = ranking.baseline_scores(name, components, tables["accounts"])
            orderings[name] = sorted(score.index, key=lambda account: (-score[account], account))
        base_rate = len(truth) / max(len(components), 1)
        for name, ordered in orderings.items():
            record = {
                "task": "rank",
                "protocol": "planted_sources",
                "model": name,
                "n_train": 0,
                "n_test": len(ordered),
                "n_truth": len(truth),
                "metrics": {
                    "precision_at_k": ranking.precision_at_k(ordered, truth, ks),
                    "r_precision": ranking.r_precision(ordered, truth),
                    "max_precision_at_k": {str(k): min(1.0, len(truth) / k) for k in ks},
                    "random_expectation": base_rate,
                },
                "seeds": [],
            }
            models.write_metrics(record, Path(metrics_dir) / f"rank__planted_sources__{name}.json")
            summary[name] = record["metrics"]["precision_at_k"]
        log.info("precision@k against %d planted sources (random %.3f): %s", len(truth), base_rate, summary)
    else:
        for name in PLANTED_RANKERS:
            records.write(
                skipped_record("rank", "planted_sources", name, "no planted sources or confirmed reviews"),
                Path(metrics_dir) / f"rank__planted_sources__{name}.json",
            )
    if summary_out is not None:
        with open(summary_out, "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=2, sort_keys=True)
    return summary
