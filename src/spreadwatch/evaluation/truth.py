"""Ground truth of each task: the labels to learn, the positive class, the planted misinformation sources."""

from __future__ import annotations

import pandas as pd

from spreadwatch.ingest import read_canonical

# re-exported: the simulator plants the misinformation sources, so its truth module is their one home
from spreadwatch.simulate.truth import planted_sources as planted_sources

# cascade classes that mean misinformation (a model whose positive class is another one is not used as such)
MISINFO_POSITIVE_CLASSES = ("misinformation", "false", "fake")


def labelled_accounts(features_path, canonical_dir) -> tuple[pd.DataFrame, pd.Series]:
    """The account feature table (index account_id) and the accounts' labels aligned to it (NaN = unlabelled)."""
    table = pd.read_parquet(features_path).set_index("account_id")
    accounts = read_canonical(canonical_dir, ("accounts",))["accounts"].set_index("account_id")
    labels = accounts["label"].reindex(table.index)
    return table, labels


def cascade_target(cascades: pd.DataFrame, target: str) -> pd.Series:
    """The cascade label to learn: ``is_misinformation`` (binary) or ``label`` (dataset classes)."""
    series = cascades.set_index("cascade_id")[target]
    if target == "is_misinformation":
        return series.astype("boolean").map({True: "misinformation", False: "other"}).astype("string")
    return series.astype("string")
