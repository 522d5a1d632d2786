"""Ranking: suspicious accounts and domains from model scores and propagation evidence.

Account components (all kept beside the combined score):
- ``fib_index``: h-index of the reshare counts of the account's likely-misinformation cascades
  (DeVerna et al. 2024), using out-of-fold predicted cascade labels (p >= 0.5), so ground truth never
  enters the ranking.
- ``misinfo_seeded``: expected number of misinformation cascades the account seeded (sum of p).
- ``bot_amplification``: share of the early engagers (first ``early_s`` seconds) of the account's
  cascades that are likely bots (bot probability >= 0.5).
- ``coordination``: log(1 + number of accounts that co-engaged with it within the window in >= 2 cascades).
- ``bot_probability``: from the bot model (out-of-fold for labelled accounts).
The combined score is the weighted mean of the components' percentile ranks (weights in the config,
``DEFAULT_WEIGHTS``), so no component's scale dominates.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_WEIGHTS = {
    "fib_index": 0.35,
    "misinfo_seeded": 0.25,
    "bot_amplification": 0.2,
    "coordination": 0.1,
    "bot_probability": 0.1,
}
COMPONENTS = tuple(DEFAULT_WEIGHTS)


def h_index(counts: np.ndarray) -> int:
    """Largest h such that h items have at least h each."""
    ordered = np.sort(np.asarray(counts, dtype=float))[::-1]
    return int(np.sum(ordered >= np.arange(1, len(ordered) + 1)))


def account_components(
    cascades: pd.DataFrame,
    engagements: pd.DataFrame,
    cascade_scores: pd.DataFrame,
    account_scores: pd.DataFrame,
    coordination: pd.DataFrame,
    early_s: float = 600.0,
) -> pd.DataFrame:
    """Ranking components per account.

    Columns in: cascades (cascade_id, root_account_id), engagements (cascade_id, child_account_id,
    delay_s), cascade_scores (cascade_id, misinfo_probability), account_scores (account_id,
    bot_probability), coordination (account_a, account_b, n_cascades). Columns out (index
    account_id): the ``COMPONENTS`` plus evidence columns n_cascades_seeded,
    n_misinfo_cascades_seeded, reshares_of_misinfo, total_reshares_received.
    """
    bot_p = account_scores.set_index("account_id")["bot_probability"]
    p_misinfo = cascade_scores.set_index("cascade_id")["misinfo_probability"]
    size = engagements.groupby("cascade_id").size()
    roots = cascades[["cascade_id", "root_account_id"]].dropna().copy()
    roots["p"] = roots["cascade_id"].map(p_misinfo).fillna(0.0)
    roots["reshares"] = roots["cascade_id"].map(size).fillna(0).astype(float)
    roots["likely_misinfo"] = roots["p"] >= 0.5
    by_root = roots.groupby("root_account_id")
    out = pd.DataFrame(index=pd.Index(sorted(set(bot_p.index) | set(roots["root_account_id"])), name="account_id"))
    misinfo_roots = roots[roots["likely_misinfo"]]
    out["fib_index"] = misinfo_roots.groupby("root_account_id")["reshares"].apply(lambda r: h_index(r.to_numpy()))
    out["misinfo_seeded"] = by_root["p"].sum()
    out["n_cascades_seeded"] = by_root.size()
    out["n_misinfo_cascades_seeded"] = misinfo_roots.groupby("root_account_id").size()
    out["reshares_of_misinfo"] = misinfo_roots.groupby("root_account_id")["reshares"].sum()
    out["total_reshares_received"] = by_root["reshares"].sum()
    early = engagements[engagements["delay_s"] <= early_s][["cascade_id", "child_account_id"]].copy()
    early["is_bot"] = early["child_account_id"].map(bot_p).fillna(0.0) >= 0.5
    early["root"] = early["cascade_id"].map(cascades.set_index("cascade_id")["root_account_id"])
    amplification = early.dropna(subset=["root"]).groupby("root")["is_bot"].agg(["mean", "size"])
    # shrink towards 0 when an account has few early engagers (3 pseudo-engagers)
    out["bot_amplification"] = (amplification["mean"] * amplification["size"] / (amplification["size"] + 3))
    if len(coordination):
        strong = coordination[coordination["n_cascades"] >= 2]
        partners = pd.concat([strong["account_a"], strong["account_b"]]).value_counts()
        out["coordination"] = np.log1p(partners)
    else:
        out["coordination"] = 0.0
    out["bot_probability"] = bot_p
    return out.fillna(0.0).sort_index()


def combine(components: pd.DataFrame, weights: dict[str, float] | None = None) -> pd.Series:
    """Weighted mean of percentile ranks of the components (ties share a rank); in [0, 1]."""
    weights = weights or DEFAULT_WEIGHTS
    total = sum(weights.values())
    score = pd.Series(0.0, index=components.index)
    for name, weight in weights.items():
        column = components[name]
        # accounts with a zero component get percentile 0, so absent evidence never adds score
        pct = column.rank(pct=True, method="average").where(column > 0, 0.0)
        score += weight * pct
    return score / total


def _reasons(row: pd.Series, reasons_from_model: str | None) -> str:
    parts = []
    if row["n_misinfo_cascades_seeded"] > 0:
        parts.append(
            f"seeded {int(row['n_misinfo_cascades_seeded'])} likely-misinformation cascade(s) "
            f"reshared {int(row['reshares_of_misinfo'])} times (FIB-index {int(row['fib_index'])})"
        )
    if row["bot_amplification"] >= 0.2:
        parts.append(f"{row['bot_amplification']:.0%} of early engagers look automated")
    if row["coordination"] > 0:
        parts.append(f"co-engages within seconds with {int(round(np.expm1(row['coordination'])))} account(s) repeatedly")
    if row["bot_probability"] >= 0.5:
        detail = f" ({reasons_from_model})" if reasons_from_model else ""
        parts.append(f"bot probability {row['bot_probability']:.2f}{detail}")
    return "; ".join(parts) if parts else "no strong signal"


def rank_accounts(
    components: pd.DataFrame,
    weights: dict[str, float] | None = None,
    model_reasons: pd.Series | None = None,
) -> pd.DataFrame:
    """Ranked accounts. Columns out: rank, account_id, score, the components, evidence, top_reasons."""
    table = components.copy()
    table["score"] = combine(components, weights)
    table = table.reset_index().sort_values(["score", "account_id"], ascending=[False, True], kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    reasons = model_reasons if model_reasons is not None else pd.Series(dtype="string")
    table["top_reasons"] = [
        _reasons(row, reasons.get(row["account_id"])) for _, row in table.iterrows()
    ]
    ordered = ["rank", "account_id", "score", *COMPONENTS]
    rest = [c for c in table.columns if c not in ordered]
    return table[ordered + rest].reset_index(drop=True)


def baseline_scores(ranker: str, components: pd.DataFrame, accounts: pd.DataFrame) -> pd.Series:
    """Scores of the comparison rankers: ``total_retweets``, ``followers``, ``fib``, ``combined`` needs weights."""
    if ranker == "total_retweets":
        return components["total_reshares_received"]
    if ranker == "fib":
        return components["fib_index"] + 1e-6 * components["reshares_of_misinfo"]
    if ranker == "followers":
        followers = accounts.set_index("account_id")["followers_count"].astype("Float64").fillna(0)
        return followers.reindex(components.index).fillna(0).astype(float)
    raise ValueError(f"unknown ranker {ranker!r}")


def precision_at_k(ordered_ids: list[str], truth: set[str], ks=(10, 50, 100)) -> dict[str, float]:
    """Share of the top-k ids that are in ``truth``, per k (k capped at the list length)."""
    out = {}
    for k in ks:
        top = ordered_ids[: min(k, len(ordered_ids))]
        out[str(k)] = float(np.mean([i in truth for i in top])) if top else float("nan")
    return out


def r_precision(ordered_ids: list[str], truth: set[str]) -> float:
    """Precision at k = |truth| (equals recall there): 1.0 means every true id is ranked first."""
    k = len(truth)
    return float(np.mean([i in truth for i in ordered_ids[:k]])) if k else float("nan")


def rank_domains(cascades: pd.DataFrame, cascade_scores: pd.DataFrame, engagements: pd.DataFrame) -> pd.DataFrame:
    """Domains by predicted misinformation share weighted by reach.

    score = mean predicted misinformation probability of the domain's cascades x log10(10 + reach),
    reach = total engagements. Columns out: rank, domain, score, n_cascades, mean_misinfo_probability,
    reach, top_reasons.
    """
    frame = cascades[["cascade_id", "domain"]].dropna().copy()
    if frame.empty:
        return pd.DataFrame(columns=["rank", "domain", "score", "n_cascades", "mean_misinfo_probability", "reach", "top_reasons"])
    frame["p"] = frame["cascade_id"].map(cascade_scores.set_index("cascade_id")["misinfo_probability"])
    frame["reach"] = frame["cascade_id"].map(engagements.groupby("cascade_id").size()).fillna(0)
    grouped = frame.groupby("domain")
    table = pd.DataFrame(
        {
            "n_cascades": grouped.size(),
            "mean_misinfo_probability": grouped["p"].mean(),
            "reach": grouped["reach"].sum(),
        }
    )
    table["score"] = table["mean_misinfo_probability"] * np.log10(10 + table["reach"])
    table = table.reset_index().sort_values(["score", "domain"], ascending=[False, True], kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table["top_reasons"] = [
        f"{r.mean_misinfo_probability:.0%} of {int(r.n_cascades)} cascade(s) predicted misinformation; reach {int(r.reach)}"
        for r in table.itertuples()
    ]
    return table[["rank", "domain", "score", "n_cascades", "mean_misinfo_probability", "reach", "top_reasons"]].reset_index(drop=True)
