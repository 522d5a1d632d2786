"""Leave-one-dataset-out (BotometerLite's cross-dataset protocol): feature plan and evaluation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from spreadwatch.evaluation import records
from spreadwatch.evaluation.metrics import classification_metrics, summary
from spreadwatch.models.calibration import calibration_metrics
from spreadwatch.models.estimators import SpreadClassifier

LODO_META_COLUMNS = ("account_id", "dataset", "label", "id_kind", "screen_name_key")


def lodo_meta(accounts: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Columns in: canonical accounts (account_id, label; id_kind, screen_name if present). Columns out:
    ``LODO_META_COLUMNS`` (``screen_name_key`` = lower-cased handle), one row per account in input order."""
    return pd.DataFrame(
        {
            "account_id": accounts["account_id"].astype(str).to_numpy(),
            "dataset": dataset,
            "label": accounts["label"].astype("string").to_numpy(),
            "id_kind": accounts["id_kind"].astype("string").to_numpy() if "id_kind" in accounts else pd.NA,
            "screen_name_key": (
                accounts["screen_name"].astype("string").str.lower().to_numpy() if "screen_name" in accounts else pd.NA
            ),
        }
    )


def lodo_feature_plan(
    table: pd.DataFrame, held_out: str, min_shared: float = 0.5, min_present: float = 0.5
) -> tuple[list[str], list[str], list[str]]:
    """Features and training datasets for one held-out dataset.

    A feature is *available* in a dataset when at least ``min_present`` of its rows have it. Training
    datasets that offer fewer than ``min_shared`` of the held-out dataset's available features are left
    out; the features are those available in the held-out dataset and in every training dataset kept.
    Returns (features, training datasets, datasets left out), sorted.
    """
    features = [c for c in table.columns if c not in LODO_META_COLUMNS]
    available = {
        name: {c for c in features if group[c].notna().mean() >= min_present}
        for name, group in table.groupby("dataset", sort=True)
    }
    wanted = available[held_out]
    kept, dropped = [], []
    for name in sorted(available):
        if name == held_out:
            continue
        (kept if len(available[name] & wanted) >= min_shared * max(len(wanted), 1) else dropped).append(name)
    common = set(wanted)
    for name in kept:
        common &= available[name]
    return sorted(common), kept, dropped


def leave_one_dataset_out(
    table: pd.DataFrame,
    held_out: str,
    *,
    model: str,
    seeds: list[int],
    calibration: str | None = None,
    min_shared: float = 0.5,
) -> tuple[dict, pd.DataFrame]:
    """Train on the other datasets, test on ``held_out`` (BotometerLite's cross-dataset protocol).

    Columns in: ``table`` with one row per (dataset, account): ``LODO_META_COLUMNS`` (``dataset`` is the
    label provenance) and portable feature columns (``features.portable_profile_features``). Training
    rows whose ``account_id`` (user ids only) or ``screen_name_key`` also occurs in the held-out dataset
    are removed, so no account is in both train and test. Returns the metrics record (same shape as
    ``evaluate``; ``roc_auc``/``pr_auc`` are null when the held-out dataset has one class) and the
    held-out bot probabilities (one column per seed).
    """
    features, kept, dropped = lodo_feature_plan(table, held_out, min_shared=min_shared)
    labelled = table[table["label"].isin(["bot", "human"])]
    test = labelled[labelled["dataset"] == held_out]
    train = labelled[labelled["dataset"].isin(kept)]
    overlap = np.zeros(len(train), dtype=bool)
    user_ids = set(test.loc[test["id_kind"] == "user_id", "account_id"].astype(str))
    overlap |= (train["id_kind"] == "user_id").to_numpy() & train["account_id"].astype(str).isin(user_ids).to_numpy()
    names = set(test["screen_name_key"].dropna())
    overlap |= train["screen_name_key"].isin(names).fillna(False).to_numpy(dtype=bool)
    train = train[~overlap]
    if len(test) == 0 or train["label"].nunique() < 2:  # e.g. an unlabelled held-out dataset: nothing to test
        reason = (
            f"held-out dataset {held_out!r} has no bot/human labels"
            if len(test) == 0
            else "the training datasets have fewer than two classes"
        )
        record = records.skipped_record(
            "bot",
            "leave_one_dataset_out",
            model,
            reason,
            seeds,
            held_out=held_out,
            calibration=calibration,
            n_train=int(len(train)),
            pooled={},
            features=features,
            train_sources={},
            datasets_left_out=dropped,
        ).to_dict()
        return record, pd.DataFrame(index=pd.Index([], dtype=str))
    classes = np.array(["human", "bot"], dtype=object)  # classification_metrics' positive = classes[1]
    per_seed: dict[str, list[float]] = {}
    proba_table = pd.DataFrame(index=test["account_id"].astype(str).to_numpy())
    y_test = test["label"].astype(str).to_numpy()
    for seed in seeds:
        classifier = SpreadClassifier(model=model, random_state=seed, calibration=calibration)
        classifier.fit(train[features].astype(float), train["label"].astype(str).to_numpy())
        fitted = classifier.predict_proba(test[features].astype(float))
        proba = np.zeros((len(test), 2))
        for k, label in enumerate(classifier.classes_):
            proba[:, int(np.flatnonzero(classes == label)[0])] = fitted[:, k]
        metrics = classification_metrics(y_test, proba, classes)
        metrics.update(calibration_metrics(y_test == "bot", proba[:, 1]))
        for key, value in metrics.items():
            per_seed.setdefault(key, []).append(value)
        proba_table[f"seed_{seed}"] = proba[:, 1]
    per_metric = {key: summary(values) for key, values in sorted(per_seed.items())}
    record = {
        "task": "bot",
        "protocol": "leave_one_dataset_out",
        "model": model,
        "held_out": held_out,
        "calibration": calibration,
        "n_train": int(len(train)),
        "n_test": int(len(test)),
        "n_rows": int(len(train) + len(test)),
        "classes": ["human", "bot"],
        "positive_class": "bot",
        "class_counts": {c: int((y_test == c).sum()) for c in ("bot", "human")},
        "train_sources": {
            name: {c: int(((train["dataset"] == name) & (train["label"] == c)).sum()) for c in ("bot", "human")}
            for name in kept
        },
        "datasets_left_out": dropped,
        "train_rows_removed_as_overlap": int(overlap.sum()),
        "features": features,
        "metrics": per_metric,
        "pooled": per_metric,
        "seeds": list(seeds),
    }
    return record, proba_table
