"""Cross-dataset bot evaluation: portable profiles, leave-one-dataset-out, the summary table."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch import features, models
from spreadwatch.evaluation import records
from spreadwatch.pipeline._io import write_parquet
from spreadwatch.safe_csv import write_csv

log = logging.getLogger(__name__)


def portable_profiles(accounts_by_dataset: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One table of portable profile features for several bot datasets.

    Columns in: each dataset's canonical accounts. The screen-name/name bigram model is fitted once on
    the names of all datasets together, without labels. Columns out: ``models.LODO_META_COLUMNS``
    (``dataset`` = label provenance, ``screen_name_key`` = lower-cased handle for overlap checks) and
    the features of ``features.portable_profile_features``; rows sorted by (dataset, account_id).
    """
    name_model = features.fit_shared_name_model(accounts_by_dataset)
    frames = []
    for name in sorted(accounts_by_dataset):
        accounts = accounts_by_dataset[name]
        table = features.portable_profile_features(accounts, name_model=name_model)
        meta = models.lodo_meta(accounts, name)
        frames.append(pd.concat([meta, table.reset_index(drop=True)], axis=1))
    table = pd.concat(frames, ignore_index=True)
    feature_columns = sorted(c for c in table.columns if c not in models.LODO_META_COLUMNS)
    table = table[list(models.LODO_META_COLUMNS) + feature_columns]
    table[feature_columns] = table[feature_columns].astype(float)
    return table.sort_values(["dataset", "account_id"], kind="stable").reset_index(drop=True)


def run_bot_portable_profiles(datasets: list[str], registry: dict, data_root, out_path) -> pd.DataFrame:
    """Load each dataset with its adapter, keep the rows the validator accepts, write ``portable_profiles``."""
    from spreadwatch.ingest import load_with_adapter, resolve_data_root
    from spreadwatch.schema import validate_tables

    root = resolve_data_root(str(data_root) if data_root else None)
    accounts = {}
    for name in datasets:
        result = load_with_adapter(name, registry[name], root)
        accepted = validate_tables(result.tables, result.source_files).tables["accounts"]
        accounts[name] = accepted
        log.info(
            "%s: %d accounts, labels %s", name, len(accepted), accepted["label"].value_counts(dropna=False).to_dict()
        )
    table = portable_profiles(accounts)
    log.info("portable profiles: %d rows x %d features", len(table), table.shape[1] - len(models.LODO_META_COLUMNS))
    write_parquet(table, out_path)
    return table


def run_bot_leave_one_dataset_out(
    profiles_path,
    held_out: str,
    model: str,
    seeds: list[int],
    out_json,
    calibration: str | None = None,
    min_shared: float = 0.5,
    predictions_out=None,
) -> dict:
    """Leave-one-dataset-out metrics for one held-out dataset and model (``models.leave_one_dataset_out``);
    with ``predictions_out`` also the per-account held-out bot probabilities (Parquet: account_id,
    label, seed_{s} columns) — the evidence a reviewer looks at."""
    table = pd.read_parquet(profiles_path)
    record, proba = models.leave_one_dataset_out(
        table, held_out, model=model, seeds=list(seeds), calibration=calibration, min_shared=min_shared
    )
    if predictions_out is not None:
        labels = table[table["dataset"] == held_out].drop_duplicates("account_id").set_index("account_id")["label"]
        out = proba.rename_axis("account_id").reset_index()
        out.insert(1, "label", out["account_id"].map(labels).astype("string"))
        write_parquet(out.sort_values("account_id", kind="stable"), predictions_out)
    models.write_metrics(record, out_json, {"target": "label"})
    log.info(
        "leave-one-dataset-out %s %s: %s",
        held_out,
        model,
        {k: round(v["mean"], 4) for k, v in record["metrics"].items() if k in ("roc_auc", "accuracy", "f1")},
    )
    return record


def run_bot_cross_dataset_summary(metric_paths: list, out_csv) -> pd.DataFrame:
    """One row per (held-out dataset, model) from the leave-one-dataset-out metrics files, plus a
    ``mean (two-class held-out sets)`` row per model averaging datasets with both classes."""
    rows = []
    for path in sorted(str(p) for p in metric_paths):
        record = records.read(path).to_dict()
        row = {
            "held_out": record["held_out"],
            "model": record["model"],
            "n_train": record["n_train"],
            "n_test": record["n_test"],
            "n_features": len(record["features"]),
            "train_datasets": " ".join(sorted(record["train_sources"])),
        }
        for key in ("roc_auc", "pr_auc", "f1", "accuracy", "brier"):
            value = (record["metrics"].get(key) or {}).get("mean")
            row[key] = np.nan if value is None else float(value)
        rows.append(row)
    table = pd.DataFrame(rows)
    means = []
    for model, group in table.groupby("model", sort=True):
        two_class = group[group["roc_auc"].notna()]
        means.append(
            {
                "held_out": "mean (two-class held-out sets)",
                "model": model,
                "n_test": int(two_class["n_test"].sum()),
                **{k: float(two_class[k].mean()) for k in ("roc_auc", "pr_auc", "f1", "accuracy", "brier")},
            }
        )
    table = pd.concat([table, pd.DataFrame(means)], ignore_index=True)
    table[["n_train", "n_test", "n_features"]] = table[["n_train", "n_test", "n_features"]].astype("Int64")
    Path(out_csv).parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, out_csv, float_format="%.4f")
    return table
