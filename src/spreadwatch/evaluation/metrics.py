"""Classification metrics of a task (the positive class decided by ``positive_index``), their summary over
folds and seeds, and the metrics JSON writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    f1_score,
    roc_auc_score,
)

from spreadwatch.evaluation import records
from spreadwatch.evaluation.records import POSITIVE_LABELS, positive_index  # noqa: F401  (decided once, there)


def classification_metrics(y_true: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> dict[str, float]:
    """roc_auc, pr_auc, f1, accuracy (binary: positive = ``positive_index``, i.e. bot or misinformation;
    multiclass: macro averages + per-class F1)."""
    predicted = classes[np.argmax(proba, axis=1)]
    metrics = {"accuracy": float(accuracy_score(y_true, predicted))}
    if len(classes) == 2:
        k = positive_index(classes)
        positive = (y_true == classes[k]).astype(int)
        both = positive.min() != positive.max()
        metrics["roc_auc"] = float(roc_auc_score(positive, proba[:, k])) if both else float("nan")
        metrics["pr_auc"] = float(average_precision_score(positive, proba[:, k])) if both else float("nan")
        metrics["f1"] = float(f1_score(positive, (predicted == classes[k]).astype(int), zero_division=0))
    else:
        metrics["f1"] = float(f1_score(y_true, predicted, average="macro", labels=classes, zero_division=0))
        present = np.isin(classes, np.unique(y_true))
        if present.all():
            metrics["roc_auc"] = float(roc_auc_score(y_true, proba, multi_class="ovr", labels=classes))
            onehot = (y_true[:, None] == classes[None, :]).astype(int)
            metrics["pr_auc"] = float(average_precision_score(onehot, proba, average="macro"))
        else:
            metrics["roc_auc"] = metrics["pr_auc"] = float("nan")
        for label, score in zip(classes, f1_score(y_true, predicted, average=None, labels=classes, zero_division=0)):
            metrics[f"f1_{label}"] = float(score)
    return metrics


def summary(values: list[float]) -> dict[str, float]:
    """{mean, sd, n} of the non-NaN values (sd with ddof=1; 0 for one value, NaN for none)."""
    arr = np.asarray([v for v in values if v == v], dtype=float)
    if arr.size == 0:
        return {"mean": float("nan"), "sd": float("nan"), "n": 0}
    return {"mean": float(arr.mean()), "sd": float(arr.std(ddof=1)) if arr.size > 1 else 0.0, "n": int(arr.size)}


def write_metrics(record: dict, path: str | Path, extra: dict | None = None) -> None:
    """Write a metrics record (``evaluation.records.write``: validated, sorted JSON, NaN as null)."""
    records.write({**record, **(extra or {})}, path)
