"""Models: sklearn-style classifiers, leakage-safe evaluation protocols, explanations, safe persistence.

- ``SpreadClassifier`` wraps a named model (``logreg``, ``rf``, ``hgb``) behind ``fit`` /
  ``predict_proba`` with an explicit ``random_state``; it remembers the feature names it was fitted on.
- ``evaluate`` runs a protocol (``stratified_5fold``, ``random_5fold``, ``event_5fold``, ``time_split``,
  ``upfd_20_10_70``) over several seeds and returns the metrics record written to
  ``results/{dataset}/metrics/{task}__{protocol}__{model}.json`` plus out-of-fold probabilities.
- ``explain`` gives per-row feature contributions (the change in predicted probability when the
  feature is replaced by its training median), so every score comes with reasons.
- ``save_model`` / ``load_model`` use skops (no pickle): loading only accepts the model classes listed in
  ``TRUSTED_TYPES``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, average_precision_score, f1_score, roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from spreadwatch.features import assert_no_leaky_features

MODEL_NAMES = ("logreg", "rf", "hgb")
PROTOCOLS = ("stratified_5fold", "random_5fold", "event_5fold", "time_split", "upfd_20_10_70")


def make_estimator(name: str, random_state: int = 0):
    """A fresh sklearn estimator for a model name."""
    if name == "logreg":
        return make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            StandardScaler(),
            LogisticRegression(max_iter=2000, C=1.0, random_state=random_state),
        )
    if name == "rf":
        return make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            RandomForestClassifier(
                n_estimators=300, min_samples_leaf=2, n_jobs=1, random_state=random_state,
                class_weight="balanced_subsample",
            ),
        )
    if name == "hgb":
        return HistGradientBoostingClassifier(
            max_iter=300, learning_rate=0.06, max_leaf_nodes=31, l2_regularization=1.0,
            early_stopping=False, random_state=random_state,
        )
    raise ValueError(f"unknown model {name!r}; choose one of {MODEL_NAMES}")


class SpreadClassifier(ClassifierMixin, BaseEstimator):
    """A named classifier over a feature table (sklearn API: fit / predict_proba / predict)."""

    def __init__(self, model: str = "hgb", random_state: int = 0):
        self.model = model
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y):
        assert_no_leaky_features(X)
        self.feature_names_in_ = np.asarray(list(X.columns), dtype=object)
        self.estimator_ = make_estimator(self.model, self.random_state)
        self.estimator_.fit(X.to_numpy(dtype=float), np.asarray(y))
        self.classes_ = self.estimator_.classes_
        self.medians_ = X.median(numeric_only=True).reindex(X.columns).fillna(0.0).to_numpy(dtype=float)
        return self

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        missing = [c for c in self.feature_names_in_ if c not in X.columns]
        if missing:
            raise ValueError(f"feature table lacks columns the model was trained on: {missing}")
        return X[list(self.feature_names_in_)].to_numpy(dtype=float)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.estimator_.predict_proba(self._matrix(X))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def explain(model: SpreadClassifier, X: pd.DataFrame, positive_index: int = 1, top: int = 3) -> pd.DataFrame:
    """Per-row top feature contributions to the positive-class probability.

    Contribution of feature j = p(x) - p(x with feature j set to its training median). Columns out
    (same index as X): ``reason_{i}_feature``, ``reason_{i}_effect`` for i = 1..top, ordered by
    |effect|; positive effects push towards the positive class.
    """
    matrix = model._matrix(X)
    base = model.estimator_.predict_proba(matrix)[:, positive_index]
    effects = np.zeros_like(matrix)
    for j, median in enumerate(model.medians_):
        changed = matrix.copy()
        changed[:, j] = median
        effects[:, j] = base - model.estimator_.predict_proba(changed)[:, positive_index]
    order = np.argsort(-np.abs(effects), axis=1)[:, :top]
    names = np.asarray(model.feature_names_in_)
    out = pd.DataFrame(index=X.index)
    for i in range(top):
        out[f"reason_{i + 1}_feature"] = names[order[:, i]]
        out[f"reason_{i + 1}_effect"] = np.take_along_axis(effects, order[:, i : i + 1], axis=1)[:, 0]
    return out


@dataclass
class Split:
    train: np.ndarray
    test: np.ndarray
    val: np.ndarray | None = None


def make_splits(
    protocol: str,
    y: np.ndarray,
    seed: int,
    groups: np.ndarray | None = None,
    times: np.ndarray | None = None,
) -> list[Split]:
    """Index splits of a protocol. ``groups`` for event_5fold, ``times`` for time_split."""
    index = np.arange(len(y))
    if protocol in ("stratified_5fold", "random_5fold"):
        splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
        return [Split(tr, te) for tr, te in splitter.split(index, y)]
    if protocol == "event_5fold":
        if groups is None:
            raise ValueError("event_5fold needs event ids (cascades.event_id)")
        splitter = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed)
        return [Split(tr, te) for tr, te in splitter.split(index, y, groups)]
    if protocol == "time_split":
        if times is None:
            raise ValueError("time_split needs cascade start times (cascades.created_at)")
        order = np.argsort(times, kind="stable")
        cut = int(round(0.7 * len(order)))
        return [Split(np.sort(order[:cut]), np.sort(order[cut:]))]
    if protocol == "upfd_20_10_70":
        train_val, test = train_test_split(index, test_size=0.7, stratify=y, random_state=seed)
        train, val = train_test_split(train_val, test_size=1 / 3, stratify=y[train_val], random_state=seed)
        return [Split(np.sort(train), np.sort(test), np.sort(val))]
    raise ValueError(f"unknown protocol {protocol!r}; choose one of {PROTOCOLS}")


def classification_metrics(y_true: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> dict[str, float]:
    """roc_auc, pr_auc, f1, accuracy (binary: positive = classes[1]; multiclass: macro averages + per-class F1)."""
    predicted = classes[np.argmax(proba, axis=1)]
    metrics = {"accuracy": float(accuracy_score(y_true, predicted))}
    if len(classes) == 2:
        positive = (y_true == classes[1]).astype(int)
        both = positive.min() != positive.max()
        metrics["roc_auc"] = float(roc_auc_score(positive, proba[:, 1])) if both else float("nan")
        metrics["pr_auc"] = float(average_precision_score(positive, proba[:, 1])) if both else float("nan")
        metrics["f1"] = float(f1_score(positive, (predicted == classes[1]).astype(int), zero_division=0))
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


def _summary(values: list[float]) -> dict[str, float]:
    arr = np.asarray([v for v in values if v == v], dtype=float)
    if arr.size == 0:
        return {"mean": float("nan"), "sd": float("nan"), "n": 0}
    return {"mean": float(arr.mean()), "sd": float(arr.std(ddof=1)) if arr.size > 1 else 0.0, "n": int(arr.size)}


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
) -> tuple[dict, pd.DataFrame]:
    """Run a protocol; return (metrics record, out-of-fold probabilities).

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
    for seed in seeds:
        splits = make_splits(
            protocol, y_arr, seed,
            groups=None if groups is None else np.asarray(groups),
            times=None if times is None else np.asarray(times),
        )
        seed_proba = np.full((len(y_arr), len(classes)), np.nan)
        for split in splits:
            classifier = make_classifier(seed)
            classifier.fit(X.iloc[split.train], y_arr[split.train])
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
        "metrics": {key: _summary(values) for key, values in sorted(per_fold.items())},
        "pooled": {key: _summary(values) for key, values in sorted(pooled.items())},
        "seeds": list(seeds),
    }
    return record, oof


