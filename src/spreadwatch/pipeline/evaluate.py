"""Evaluate stage: one (task, protocol, model) in, its metrics JSON out."""

from __future__ import annotations

import logging

import pandas as pd

from spreadwatch import models
from spreadwatch.evaluation import records
from spreadwatch.evaluation.cascade_inputs import (
    cascade_fold_inputs,
    cascade_model_factory,
    protocol_rows,
    protocol_side_data,
    text_only_factory,
)
from spreadwatch.evaluation.records import skipped_record
from spreadwatch.evaluation.truth import cascade_target, labelled_accounts
from spreadwatch.ingest import read_canonical

log = logging.getLogger(__name__)


def run_evaluate(
    task: str,
    features_path,
    canonical_dir,
    protocol: str,
    model: str,
    seeds: list[int],
    out_json,
    target: str = "is_misinformation",
    text_cache_dir=None,
    engager_bag: bool = False,
    root_history: bool = True,
) -> dict:
    """Evaluate one (task, protocol, model) and write its metrics JSON.

    Cascade models (logreg/rf/hgb) are ``models.CascadeModel``: the cascade features plus the engager
    history fitted inside each training fold, and claim-title embeddings when ``text_cache_dir`` is given
    and the cascades have titles."""
    if task == "bot":
        table, labels = labelled_accounts(features_path, canonical_dir)
        groups = times = None
    else:
        table = pd.read_parquet(features_path).set_index("cascade_id")
        cascades = read_canonical(canonical_dir, ("cascades",))["cascades"].set_index("cascade_id")
        labels = cascade_target(cascades.reset_index(), target).reindex(table.index)
        groups = cascades["event_id"].reindex(table.index)
        times = cascades["created_at"].reindex(table.index)
    side = protocol_side_data(task, canonical_dir, table.index, text_cache_dir)
    known = labels.notna() & protocol_rows(protocol, groups, times, side["assignment"])
    make_classifier = fit_params = None
    if model in models.BASELINES:
        if task != "cascade":
            raise ValueError(f"{model} is a cascade leakage baseline")
        engagements = read_canonical(canonical_dir, ("engagements",))["engagements"]
        inputs = models.baseline_inputs(cascades.reset_index(), engagements).reindex(table.index)
        if model == "source_time_only":
            known &= inputs["source_time_s"].notna()
        table = inputs
        make_classifier = lambda seed: models.make_baseline(model, seed)  # noqa: E731
    if model in ("bigcn", "botrgcn"):  # torch graph models (models.gnn, docs/gnn.md): same folds, graphs bound in
        from spreadwatch.models import gnn

        graph_tables = read_canonical(canonical_dir, gnn.GNN_INPUT_TABLES[model])
        table, make_classifier, fit_params = gnn.evaluation_setup(task, model, table, graph_tables)
    if task == "cascade" and model in models.MODEL_NAMES:
        make_classifier, fit_params = cascade_model_factory(
            model, canonical_dir, text_cache_dir, engager_bag=engager_bag, root_history=root_history
        )
    if task == "cascade" and model == "text_only":
        made = text_only_factory(canonical_dir, text_cache_dir)
        if made is None:
            return _skipped(task, protocol, model, seeds, out_json, "no claim texts (or text_features off)")
        make_classifier, fit_params = made
    X, y = table[known], labels[known].astype(str)
    if y.nunique() < 2 or y.value_counts().min() < 5:
        return _skipped(
            task,
            protocol,
            model,
            seeds,
            out_json,
            f"needs two classes with >= 5 labelled rows each; have {y.value_counts().to_dict()}",
        )
    try:
        record, _ = models.evaluate(
            X,
            y,
            task=task,
            protocol=protocol,
            model=model,
            seeds=seeds,
            groups=None if groups is None else groups[known].astype(str),
            times=None if times is None else times[known].astype("int64"),
            make_classifier=make_classifier,
            fit_params=fit_params,
            assignment=None if side["assignment"] is None else side["assignment"][known],
            text_groups=None if side["text_groups"] is None else side["text_groups"][known],
        )
    except models.ProtocolNotApplicable as reason:
        return _skipped(task, protocol, model, seeds, out_json, str(reason))
    extra = {"target": target if task == "cascade" else "label"}
    if task == "cascade" and model in models.MODEL_NAMES:
        extra["fold_fitted_inputs"] = cascade_fold_inputs(text_cache_dir, engager_bag, root_history)
    models.write_metrics(record, out_json, extra)
    log.info(
        "%s %s %s: %s",
        task,
        protocol,
        model,
        {k: round(v["mean"], 4) for k, v in record["metrics"].items() if k in ("roc_auc", "accuracy", "f1")},
    )
    return record


def _skipped(task: str, protocol: str, model: str, seeds: list[int], out_json, reason: str) -> dict:
    """Write and return a skipped metrics record (the protocol cannot run on this data, and why)."""
    record = records.write(skipped_record(task, protocol, model, reason, seeds), out_json)
    log.warning("%s %s %s skipped: %s", task, protocol, model, reason)
    return record.to_dict()
