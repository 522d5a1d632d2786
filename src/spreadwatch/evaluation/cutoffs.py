"""Early-detection cut-offs: minutes since the cascade started, or the first k engagements."""

from __future__ import annotations

from spreadwatch import features

EARLY_KS = (5, 10, 20, 50)


def early_cutoffs(minutes=features.EARLY_MINUTES, ks=EARLY_KS) -> dict[str, dict]:
    """Named early-detection cut-offs: ``{"10min": {"cutoff_s": 600}, ..., "k5": {"first_k": 5}, ...}``."""
    cutoffs = {f"{m}min": {"cutoff_s": 60.0 * m} for m in minutes}
    cutoffs.update({f"k{k}": {"first_k": int(k)} for k in ks})
    return cutoffs


def parse_cutoff(name: str) -> dict:
    """Cut-off name (``10min``, ``k5``) -> keyword arguments of ``features.cascade_features``."""
    if name.startswith("k"):
        return {"first_k": int(name[1:])}
    return {"cutoff_s": 60.0 * float(name.removesuffix("min"))}
