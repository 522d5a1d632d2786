"""Early-detection stage: one (protocol, model) trained and tested at every cut-off."""

from __future__ import annotations

import logging

import pandas as pd

from spreadwatch import features, models
from spreadwatch.evaluation.cascade_inputs import (
    cascade_fold_inputs,
    cascade_model_factory,
    protocol_rows,
    protocol_side_data,
)
from spreadwatch.evaluation.cutoffs import parse_cutoff
from spreadwatch.evaluation.truth import cascade_target
from spreadwatch.ingest import read_canonical

log = logging.getLogger(__name__)


def run_early_detection(
    features_path,
    early_features_path,
    canonical_dir,
    protocol: str,
    model: str,
    seeds: list[int],
    out_json,
    target: str = "is_misinformation",
    text_cache_dir=None,
    metrics=("accuracy", "roc_auc", "f1"),
    engager_bag: bool = False,
    root_history: bool = True,
) -> dict:
    """Early-detection metrics of one (protocol, model), written as ``cascade_early__{protocol}__{model}``.

    For each cut-off the model is trained and tested on the features of the engagements seen by then
    (training cascades' full participation still counts for the engager history: they are past data).
    Leakage baselines see only the source, so their numbers are the same at every cut-off. The record is
    the full-cascade record (task ``cascade_early``) plus ``metrics_by_cutoff``: ``{cutoff: {metric:
    {mean, sd, n}}}`` over the whole test set of each seed (``pooled``)."""
    full = pd.read_parquet(features_path).set_index("cascade_id")
    early = pd.read_parquet(early_features_path)
    tables = read_canonical(canonical_dir, ("cascades", "engagements"))
    cascades = tables["cascades"].set_index("cascade_id")
    labels = cascade_target(tables["cascades"], target).reindex(full.index)
    groups = cascades["event_id"].reindex(full.index)
    times = cascades["created_at"].reindex(full.index)
    side = protocol_side_data("cascade", canonical_dir, full.index, text_cache_dir)
    known = labels.notna() & protocol_rows(protocol, groups, times, side["assignment"])
    y = labels[known].astype(str)
    split_args = {
        "groups": groups[known].astype(str),
        "times": times[known].astype("int64"),
        **{name: None if value is None else value[known] for name, value in side.items()},
    }

    def run(table, make_classifier, fit_params=None):
        record, _ = models.evaluate(
            table.loc[y.index],
            y,
            task="cascade_early",
            protocol=protocol,
            model=model,
            seeds=seeds,
            make_classifier=make_classifier,
            fit_params=fit_params,
            **split_args,
        )
        return record

    def pick(record):
        return {m: record["pooled"][m] for m in metrics if m in record["pooled"]}

    if model in models.BASELINES:
        inputs = models.baseline_inputs(tables["cascades"], tables["engagements"]).reindex(full.index)
        record = run(inputs, lambda seed: models.make_baseline(model, seed))
        by_cutoff = {name: pick(record) for name in early["cutoff"].unique()}
    else:
        settings = {"engager_bag": engager_bag, "root_history": root_history}  # the headline model's settings
        record = run(full, *cascade_model_factory(model, canonical_dir, text_cache_dir, **settings))
        by_cutoff = {}
        from spreadwatch.progress import progress

        for name, part in progress(
            list(early.groupby("cutoff", sort=False)), "early detection: cut-offs", unit="cut-off"
        ):
            table = part.drop(columns="cutoff").set_index("cascade_id")
            table = table.loc[:, table.notna().any()]
            seen = features.truncate_engagements(tables["engagements"], **parse_cutoff(name))
            factory = cascade_model_factory(
                model,
                canonical_dir,
                text_cache_dir,
                engagements=seen,
                history_engagements=tables["engagements"],
                **settings,
            )
            by_cutoff[name] = pick(run(table, *factory))
            log.info(
                "early %s %s %s: %s",
                protocol,
                model,
                name,
                {k: round(v["mean"], 4) for k, v in by_cutoff[name].items()},
            )
    by_cutoff["full"] = pick(record)
    if model not in models.BASELINES:
        record["fold_fitted_inputs"] = cascade_fold_inputs(text_cache_dir, engager_bag, root_history)
    models.write_metrics(
        record,
        out_json,
        {
            "target": target,
            "metrics_by_cutoff": by_cutoff,
            "metrics_by_cutoff_basis": "pooled over each seed's test set",
        },
    )
    return record
