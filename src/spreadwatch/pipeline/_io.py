"""File helpers the stage runners share."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from spreadwatch.evaluation.truth import MISINFO_POSITIVE_CLASSES

log = logging.getLogger(__name__)


def write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` as Parquet without its index, creating the folder."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)


def usable_cascade_scores(cascade_scores_path) -> pd.DataFrame:
    """Cascade scores whose positive class means misinformation (else an empty table, so the
    ranking falls back to given labels only: e.g. a 4-class Twitter15 model scores 'unverified')."""
    if cascade_scores_path is None or not Path(cascade_scores_path).exists():
        return pd.DataFrame({"cascade_id": pd.Series(dtype="string"), "misinfo_probability": pd.Series(dtype=float)})
    scores = pd.read_parquet(cascade_scores_path)
    card_path = Path(cascade_scores_path).parent.parent / "models" / "cascade_model.skops.json"
    if card_path.exists():
        positive = json.loads(card_path.read_text()).get("positive_class")
        if positive is not None and str(positive) not in MISINFO_POSITIVE_CLASSES:
            log.info("cascade model's positive class is %r: its scores are not used as misinformation", positive)
            return scores.iloc[0:0]
    return scores
