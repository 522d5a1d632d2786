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
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, average_precision_score, f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from spreadwatch.evaluation import protocols as protocol_registry
from spreadwatch.evaluation import records
from spreadwatch.evaluation.records import POSITIVE_LABELS, positive_index  # noqa: F401  (decided once, there)
from spreadwatch.evaluation.protocols import ProtocolNotApplicable, Split  # noqa: F401  (re-exported)
from spreadwatch.features import assert_no_leaky_features

MODEL_NAMES = ("logreg", "rf", "hgb")
PROTOCOLS = protocol_registry.PROTOCOL_NAMES  # the registry in spreadwatch.evaluation.protocols
CALIBRATIONS = ("isotonic", "sigmoid")


def job_threads() -> int:
    """Threads a model may use: the job's ``OMP_NUM_THREADS`` (Snakemake sets it to the rule's ``threads``),
    else 1. Random forests give the same trees whatever the number of threads."""
    import os

    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "1")))
    except ValueError:
        return 1


def make_estimator(name: str, random_state: int = 0):
    """A fresh sklearn estimator for a model name.

    ``{model}_isotonic`` / ``{model}_sigmoid`` (e.g. ``rf_isotonic``) is the model calibrated with
    ``CalibratedClassifierCV`` on inner stratified 3-fold splits of the training rows only.
    ``hgb_small`` is a 5x cheaper gradient boosting (60 trees of 15 leaves) for scoring whole streams
    (bench/bot_scoring.py); on cresci-rtbust-2019 it matches ``hgb``'s ROC AUC.
    """
    base, _, method = name.rpartition("_")
    if method in CALIBRATIONS and base in (*MODEL_NAMES, "hgb_small"):
        inner = StratifiedKFold(n_splits=3, shuffle=True, random_state=random_state)
        return CalibratedClassifierCV(make_estimator(base, random_state), method=method, cv=inner)
    if name == "hgb_small":
        return HistGradientBoostingClassifier(
            max_iter=60, learning_rate=0.15, max_leaf_nodes=15, l2_regularization=1.0,
            early_stopping=False, random_state=random_state,
        )
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
                n_estimators=300, min_samples_leaf=2, n_jobs=job_threads(), random_state=random_state,
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
    """A named classifier over a feature table (sklearn API: fit / predict_proba / predict).

    ``calibration`` (``None``, ``"isotonic"`` or ``"sigmoid"``) wraps the model in
    ``CalibratedClassifierCV`` with an inner stratified 3-fold split of the training rows only, so the
    probabilities are calibrated without ever seeing a test row.
    """

    def __init__(self, model: str = "hgb", random_state: int = 0, calibration: str | None = None):
        self.model = model
        self.random_state = random_state
        self.calibration = calibration

    def fit(self, X: pd.DataFrame, y):
        assert_no_leaky_features(X)
        self.feature_names_in_ = np.asarray(list(X.columns), dtype=object)
        self.estimator_ = make_estimator(self.model, self.random_state)
        if self.calibration is not None:
            if self.calibration not in CALIBRATIONS:
                raise ValueError(f"unknown calibration {self.calibration!r}; choose one of {CALIBRATIONS}")
            inner = StratifiedKFold(n_splits=3, shuffle=True, random_state=self.random_state)
            self.estimator_ = CalibratedClassifierCV(self.estimator_, method=self.calibration, cv=inner)
        # a column with no value in the training rows (e.g. a late-growth feature of tiny early-detection
        # training folds) carries no information; it is set to 0 so every estimator accepts it
        self.empty_columns_ = X.isna().all(axis=0).to_numpy()
        self.estimator_.fit(self._matrix(X), np.asarray(y))
        self.classes_ = self.estimator_.classes_
        self.medians_ = X.median(numeric_only=True).reindex(X.columns).fillna(0.0).to_numpy(dtype=float)
        return self

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        missing = [c for c in self.feature_names_in_ if c not in X.columns]
        if missing:
            raise ValueError(f"feature table lacks columns the model was trained on: {missing}")
        matrix = np.array(X[list(self.feature_names_in_)].to_numpy(dtype=float), copy=True)
        empty = getattr(self, "empty_columns_", None)
        if empty is not None and empty.any():
            matrix[:, empty] = 0.0
        return matrix

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.estimator_.predict_proba(self._matrix(X))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


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
                effects[rows, j] = base[rows] - proba[offset:offset + len(rows)]
                offset += len(rows)
            batch_rows.clear()
            batch_at.clear()

    from spreadwatch.progress import progress

    for j, median in progress(list(enumerate(model.medians_)), "explain: features", unit="feature"):
        rows = np.flatnonzero(~(matrix[:, j] == median))
        for start in range(0, len(rows), _EXPLAIN_BATCH):
            chunk = rows[start:start + _EXPLAIN_BATCH]
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
    assignment: pd.Series | None = None,
    text_groups: pd.Series | None = None,
) -> tuple[dict, pd.DataFrame]:
    """Run a protocol; return (metrics record, out-of-fold probabilities).

    ``assignment`` is the fixed train/dev/test label per row (event_separated); ``text_groups`` one id
    per normalised claim text: same-text rows never straddle a train/test boundary (grouped protocols
    union them into the events, the others drop the test-side duplicates), and the record's
    ``duplicate_texts`` counts the straddling test rows before and after (summed over seeds and folds).
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
    side = {"groups": None if groups is None else np.asarray(groups),
            "times": None if times is None else np.asarray(times),
            "assignment": None if assignment is None else np.asarray(assignment, dtype=object)}
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
        "protocol_kind": spec.kind,
    }
    if notes:
        record["protocol_note"] = "; ".join(notes)
    if text_arr is not None:
        record["duplicate_texts"] = {
            **straddle, "basis": "test rows sharing a normalised claim text with a training/dev row, summed over "
                                 "seeds and folds",
            "handling": "same-text rows unioned into the event groups" if spec.grouped
            else "test rows with a training-side duplicate dropped"}
    return record, oof


def write_metrics(record: dict, path: str | Path, extra: dict | None = None) -> None:
    """Write a metrics record (``evaluation.records.write``: validated, sorted JSON, NaN as null)."""
    records.write({**record, **(extra or {})}, path)


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
    # calibrated bot models (SpreadClassifier(calibration=...))
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.model_selection._split.StratifiedKFold",
]


def save_model(model: SpreadClassifier, path: str | Path) -> None:
    """Save with skops (a safe, inspectable format)."""
    import skops.io as sio

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(_reproducible_skops(sio.dumps(model)))


def _reproducible_skops(data: bytes) -> bytes:
    """Re-pack a skops zip byte-reproducibly: skops names arrays and nodes by Python ``id()`` and stamps
    the wall-clock time, so ids are renumbered in schema order, entries sorted, timestamps fixed."""
    import io
    import zipfile

    mapping: dict[str, str] = {}

    def renumber(token) -> str:
        return mapping.setdefault(str(token), str(len(mapping) + 1))

    def walk(node):
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "__id__" and isinstance(value, int):
                    out[key] = int(renumber(value))
                elif key == "file" and isinstance(value, str) and value.endswith(".npy"):
                    out[key] = renumber(value[: -len(".npy")]) + ".npy"
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    with zipfile.ZipFile(io.BytesIO(data)) as source:
        schema = walk(json.loads(source.read("schema.json")))
        members = {"schema.json": json.dumps(schema, indent=2).encode("utf-8")}
        for info in source.infolist():
            if info.filename == "schema.json":
                continue
            stem = info.filename[: -len(".npy")] if info.filename.endswith(".npy") else None
            name = mapping[stem] + ".npy" if stem in mapping else info.filename
            members[name] = source.read(info)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as target:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            target.writestr(info, members[name])
    return buffer.getvalue()


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


# ---- cascade model: fold-safe engager history + optional claim text ------------------------------
def _class_slug(label) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "_", str(label).lower()).strip("_") or "class"


def _object_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """(cascade_id, account_id) as plain object columns (fast hashing for isin / reindex)."""
    return pd.DataFrame({"cascade_id": pairs["cascade_id"].to_numpy(dtype=object),
                         "account_id": pairs["account_id"].to_numpy(dtype=object)})


def _pair_keys(pairs: pd.DataFrame) -> np.ndarray:
    return pairs["cascade_id"].to_numpy(dtype=object) + "\x1f" + pairs["account_id"].to_numpy(dtype=object)


def incidence_matrix(pairs: pd.DataFrame, cascades: pd.Index, accounts: pd.Index):
    """0/1 cascade x account matrix (scipy CSR) of the (cascade_id, account_id) pairs; pairs outside
    ``cascades`` or ``accounts`` are left out."""
    from scipy import sparse

    rows = cascades.get_indexer(pairs["cascade_id"])
    cols = accounts.get_indexer(pairs["account_id"])
    keep = (rows >= 0) & (cols >= 0)
    matrix = sparse.csr_matrix((np.ones(int(keep.sum())), (rows[keep], cols[keep])),
                               shape=(len(cascades), len(accounts)))
    matrix.data[:] = 1.0
    return matrix


def inner_splits(labels: np.ndarray, inner_folds: int, random_state: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified inner splits of training rows (fewer folds when a class is rare; none below 2)."""
    folds = min(inner_folds, int(pd.Series(labels).value_counts().min()))
    if folds < 2:
        return []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    return list(splitter.split(np.zeros(len(labels)), labels))


