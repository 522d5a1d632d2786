"""Leakage baselines, reported beside every cascade model and never used for scoring: the cascade's
start time alone (``source_time_only``) and its source account alone (``source_user_only``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import RandomForestClassifier

BASELINES = ("source_time_only", "source_user_only")


class SourceTimeBaseline(ClassifierMixin, BaseEstimator):
    """Leakage probe: a random forest on the cascade's absolute start time alone (column ``source_time_s``).

    It exists to show how much of a protocol's accuracy the collection period alone explains
    (LEAKAGE_CHECKS.md); it is deliberately exempt from the leakage guard and never used for scoring.
    """

    def __init__(self, random_state: int = 0):
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y):
        self.estimator_ = RandomForestClassifier(
            n_estimators=300, min_samples_leaf=1, random_state=self.random_state, n_jobs=1
        )
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
        first = (
            engagements.sort_values(["cascade_id", "delay_s"], kind="stable")
            .groupby("cascade_id")["child_account_id"]
            .first()
            .astype("string")
        )
        user = user.fillna(first.reindex(user.index))
    return pd.DataFrame({"source_time_s": seconds.astype(float), "source_user": user.fillna("<unknown>")})


def make_baseline(name: str, seed: int):
    if name == "source_time_only":
        return SourceTimeBaseline(random_state=seed)
    if name == "source_user_only":
        return SourceUserBaseline()
    raise ValueError(f"unknown baseline {name!r}; choose one of {BASELINES}")
