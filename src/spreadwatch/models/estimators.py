"""Estimators: named sklearn models (``make_estimator``) and ``SpreadClassifier``, the classifier over a
feature table that every task uses (fit / predict_proba / predict, explicit ``random_state``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from spreadwatch.features import assert_no_leaky_features

MODEL_NAMES = ("logreg", "rf", "hgb")
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
    ``hgb_small`` is a cheaper gradient boosting (60 trees of 15 leaves) for scoring whole streams
    (bench/bot_scoring.py); on cresci-rtbust-2019 it matched the 300-tree ``hgb``'s ROC AUC.

    Sizes (issue 17, docs/performance.md): ``rf`` has 100 trees, each on a bootstrap half of the training
    rows, and ``hgb`` 100 rounds at learning rate 0.15. On the default synthetic dataset (3 seeds) 100 full
    trees cost -0.0013 (bot) / -0.0018 (cascade event_5fold) ROC AUC against 300 trees, and half samples
    another -0.0004 (bot), for about 5x less time (bot job 254 s -> 47 s); hgb cost -0.0004 / -0.0003
    against 300 rounds at 0.06, for 2x less time. Figures in the docs measured before 2026-12-08 used the
    larger sizes.
    """
    base, _, method = name.rpartition("_")
    if method in CALIBRATIONS and base in (*MODEL_NAMES, "hgb_small"):
        inner = StratifiedKFold(n_splits=3, shuffle=True, random_state=random_state)
        return CalibratedClassifierCV(make_estimator(base, random_state), method=method, cv=inner)
    if name == "hgb_small":
        return _boosting(random_state, max_iter=60, learning_rate=0.15, max_leaf_nodes=15)
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
                n_estimators=100,
                max_samples=0.5,
                min_samples_leaf=2,
                n_jobs=job_threads(),
                random_state=random_state,
                class_weight="balanced_subsample",
            ),
        )
    if name == "hgb":
        return _boosting(random_state, max_iter=100, learning_rate=0.15, max_leaf_nodes=31)
    raise ValueError(f"unknown model {name!r}; choose one of {MODEL_NAMES}")


def _boosting(random_state: int, max_iter: int, learning_rate: float, max_leaf_nodes: int):
    """Gradient boosting of exactly ``max_iter`` trees (no early stopping, so no inner validation split), L2 1.0."""
    return HistGradientBoostingClassifier(
        max_iter=max_iter,
        learning_rate=learning_rate,
        max_leaf_nodes=max_leaf_nodes,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=random_state,
    )


class SpreadClassifier(ClassifierMixin, BaseEstimator):
    """A named classifier over a feature table (sklearn API: fit / predict_proba / predict).

    ``calibration`` (``None``, ``"isotonic"`` or ``"sigmoid"``) wraps the model in
    ``CalibratedClassifierCV`` with an inner stratified 3-fold split of the training rows only, so the
    probabilities are calibrated without ever seeing a test row.
    """

    # the persisted type name (skops, ``persistence.TRUSTED_TYPES``) stays the public path
    # ``spreadwatch.models.SpreadClassifier``, so saved and shipped models load whatever file defines it
    __module__ = "spreadwatch.models"

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