def write_metrics(record: dict, path: str | Path, extra: dict | None = None) -> None:
    """Write a metrics record as sorted, indented JSON (NaN written as null)."""
    record = {**record, **(extra or {})}
    text = json.dumps(_nan_to_none(record), indent=2, sort_keys=True)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text + "\n", encoding="utf-8")


def _nan_to_none(value):
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_to_none(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    return value


# ---- safe persistence (skops; never pickle) -------------------------------------------------------
TRUSTED_TYPES = [
    "spreadwatch.models.SpreadClassifier",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn._loss.link.Interval",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.MultinomialLogit",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.loss.HalfMultinomialLoss",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._forest.RandomForestClassifier",
    "sklearn.tree._classes.DecisionTreeClassifier",
    "sklearn.tree._tree.Tree",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "numpy.dtype",
    "builtins.slice",
]


def save_model(model: SpreadClassifier, path: str | Path) -> None:
    """Save with skops (a safe, inspectable format)."""
    import skops.io as sio

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    sio.dump(model, path)


def load_model(path: str | Path) -> SpreadClassifier:
    """Load a skops model, refusing any type outside ``TRUSTED_TYPES``."""
    import skops.io as sio

    untrusted = sio.get_untrusted_types(file=path)
    unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unexpected:
        raise ValueError(f"{path}: refusing to load model with untrusted types {unexpected}")
    return sio.load(path, trusted=untrusted)


# ---- leakage baselines (reported beside every cascade model; never used for scoring) ---------------
BASELINES = ("source_time_only", "source_user_only")


class SourceTimeBaseline(ClassifierMixin, BaseEstimator):
    """Leakage probe: a random forest on the cascade's absolute start time alone (column ``source_time_s``).

    It exists to show how much of a protocol's accuracy the collection period alone explains
    (LEAKAGE_CHECKS.md); it is deliberately exempt from the leakage guard and never used for scoring.
    """

    def __init__(self, random_state: int = 0):
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y):
        self.estimator_ = RandomForestClassifier(n_estimators=300, min_samples_leaf=1, random_state=self.random_state, n_jobs=1)
        self.estimator_.fit(X[["source_time_s"]].to_numpy(dtype=float), np.asarray(y))
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.estimator_.predict_proba(X[["source_time_s"]].to_numpy(dtype=float))


