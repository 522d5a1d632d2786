"""Ground truth of a simulated platform: which accounts were planted as misinformation sources."""

from __future__ import annotations

import pandas as pd

from spreadwatch.simulate.config import SOURCE_KINDS


# ----------------------------------------------------------------------------------------------
# ground truth helpers
# ----------------------------------------------------------------------------------------------
def planted_sources(accounts: pd.DataFrame) -> set[str]:
    """Ground-truth misinformation sources of a synthetic platform.

    These are the accounts planted to originate misinformation: the official accounts of the
    low-credibility domains (``account_kind == "news_lowcred"``) and the hyperpartisan human seeders
    (``account_kind == "human_misinfo_seeder"``). Amplifier bots are *not* sources (they only spread).
    """
    if "account_kind" not in accounts.columns:
        raise KeyError("planted_sources needs the ground-truth column accounts.account_kind")
    k = accounts["account_kind"].astype("string")
    sel = k.isin(list(SOURCE_KINDS)).fillna(False).to_numpy(dtype=bool)
    return set(accounts.loc[sel, "account_id"].astype(str))