class EngagerHistory:
    """Fold-safe engager history: how often a cascade's participants took part in cascades of each class
    of the TRAINING fold.

    ``fit(pairs, y)`` counts, per account, the training cascades of each class it took part in; ``pairs``
    are (cascade_id, account_id) rows (``features.participation``) and ``y`` the training labels indexed
    by cascade_id; only cascades in ``y`` are counted, so test labels cannot enter. ``transform(pairs,
    index)`` gives, per cascade in ``index``: hist_known_share (share of participants with any history),
    hist_n_log (log1p of summed history), and per class c hist_{c}_log, hist_{c}_share (class share of the
    summed history), hist_{c}_user_share (share of participants with a class-c cascade) and hist_{c}_mean_p
(mean over participants with history of their class-c share, smoothed towards the prior), and
    hist_{c}_max_jaccard (largest participant overlap with one training cascade of class c). A training
    cascade's own label is left out of its participants' counts (leave-one-out), so training rows see
    the same kind of features as test rows.
    """

    def __init__(self, smoothing: float = 1.0):
        self.smoothing = smoothing

    def fit(self, pairs: pd.DataFrame, y: pd.Series) -> "EngagerHistory":
        y = pd.Series(np.asarray(y, dtype=str), index=y.index.astype(str))
        self.classes_ = np.unique(y.to_numpy())
        self.labels_ = y
        train = _object_pairs(pairs)
        train = train[train["cascade_id"].isin(y.index.to_numpy(dtype=object))]
        onehot = y.reindex(train["cascade_id"]).to_numpy()[:, None] == self.classes_[None, :]
        self.counts_ = (pd.DataFrame(onehot.astype(float), index=train["account_id"].to_numpy())
                        .groupby(level=0, sort=True).sum())
        self.counted_ = pd.Index(_pair_keys(train), dtype=object).unique()
        # cascade x account incidence of the training fold, for nearest-neighbour overlap features
        self.train_cascades_ = pd.Index(sorted(set(train["cascade_id"])), dtype=object)
        self.accounts_ = pd.Index(self.counts_.index, dtype=object)
        self.train_matrix_ = incidence_matrix(train, self.train_cascades_, self.accounts_)
        self.train_labels_ = y.reindex(self.train_cascades_).to_numpy()
        return self

    #: query cascades per block of the sparse overlap product (bounds the working memory)
    neighbour_chunk = 4096

    def _neighbours(self, part: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
        """Per class c: hist_{c}_max_jaccard, the largest Jaccard overlap of the cascade's participants with
        a training cascade of class c (the cascade itself excluded).

        Sparse: the query x training-cascade overlap is a sparse product computed in blocks of
        ``neighbour_chunk`` query rows, and only its non-zero cells (pairs sharing a participant) are
        turned into Jaccard values; a pair with no shared participant has Jaccard 0, so the maxima equal
        the dense computation's while memory grows with the number of overlapping pairs, not with
        queries x training cascades."""
        sizes = part.groupby("cascade_id", sort=False).size().reindex(index).fillna(0).to_numpy(dtype=float)
        train_sizes = np.asarray(self.train_matrix_.sum(axis=1)).ravel()
        query = incidence_matrix(part, index, self.accounts_)
        by_account = self.train_matrix_.T.tocsr()
        n_classes = len(self.classes_)
        train_class = np.searchsorted(self.classes_, self.train_labels_.astype(str))
        same = np.full(len(self.train_cascades_), -1, dtype=np.int64)
        same[:] = index.get_indexer(self.train_cascades_)
        best = np.zeros(len(index) * n_classes)
        from spreadwatch.progress import progress

        blocks = range(0, len(index), self.neighbour_chunk)
        for start in (progress(blocks, "history neighbours", unit="block") if len(blocks) > 4 else blocks):
            block = (query[start:start + self.neighbour_chunk] @ by_account).tocoo()
            rows = block.row.astype(np.int64) + start
            shared = block.data
            jaccard = shared / np.maximum(sizes[rows] + train_sizes[block.col] - shared, 1.0)
            jaccard[same[block.col] == rows] = 0.0
            np.maximum.at(best, rows * n_classes + train_class[block.col], jaccard)
        best = best.reshape(len(index), n_classes)
        out = pd.DataFrame(index=index)
        for k, label in enumerate(self.classes_):
            out[f"hist_{_class_slug(label)}_max_jaccard"] = best[:, k]
        return out

    def transform(self, pairs: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
        index = pd.Index(index.astype(str), name="cascade_id")
        part = _object_pairs(pairs)
        part = part[part["cascade_id"].isin(index.to_numpy(dtype=object))]
        counts = self.counts_.reindex(part["account_id"].to_numpy()).fillna(0.0).to_numpy()
        own = self.labels_.reindex(part["cascade_id"]).to_numpy()
        counted = pd.Index(_pair_keys(part), dtype=object).isin(self.counted_)
        counts = counts - ((own[:, None] == self.classes_[None, :]) & counted[:, None])
        slugs = [_class_slug(c) for c in self.classes_]
        frame = pd.DataFrame(counts, columns=slugs)
        frame["cascade_id"] = part["cascade_id"].to_numpy()
        frame["_total"] = counts.sum(axis=1)
        frame["_known"] = (frame["_total"] > 0).astype(float)
        # each known participant's smoothed class distribution (prior = training class shares)
        prior = self.counts_.sum(axis=0).to_numpy() / max(float(self.counts_.to_numpy().sum()), 1.0)
        dist = (counts + self.smoothing * prior) / (counts.sum(axis=1, keepdims=True) + self.smoothing)
        known = frame["_known"].to_numpy() > 0
        for k, slug in enumerate(slugs):
            frame[f"_p_{slug}"] = np.where(known, dist[:, k], np.nan)
        for slug in slugs:
            frame[f"_has_{slug}"] = (frame[slug] > 0).astype(float)
        g = frame.groupby("cascade_id", sort=True)
        sums, means = g.sum(), g.mean()
        out = pd.DataFrame(index=sums.index)
        out["hist_known_share"] = means["_known"]
        out["hist_n_log"] = np.log1p(sums["_total"])
        for slug in slugs:
            out[f"hist_{slug}_log"] = np.log1p(sums[slug])
            out[f"hist_{slug}_share"] = sums[slug] / sums["_total"].where(sums["_total"] > 0)
            out[f"hist_{slug}_user_share"] = means[f"_has_{slug}"]
            out[f"hist_{slug}_mean_p"] = means[f"_p_{slug}"]
        out = out.reindex(index).join(self._neighbours(part, index))
        fill = [c for c in out.columns if not c.endswith("_share") or c.endswith("user_share") or c == "hist_known_share"]
        out[fill] = out[fill].fillna(0.0)
        return out.astype(float)


class EngagerBag:
    """Fold-safe bag-of-engagers classifier, stacked as features: each cascade is the set of accounts that
    took part in it (like a document is a bag of words), weighted by TF-IDF over the TRAINING cascades, and
    an L2 logistic regression learns which participants go with which class.

    ``fit(pairs, y)`` uses only the cascades in ``y`` (the training fold). Its outputs for the training
    cascades themselves are out-of-fold (``inner_folds`` stratified folds inside the training rows), so
    the classifier stacked on top sees training features of the same kind as test features.
    ``transform(pairs, index)`` gives per cascade ``bag_p_{class}`` (one column per class; for the
    training cascades the out-of-fold values). Account ids index the bag and are never model inputs.
    """

    def __init__(self, C: float = 10.0, inner_folds: int = 5, random_state: int = 0):
        self.C = C
        self.inner_folds = inner_folds
        self.random_state = random_state

    def _matrix(self, pairs: pd.DataFrame, index: pd.Index):
        return incidence_matrix(pairs, index, self.accounts_)

    def _fit_one(self, matrix, y: np.ndarray):
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        tfidf = TfidfTransformer(sublinear_tf=True).fit(matrix)
        classifier = LogisticRegression(C=self.C, max_iter=2000).fit(tfidf.transform(matrix), y)
        return tfidf, classifier

    def _proba(self, fitted, matrix) -> np.ndarray:
        tfidf, classifier = fitted
        proba = classifier.predict_proba(tfidf.transform(matrix))
        out = np.zeros((matrix.shape[0], len(self.classes_)))
        out[:, np.searchsorted(self.classes_, classifier.classes_)] = proba
        return out

    def fit(self, pairs: pd.DataFrame, y: pd.Series) -> "EngagerBag":
        y = pd.Series(np.asarray(y, dtype=str), index=y.index.astype(str))
        self.classes_ = np.unique(y.to_numpy())
        train = _object_pairs(pairs)
        train = train[train["cascade_id"].isin(y.index.to_numpy(dtype=object))]
        self.accounts_ = pd.Index(sorted(set(train["account_id"])), dtype=object)
        self.train_index_ = pd.Index(y.index, dtype=object)
        matrix = self._matrix(train, self.train_index_)
        labels = y.to_numpy()
        self.full_ = self._fit_one(matrix, labels)
        splits = inner_splits(labels, self.inner_folds, self.random_state)
        if not splits:
            self.train_out_of_fold_ = self._proba(self.full_, matrix)
            return self
        self.train_out_of_fold_ = np.zeros((len(y), len(self.classes_)))
        for inner_train, inner_test in splits:
            fitted = self._fit_one(matrix[inner_train], labels[inner_train])
            self.train_out_of_fold_[inner_test] = self._proba(fitted, matrix[inner_test])
        return self

    def transform(self, pairs: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
        index = pd.Index(index.astype(str), name="cascade_id")
        part = _object_pairs(pairs)
        position = self.train_index_.get_indexer(index)
        seen = position >= 0
        proba = np.zeros((len(index), len(self.classes_)))
        proba[seen] = self.train_out_of_fold_[position[seen]]
        if (~seen).any():  # the full model only for cascades outside the training fold
            unseen = pd.Index(index[~seen], dtype=object)
            part = part[part["cascade_id"].isin(unseen.to_numpy(dtype=object))]
            proba[~seen] = self._proba(self.full_, self._matrix(part, unseen))
        return pd.DataFrame(proba, index=index, columns=[f"bag_p_{_class_slug(c)}" for c in self.classes_])


class CascadeModel(ClassifierMixin, BaseEstimator):
    """The cascade classifier: cascade features (X, index cascade_id) + fold-fitted extras + SpreadClassifier.

    Extras are fitted in ``fit`` on the training rows only: the engager history (``participants``: pairs
    seen for each cascade; ``history_participants``: pairs used to count training history, default the
    same), the root-account history (``root_participants``: (cascade_id, account_id) of each root;
    columns root_hist_*), the optional bag of engagers (``engager_bag``) and, with ``text_embeddings`` (index cascade_id, e.g. MiniLM claim titles), a PCA of the
    embeddings fitted on the training rows (``text_components`` columns text_pc{i}). ``evaluate`` builds
    one per fold, so test-fold labels never reach the features. The training rows' own history features
    come from histories fitted on the other ``inner_folds`` folds of the training rows (K-fold target
    encoding), so training and test rows see the same kind of value; test rows get the history of the
    whole training fold.
    """

    def __init__(self, model: str = "hgb", random_state: int = 0, participants: pd.DataFrame | None = None,
                 history_participants: pd.DataFrame | None = None, text_embeddings: pd.DataFrame | None = None,
                 text_components: int = 8, engager_bag: bool = False, root_participants: pd.DataFrame | None = None,
                 inner_folds: int = 5, publishers: pd.Series | None = None):
        self.model = model
        self.publishers = publishers
        self.inner_folds = inner_folds
        self.engager_bag = engager_bag
        self.root_participants = root_participants
        self.random_state = random_state
        self.participants = participants
        self.history_participants = history_participants
        self.text_embeddings = text_embeddings
        self.text_components = text_components

    def _augment(self, X: pd.DataFrame) -> pd.DataFrame:
        parts = [X]
        index = pd.Index(X.index.astype(str), name="cascade_id")
        if self.history_ is not None:
            parts.append(self._history_features(self.history_, self.history_oof_, self.participants, index)
                         .set_axis(X.index))
        if self.bag_ is not None:
            parts.append(self.bag_.transform(self.participants, X.index).set_axis(X.index))
        if self.root_history_ is not None:
            root = self._history_features(self.root_history_, self.root_history_oof_, self.root_participants,
                                          index).set_axis(X.index)
            keep = [c for c in root.columns if c == "hist_known_share" or c.endswith(("_log", "_mean_p"))]
            parts.append(root[keep].add_prefix("root_"))
        if self.pca_ is not None:
            emb = self.text_embeddings.reindex(X.index).fillna(0.0).to_numpy(dtype=float)
            comps = self.pca_.transform(emb)
            parts.append(pd.DataFrame(comps, index=X.index,
                                      columns=[f"text_pc{i + 1}" for i in range(comps.shape[1])]))
            if self.psa_ is not None:
                mean, known = self.psa_.transform(index, self.publishers.set_axis(self.publishers.index.astype(str)))
                psa = self.pca_.transform(mean) * known[:, None]
                parts.append(pd.DataFrame(np.column_stack([psa, known]), index=X.index,
                                          columns=[f"psa_pc{i + 1}" for i in range(psa.shape[1])] + ["psa_known"]))
        return pd.concat(parts, axis=1)

    def _out_of_fold_history(self, pairs: pd.DataFrame, y: pd.Series, participants: pd.DataFrame) -> pd.DataFrame:
        """History features of the training cascades, each from a history fitted on the other inner folds
        (K-fold target encoding, as in stacking): made the way test rows' features are, by a history that
        never saw the cascade nor the rest of its inner fold."""
        splits = inner_splits(y.to_numpy(), self.inner_folds, self.random_state)
        if not splits:
            return EngagerHistory().fit(pairs, y).transform(participants, y.index)
        parts = [EngagerHistory().fit(pairs, y.iloc[inner_train]).transform(participants, y.index[inner_test])
                 for inner_train, inner_test in splits]
        return pd.concat(parts).reindex(y.index)

    @staticmethod
    def _history_features(history, oof, participants, index: pd.Index) -> pd.DataFrame:
        """Out-of-fold values for training cascades, the whole training fold's history for the others."""
        seen = index.isin(oof.index)
        parts = [oof.loc[index[seen]]]
        if (~seen).any():
            parts.append(history.transform(participants, index[~seen]))
        return pd.concat(parts)[oof.columns].reindex(index)

    def fit(self, X: pd.DataFrame, y):
        from sklearn.decomposition import PCA

        y = pd.Series(np.asarray(y, dtype=str), index=X.index.astype(str))
        self.history_ = None
        if self.participants is not None:
            pairs = self.participants if self.history_participants is None else self.history_participants
            self.history_ = EngagerHistory().fit(pairs, y)
            self.history_oof_ = self._out_of_fold_history(pairs, y, self.participants)
        self.root_history_ = None
        if self.root_participants is not None:
            self.root_history_ = EngagerHistory().fit(self.root_participants, y)
            self.root_history_oof_ = self._out_of_fold_history(self.root_participants, y, self.root_participants)
        self.bag_ = None
        if self.participants is not None and self.engager_bag:
            pairs = self.participants if self.history_participants is None else self.history_participants
            self.bag_ = EngagerBag(random_state=self.random_state).fit(pairs, y)
        self.pca_ = self.psa_ = None
        if self.text_embeddings is not None:
            emb = self.text_embeddings.reindex(X.index).fillna(0.0).to_numpy(dtype=float)
            k = max(1, min(self.text_components, len(X) - 1, emb.shape[1]))
            self.pca_ = PCA(n_components=k, random_state=self.random_state).fit(emb)  # training rows only
            if self.publishers is not None:  # publisher-style aggregation over the training claims
                from spreadwatch.evaluation.rumour import PublisherStyle

                train = self.text_embeddings.reindex(X.index.astype(str)).fillna(0.0)
                self.psa_ = PublisherStyle().fit(train, self.publishers.set_axis(self.publishers.index.astype(str)))
        augmented = self._augment(X)
        self.classifier_ = SpreadClassifier(model=self.model, random_state=self.random_state).fit(augmented, y)
        self.classes_ = self.classifier_.classes_
        self.feature_names_in_ = self.classifier_.feature_names_in_
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.classifier_.predict_proba(self._augment(X))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


# ---- bot model: prior adjustment, calibration quality, leave-one-dataset-out -----------------------
def adjust_prior(probability, train_prior: float, target_prior: float = 0.15) -> np.ndarray:
    """Botometer-style prior adjustment of a bot probability (Bayes' rule on the odds).

    A model trained where bots make up ``train_prior`` of the rows gives ``p``; in a population
    where the bot share is ``target_prior`` (Botometer's CAP uses 0.15) the probability is
    ``p * r / (p * r + (1 - p))`` with ``r = odds(target_prior) / odds(train_prior)``. NaN stays NaN.
    """
    if not (0 < train_prior < 1 and 0 < target_prior < 1):
        raise ValueError("priors must lie strictly between 0 and 1")
    p = np.clip(np.asarray(probability, dtype=float), 0.0, 1.0)
    ratio = (target_prior / (1 - target_prior)) / (train_prior / (1 - train_prior))
    return p * ratio / (p * ratio + (1 - p))


def calibration_metrics(is_positive: np.ndarray, probability: np.ndarray, bins: int = 10) -> dict[str, float]:
    """Brier score and expected calibration error (equal-width bins) of positive-class probabilities."""
    y = np.asarray(is_positive, dtype=float)
    p = np.asarray(probability, dtype=float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    ece = sum(abs(p[which == b].mean() - y[which == b].mean()) * (which == b).mean()
              for b in range(bins) if (which == b).any())
    return {"brier": float(np.mean((p - y) ** 2)), "ece": float(ece)}


LODO_META_COLUMNS = ("account_id", "dataset", "label", "id_kind", "screen_name_key")


def lodo_feature_plan(table: pd.DataFrame, held_out: str, min_shared: float = 0.5,
                      min_present: float = 0.5) -> tuple[list[str], list[str], list[str]]:
    """Features and training datasets for one held-out dataset.

    A feature is *available* in a dataset when at least ``min_present`` of its rows have it. Training
    datasets that offer fewer than ``min_shared`` of the held-out dataset's available features are left
    out; the features are those available in the held-out dataset and in every training dataset kept.
    Returns (features, training datasets, datasets left out), sorted.
    """
    features = [c for c in table.columns if c not in LODO_META_COLUMNS]
    available = {name: {c for c in features if group[c].notna().mean() >= min_present}
                 for name, group in table.groupby("dataset", sort=True)}
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
        reason = (f"held-out dataset {held_out!r} has no bot/human labels" if len(test) == 0
                  else "the training datasets have fewer than two classes")
        record = records.skipped_record(
            "bot", "leave_one_dataset_out", model, reason, seeds, held_out=held_out, calibration=calibration,
            n_train=int(len(train)), pooled={}, features=features, train_sources={}, datasets_left_out=dropped,
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
    summary = {key: _summary(values) for key, values in sorted(per_seed.items())}
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
        "train_sources": {name: {c: int(((train["dataset"] == name) & (train["label"] == c)).sum())
                                 for c in ("bot", "human")} for name in kept},
        "datasets_left_out": dropped,
        "train_rows_removed_as_overlap": int(overlap.sum()),
        "features": features,
        "metrics": summary,
        "pooled": summary,
        "seeds": list(seeds),
    }
    return record, proba_table
