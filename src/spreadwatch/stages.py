"""Stage runners: file in, file out. The Snakemake scripts and the CLI call these; they know nothing of Snakemake.

Each runner reads the previous stage's Parquet/JSON files, calls the plain functions of the stage
module and writes its outputs deterministically (sorted rows, seeded models).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch import features, graphs, models, ranking
from spreadwatch.ingest import read_canonical

log = logging.getLogger(__name__)

TRUTH_SOURCE_KINDS = ("news_lowcred", "human_misinfo_seeder")


def _write(frame: pd.DataFrame, path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)


# ---- graphs ---------------------------------------------------------------------------------------
def run_graphs(canonical_dir: str | Path, edges_out: str | Path, network_out: str | Path,
               coordination_out: str | Path, window_s: float = 60.0) -> None:
    """Account retweet network (edges + per-account metrics) and co-engagement pairs."""
    tables = read_canonical(canonical_dir, ("cascades", "engagements"))
    edges = graphs.account_edges(tables["engagements"], tables["cascades"])
    network = graphs.retweet_network(tables["engagements"], tables["cascades"])
    log.info("retweet network: %d accounts, %d edges", network.number_of_nodes(), network.number_of_edges())
    metrics = graphs.account_network_metrics(network)
    pairs = graphs.co_engagement_pairs(tables["engagements"], window_s=window_s)
    log.info("co-engagement pairs within %.0f s: %d", window_s, len(pairs))
    _write(edges, edges_out)
    _write(metrics, network_out)
    _write(pairs, coordination_out)


# ---- features -------------------------------------------------------------------------------------
def run_account_features(canonical_dir, network_path, coordination_path, out_path) -> pd.DataFrame:
    tables = read_canonical(canonical_dir, ("accounts", "posts", "engagements"))
    table = features.account_features(
        tables["accounts"], tables["posts"],
        network_metrics=pd.read_parquet(network_path),
        coordination=pd.read_parquet(coordination_path),
        engagements=tables["engagements"],
    )
    log.info("account features: %d accounts x %d features", *table.shape)
    _write(table.reset_index(), out_path)
    return table


def run_cascade_features(canonical_dir, account_features_path, account_scores_path, out_path,
                         cutoff_s: float | None = None) -> pd.DataFrame:
    tables = read_canonical(canonical_dir, ("cascades", "engagements"))
    account_table = pd.read_parquet(account_features_path).set_index("account_id")
    scores = pd.read_parquet(account_scores_path).set_index("account_id")["bot_probability"].dropna()
    table = features.cascade_features(
        tables["cascades"], tables["engagements"], account_table, scores, cutoff_s=cutoff_s
    )
    log.info("cascade features: %d cascades x %d features", *table.shape)
    _write(table.reset_index(), out_path)
    return table


# ---- models ---------------------------------------------------------------------------------------
def _labelled_accounts(features_path, canonical_dir):
    table = pd.read_parquet(features_path).set_index("account_id")
    accounts = read_canonical(canonical_dir, ("accounts",))["accounts"].set_index("account_id")
    labels = accounts["label"].reindex(table.index)
    return table, labels


def cascade_target(cascades: pd.DataFrame, target: str) -> pd.Series:
    """The cascade label to learn: ``is_misinformation`` (binary) or ``label`` (dataset classes)."""
    series = cascades.set_index("cascade_id")[target]
    if target == "is_misinformation":
        return series.astype("boolean").map({True: "misinformation", False: "other"}).astype("string")
    return series.astype("string")


def run_evaluate(task: str, features_path, canonical_dir, protocol: str, model: str, seeds: list[int],
                 out_json, target: str = "is_misinformation") -> dict:
    """Evaluate one (task, protocol, model) and write its metrics JSON."""
    if task == "bot":
        table, labels = _labelled_accounts(features_path, canonical_dir)
        groups = times = None
    else:
        table = pd.read_parquet(features_path).set_index("cascade_id")
        cascades = read_canonical(canonical_dir, ("cascades",))["cascades"].set_index("cascade_id")
        labels = cascade_target(cascades.reset_index(), target).reindex(table.index)
        groups = cascades["event_id"].reindex(table.index)
        times = cascades["created_at"].reindex(table.index)
    known = labels.notna()
    if protocol == "event_5fold" and groups is not None:
        known &= groups.notna()
    if protocol == "time_split" and times is not None:
        known &= times.notna()
    make_classifier = None
    if model in models.BASELINES:
        if task != "cascade":
            raise ValueError(f"{model} is a cascade leakage baseline")
        engagements = read_canonical(canonical_dir, ("engagements",))["engagements"]
        inputs = models.baseline_inputs(cascades.reset_index(), engagements).reindex(table.index)
        if model == "source_time_only":
            known &= inputs["source_time_s"].notna()
        table = inputs
        make_classifier = lambda seed: models.make_baseline(model, seed)  # noqa: E731
    X, y = table[known], labels[known].astype(str)
    if y.nunique() < 2 or y.value_counts().min() < 5:
        record = {"task": task, "protocol": protocol, "model": model, "n_train": 0, "n_test": 0,
                  "metrics": {}, "seeds": seeds,
                  "skipped": f"needs two classes with >= 5 labelled rows each; have {y.value_counts().to_dict()}"}
        models.write_metrics(record, out_json)
        return record
    record, _ = models.evaluate(
        X, y, task=task, protocol=protocol, model=model, seeds=seeds,
        groups=None if groups is None else groups[known].astype(str),
        times=None if times is None else times[known].astype("int64"),
        make_classifier=make_classifier,
    )
    models.write_metrics(record, out_json, {"target": target if task == "cascade" else "label"})
    log.info("%s %s %s: %s", task, protocol, model,
             {k: round(v["mean"], 4) for k, v in record["metrics"].items() if k in ("roc_auc", "accuracy", "f1")})
    return record


def _positive_class(task: str, classes: np.ndarray) -> int:
    wanted = {"bot": "bot", "cascade": "misinformation"}[task]
    hits = np.flatnonzero(classes == wanted)
    return int(hits[0]) if len(hits) else len(classes) - 1


def run_score(task: str, features_path, canonical_dir, model: str, seed: int, scores_out, model_out,
              target: str = "is_misinformation") -> pd.DataFrame:
    """Score every row: out-of-fold probabilities for labelled rows (5-fold), a model fitted on all
    labelled rows for the rest; explanations from the full model. Writes scores and the skops model."""
    key = "account_id" if task == "bot" else "cascade_id"
    if task == "bot":
        table, labels = _labelled_accounts(features_path, canonical_dir)
    else:
        table = pd.read_parquet(features_path).set_index("cascade_id")
        cascades = read_canonical(canonical_dir, ("cascades",))["cascades"]
        labels = cascade_target(cascades, target).reindex(table.index)
    score_name = "bot_probability" if task == "bot" else "misinfo_probability"
    out = pd.DataFrame(index=table.index)
    out["label"] = labels.astype("string")
    out[score_name] = np.nan
    known = labels.notna()
    y = labels[known].astype(str)
    if y.nunique() >= 2 and y.value_counts().min() >= 5:
        full = models.SpreadClassifier(model=model, random_state=seed).fit(table[known], y)
        positive = _positive_class(task, full.classes_)
        positive_label = full.classes_[positive]
        # out-of-fold probabilities for labelled rows, so scores never come from a model that saw the row
        for split in models.make_splits("stratified_5fold", y.to_numpy(), seed):
            fold = models.SpreadClassifier(model=model, random_state=seed).fit(table[known].iloc[split.train], y.iloc[split.train])
            proba = fold.predict_proba(table[known].iloc[split.test])
            column = int(np.flatnonzero(fold.classes_ == positive_label)[0])
            out.loc[y.index[split.test], score_name] = proba[:, column]
        unknown = ~known
        if unknown.any():
            out.loc[unknown, score_name] = full.predict_proba(table[unknown])[:, positive]
        reasons = models.explain(full, table, positive_index=positive)
        out = out.join(reasons)
        models.save_model(full, model_out)
        card = {"task": task, "model": model, "seed": seed, "positive_class": str(positive_label),
                "features": list(full.feature_names_in_), "n_labelled": int(known.sum()),
                "class_counts": {str(k): int(v) for k, v in y.value_counts().sort_index().items()}}
    else:
        card = {"task": task, "model": model, "skipped": "not enough labels to train"}
    Path(model_out).parent.mkdir(parents=True, exist_ok=True)
    if not Path(model_out).exists():
        Path(model_out).write_bytes(b"")
    Path(str(model_out) + ".json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    out = out.reset_index().rename(columns={"index": key}).sort_values(key, kind="stable")
    _write(out, scores_out)
    return out


# ---- ranking --------------------------------------------------------------------------------------
def planted_sources(accounts: pd.DataFrame) -> set[str]:
    """Ground-truth misinformation sources where a dataset plants them (synthetic account kinds)."""
    kinds = accounts["account_kind"].astype("string")
    return set(accounts.loc[kinds.isin(TRUTH_SOURCE_KINDS).fillna(False).astype(bool), "account_id"].astype(str))


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


def run_rank(canonical_dir, account_scores_path, cascade_scores_path, coordination_path,
             ranked_accounts_out, ranked_domains_out, metrics_dir, weights: dict | None = None,
             ks=(10, 50, 100)) -> dict:
    """Rank accounts and domains; write the ranked CSVs and rank metrics where ground truth exists."""
    tables = read_canonical(canonical_dir, ("accounts", "cascades", "engagements"))
    account_scores = pd.read_parquet(account_scores_path)
    cascade_scores = pd.read_parquet(cascade_scores_path)
    components = ranking.account_components(
        tables["cascades"], tables["engagements"], cascade_scores, account_scores,
        pd.read_parquet(coordination_path),
    )
    ranked = ranking.rank_accounts(components, weights, model_reason_text(account_scores))
    accounts = tables["accounts"].set_index("account_id")
    for column in ("screen_name", "name", "label"):
        ranked[column] = ranked["account_id"].map(accounts[column]).astype("string")
    Path(ranked_accounts_out).parent.mkdir(parents=True, exist_ok=True)
    ranked.to_csv(ranked_accounts_out, index=False, float_format="%.6g")
    domains = ranking.rank_domains(tables["cascades"], cascade_scores, tables["engagements"])
    domains.to_csv(ranked_domains_out, index=False, float_format="%.6g")
    truth = planted_sources(tables["accounts"])
    summary = {}
    if truth:
        orderings = {"combined": ranked["account_id"].tolist()}
        for name in ("total_retweets", "followers", "fib"):
            score = ranking.baseline_scores(name, components, tables["accounts"])
            orderings[name] = sorted(score.index, key=lambda account: (-score[account], account))
        base_rate = len(truth) / max(len(components), 1)
        for name, ordered in orderings.items():
            record = {
                "task": "rank", "protocol": "planted_sources", "model": name,
                "n_train": 0, "n_test": len(ordered), "n_truth": len(truth),
                "metrics": {"precision_at_k": ranking.precision_at_k(ordered, truth, ks),
                            "r_precision": ranking.r_precision(ordered, truth),
                            "max_precision_at_k": {str(k): min(1.0, len(truth) / k) for k in ks},
                            "random_expectation": base_rate},
                "seeds": [],
            }
            models.write_metrics(record, Path(metrics_dir) / f"rank__planted_sources__{name}.json")
            summary[name] = record["metrics"]["precision_at_k"]
        log.info("precision@k against %d planted sources (random %.3f): %s", len(truth), base_rate, summary)
    return summary
