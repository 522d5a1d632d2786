"""The cross-validation loop: a registered protocol's splits over several seeds, per-fold and pooled
metrics, out-of-fold probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from spreadwatch.evaluation import protocols as protocol_registry
from spreadwatch.evaluation.metrics import classification_metrics, summary
from spreadwatch.evaluation.protocols import Split
from spreadwatch.models.estimators import SpreadClassifier


def make_splits(
    protocol: str,
    y: np.ndarray,
    seed: int,
    groups: np.ndarray | None = None,
    times: np.ndarray | None = None,
    assignment: np.ndarray | None = None,
) -> list[Split]:
    """Index splits of a registered protocol (``spreadwatch.evaluation.protocols``): ``groups`` for the
    event-grouped ones, ``times`` for time_split, ``assignment`` (train/dev/test) for event_separated."""
    return protocol_registry.make_splits(protocol, y, seed, groups=groups, times=times, assignment=assignment)


def evaluate(
    X: pd.DataFrame,
    y: pd.Series,
    *,
    task: str,
    protocol: str,
    model: str,
    seeds: list[int],
    groups: pd.Series | None = None,
    times: pd.Series | None = None,
    make_classifier=None,
    assignment: pd.Series | None = None,
    text_groups: pd.Series | None = None,
    fit_params: dict | None = None,
) -> tuple[dict, pd.DataFrame]:
    """Run a protocol; return (metrics record, out-of-fold probabilities).

    ``assignment`` is the fixed train/dev/test label per row (event_separated); ``text_groups`` one id
    per normalised claim text: same-text rows never straddle a train/test boundary (grouped protocols
    union them into the events, the others drop the test-side duplicates), and the record's
    ``duplicate_texts`` counts the straddling test rows before and after (summed over seeds and folds).
    ``fit_params`` go to every ``fit`` (side data such as ``models.CascadeSideData``: ``{"side": ...}``).
    Raises ``ProtocolNotApplicable`` when the protocol's preconditions fail.

    Metrics are computed per test fold and summarised as ``{mean, sd, n}`` over all (seed, fold)
    pairs; ``pooled`` holds the metrics over each seed's whole out-of-fold test set, summarised over
    seeds. The probability table (index as X, one column per seed) is the mean positive-class
    probability where a row was tested (binary tasks).
    """
    make_classifier = make_classifier or (lambda seed: SpreadClassifier(model=model, random_state=seed))
    y_arr = np.asarray(y)
    classes = np.unique(y_arr)
    per_fold: dict[str, list[float]] = {}
    pooled: dict[str, list[float]] = {}
    oof = pd.DataFrame(index=X.index)
    n_train = n_test = 0
    spec = protocol_registry.get(protocol)
    side = {
        "groups": None if groups is None else np.asarray(groups),
        "times": None if times is None else np.asarray(times),
        "assignment": None if assignment is None else np.asarray(assignment, dtype=object),
    }
    text_arr = None if text_groups is None else np.asarray(text_groups, dtype=object)
    notes: list[str] = []
    straddle = {"before": {"test_rows": 0, "text_groups": 0}, "after": {"test_rows": 0, "text_groups": 0}}
    for seed in seeds:
        plan = spec.plan(y_arr, seed, text_groups=text_arr, **side)
        splits = plan.splits
        if plan.note and plan.note not in notes:
            notes.append(plan.note)
        if text_arr is not None:
            for when, these in (("before", spec.plan(y_arr, seed, **side).splits), ("after", splits)):
                for key, value in protocol_registry.straddle_counts(these, text_arr).items():
                    straddle[when][key] += value
        seed_proba = np.full((len(y_arr), len(classes)), np.nan)
        for split in splits:
            classifier = make_classifier(seed)
            classifier.fit(X.iloc[split.train], y_arr[split.train], **(fit_params or {}))
            proba = np.zeros((len(split.test), len(classes)))
            fitted = classifier.predict_proba(X.iloc[split.test])
            for k, label in enumerate(classifier.classes_):
                proba[:, np.searchsorted(classes, label)] = fitted[:, k]
            seed_proba[split.test] = proba
            for key, value in classification_metrics(y_arr[split.test], proba, classes).items():
                per_fold.setdefault(key, []).append(value)
            n_train, n_test = len(split.train), len(split.test)
        tested = ~np.isnan(seed_proba[:, 0])
        for key, value in classification_metrics(y_arr[tested], seed_proba[tested], classes).items():
            pooled.setdefault(key, []).append(value)
        if len(classes) == 2:
            oof[f"seed_{seed}"] = seed_proba[:, 1]
    record = {
        "task": task,
        "protocol": protocol,
        "model": model,
        "n_train": int(n_train),
        "n_test": int(n_test),
        "n_rows": int(len(y_arr)),
        "classes": [str(c) for c in classes],
        "class_counts": {str(c): int((y_arr == c).sum()) for c in classes},
        "features": list(X.columns),
        "metrics": {key: summary(values) for key, values in sorted(per_fold.items())},
        "pooled": {key: summary(values) for key, values in sorted(pooled.items())},
        "seeds": list(seeds),
        "protocol_kind": spec.kind,
    }
    if notes:
        record["protocol_note"] = "; ".join(notes)
    if text_arr is not None:
        record["duplicate_texts"] = {
            **straddle,
            "basis": "test rows sharing a normalised claim text with a training/dev row, summed over seeds and folds",
            "handling": "same-text rows unioned into the event groups"
            if spec.grouped
            else "test rows with a training-side duplicate dropped",
        }
    return record, oof
