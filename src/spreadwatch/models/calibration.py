"""Bot probabilities in a target population: Botometer-style prior adjustment and calibration quality."""

from __future__ import annotations

import numpy as np


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
    ece = sum(
        abs(p[which == b].mean() - y[which == b].mean()) * (which == b).mean()
        for b in range(bins)
        if (which == b).any()
    )
    return {"brier": float(np.mean((p - y) ** 2)), "ece": float(ece)}
