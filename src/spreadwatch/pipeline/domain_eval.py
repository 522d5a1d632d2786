"""Domain-evaluation stage: domain rankings against expert credibility ratings."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from spreadwatch import models, ranking
from spreadwatch.evaluation.records import skipped_record
from spreadwatch.ingest import credibility_ratings, read_canonical
from spreadwatch.pipeline._io import usable_cascade_scores

log = logging.getLogger(__name__)


def run_domain_eval(
    canonical_dir, cascade_scores_path, ratings, metrics_dir, ks=(10, 20, 50), lists=("lin_pc1", "iffy_plus")
) -> dict:
    """Evaluate domain rankings against Lin et al. pc1 and Iffy+; writes ``domains__{list}__{ranker}.json``.

    Rankers: ``predicted`` (out-of-fold misinformation probability x reach, ``rank_domains``) and
    ``labelled`` (the given labels' misinformation share x reach: an upper reference). ``lists`` names
    the ratings' score column and list column (synthetic data: ``credibility``, ``low_credibility``).
    A ranker without inputs gets a record with ``skipped`` so every expected file exists.
    ``ratings``: the ratings table, its Parquet file (a dataset's own ``domains`` table), or
    ``[registry_path, data_root]`` of the ``source_credibility`` entry."""
    if isinstance(ratings, (tuple, list)):
        ratings = credibility_ratings(*ratings)
    elif not isinstance(ratings, pd.DataFrame):
        ratings = pd.read_parquet(ratings)
    tables = read_canonical(canonical_dir, ("cascades", "engagements"))
    cascades = tables["cascades"]
    rankings = {}
    scores = usable_cascade_scores(cascade_scores_path)
    if len(scores) and scores["misinfo_probability"].notna().any():
        rankings["predicted"] = ranking.rank_domains(cascades, scores, tables["engagements"])
    given = cascades[["cascade_id"]].assign(
        misinfo_probability=cascades["is_misinformation"].astype("boolean").astype("Float64").astype(float)
    )
    if given["misinfo_probability"].notna().any():
        rankings["labelled"] = ranking.rank_domains(cascades, given, tables["engagements"])
    summary = {}
    for ranker in ("predicted", "labelled"):
        if ranker in rankings:
            by_list = ranking.domain_evaluation(
                rankings[ranker], ratings, ks, score_column=lists[0], list_column=lists[1]
            )
        else:
            reason = "no usable misinformation predictions" if ranker == "predicted" else "no cascade labels"
            by_list = {name: skipped_record("domains", name, ranker, reason).to_dict() for name in lists}
        for list_name, record in by_list.items():
            record["model"] = ranker
            models.write_metrics(record, Path(metrics_dir) / f"domains__{list_name}__{ranker}.json")
            summary[f"{list_name}/{ranker}"] = {k: record["metrics"].get(k) for k in ("spearman", "precision_at_k")}
    log.info("domain evaluation: %s", summary)
    return summary
