"""Explanations: per-row feature contributions of a fitted ``SpreadClassifier`` (the change in predicted
probability when a feature is replaced by its training median), so every score comes with reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd

from spreadwatch.models.estimators import SpreadClassifier

_EXPLAIN_BATCH = 200_000


def explain(model: SpreadClassifier, X: pd.DataFrame, positive_index: int = 1, top: int = 3) -> pd.DataFrame:
    """Per-row top feature contributions to the positive-class probability.

    Contribution of feature j = p(x) - p(x with feature j set to its training median). Columns out
    (same index as X): ``reason_{i}_feature``, ``reason_{i}_effect`` for i = 1..top, ordered by
    |effect|; positive effects push towards the positive class.
    """
    matrix = model._matrix(X)
    base = model.estimator_.predict_proba(matrix)[:, positive_index]
    effects = np.zeros_like(matrix)
    # Only rows whose value differs from the median can change (their effect is exactly 0 otherwise);
    # the perturbed rows of several features are stacked into one predict_proba call of at most
    # ``_EXPLAIN_BATCH`` rows, so the number of calls (and their overhead) no longer grows with features.
    batch_rows, batch_at = [], []
    pending = 0

    def flush():
        if batch_rows:
            proba = model.estimator_.predict_proba(np.concatenate(batch_rows))[:, positive_index]
            offset = 0
            for rows, j in batch_at:
                effects[rows, j] = base[rows] - proba[offset : offset + len(rows)]
                offset += len(rows)
            batch_rows.clear()
            batch_at.clear()

    from spreadwatch.progress import progress

    for j, median in progress(list(enumerate(model.medians_)), "explain: features", unit="feature"):
        rows = np.flatnonzero(~(matrix[:, j] == median))
        for start in range(0, len(rows), _EXPLAIN_BATCH):
            chunk = rows[start : start + _EXPLAIN_BATCH]
            changed = matrix[chunk]
            changed[:, j] = median
            batch_rows.append(changed)
            batch_at.append((chunk, j))
            pending += len(chunk)
            if pending >= _EXPLAIN_BATCH:
                flush()
                pending = 0
    flush()
    order = np.argsort(-np.abs(effects), axis=1)[:, :top]
    names = np.asarray(model.feature_names_in_)
    out = pd.DataFrame(index=X.index)
    for i in range(top):
        out[f"reason_{i + 1}_feature"] = names[order[:, i]]
        out[f"reason_{i + 1}_effect"] = np.take_along_axis(effects, order[:, i : i + 1], axis=1)[:, 0]
    return out