class SourceUserBaseline(ClassifierMixin, BaseEstimator):
    """Leakage probe: label frequencies of other training cascades by the same source account
    (column ``source_user``), Laplace-smoothed towards the training class prior."""

    def __init__(self, smoothing: float = 1.0):
        self.smoothing = smoothing

    def fit(self, X: pd.DataFrame, y):
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        self.prior_ = np.array([(y == c).mean() for c in self.classes_])
        frame = pd.DataFrame({"user": X["source_user"].astype(str).to_numpy(), "y": y})
        counts = pd.crosstab(frame["user"], frame["y"]).reindex(columns=self.classes_, fill_value=0)
        self.counts_ = counts
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        counts = self.counts_.reindex(X["source_user"].astype(str).to_numpy()).fillna(0).to_numpy(dtype=float)
        smoothed = counts + self.smoothing * self.prior_
        return smoothed / smoothed.sum(axis=1, keepdims=True)


def baseline_inputs(cascades: pd.DataFrame, engagements: pd.DataFrame | None = None) -> pd.DataFrame:
    """The baselines' inputs, indexed by cascade_id: ``source_time_s`` (epoch seconds) and ``source_user``
    (the root account; for news-rooted cascades such as UPFD, the earliest engaging account)."""
    table = cascades.set_index("cascade_id")
    created = table["created_at"]
    seconds = (created - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds()
    user = table["root_account_id"].astype("string")
    if engagements is not None and len(engagements) and user.isna().any():
        first = (engagements.sort_values(["cascade_id", "delay_s"], kind="stable")
                 .groupby("cascade_id")["child_account_id"].first().astype("string"))
        user = user.fillna(first.reindex(user.index))
    return pd.DataFrame({"source_time_s": seconds.astype(float), "source_user": user.fillna("<unknown>")})


def make_baseline(name: str, seed: int):
    if name == "source_time_only":
        return SourceTimeBaseline(random_state=seed)
    if name == "source_user_only":
        return SourceUserBaseline()
    raise ValueError(f"unknown baseline {name!r}; choose one of {BASELINES}")
