"""Ranking: suspicious accounts and domains from model scores and propagation evidence.

Account components (all kept beside the combined score):
- ``fib_index``: h-index of the reshare counts of the account's likely-misinformation cascades
  (DeVerna et al. 2024), using out-of-fold predicted cascade labels (p >= 0.5), so ground truth never
  enters the ranking.
- ``misinfo_seeded``: expected number of misinformation cascades the account seeded (sum of p).
- ``misinfo_reach``: expected misinformation reshares the account's posts received (sum of p x reshares);
  the volume behind the FIB-index, which saturates at the number of posts.
- ``misinfo_amplified``: expected misinformation reshares the account made (sum of p over its engagements).
- ``misinfo_degree``: expected misinformation reshares the account took part in as the reshared or the
  resharing account (sum of p over its reshare edges): the account's weight in the misinformation
  retweet network, the quantity that removing it would take away.
- ``bot_amplification``: share of the early engagers (first ``early_s`` seconds) of the account's
  cascades that are likely bots (``likely_bots``), among the early engagers that have a bot score;
  missing (NaN) when the account has early engagers and none of them is scored.
- ``coordination``: log(1 + number of accounts that co-engaged with it within the window in >= 2 cascades).
- ``bot_probability``: from the bot model (out-of-fold for labelled accounts); NaN = not scored.
The combined score is the weighted mean of the components' percentile ranks (weights in the config,
``DEFAULT_WEIGHTS``), so no component's scale dominates. A missing component (NaN: not scored) is left
out of that account's mean (the other weights are rescaled), never read as 0, and the reasons say so.

"Likely bot" is rank-based, so it means the same for an in-domain model and for the shipped model at a
low prior (whose probabilities may never reach 0.5): the ``round(sum of p)`` accounts with the highest
bot probability, i.e. as many accounts as the calibrated scores expect bots (docs/scoring.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from spreadwatch.graphs import reshare_edges

DEFAULT_WEIGHTS = {
    "fib_index": 0.2,
    "misinfo_seeded": 0.15,
    "misinfo_reach": 0.15,
    "misinfo_degree": 0.1,
    "misinfo_amplified": 0.1,
    "bot_amplification": 0.1,
    "coordination": 0.1,
    "bot_probability": 0.1,
}
COMPONENTS = tuple(DEFAULT_WEIGHTS)


def h_index(counts: np.ndarray) -> int:
    """Largest h such that h items have at least h each."""
    ordered = np.sort(np.asarray(counts, dtype=float))[::-1]
    return int(np.sum(ordered >= np.arange(1, len(ordered) + 1)))


def likely_bots(bot_probability: pd.Series) -> pd.Series:
    """Rank-based "likely bot" flag (index as the input): True for the ``k = round(sum of p)`` scored
    accounts with the highest probability (ties at the k-th value included), where ``sum of p`` is the
    expected number of bots if the scores are calibrated; False elsewhere, and for NaN (not scored)."""
    p = pd.to_numeric(bot_probability, errors="coerce").astype(float)
    scored = p.dropna()
    k = round(float(scored.sum()))
    if k <= 0 or scored.empty:
        return pd.Series(False, index=p.index)
    threshold = np.sort(scored.to_numpy())[::-1][min(k, len(scored)) - 1]
    return (p >= threshold).fillna(False).astype(bool)


def account_components(
    cascades: pd.DataFrame,
    engagements: pd.DataFrame,
    cascade_scores: pd.DataFrame,
    account_scores: pd.DataFrame,
    coordination: pd.DataFrame,
    early_s: float = 600.0,
    edges: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Ranking components per account.

    Columns in: cascades (cascade_id, root_account_id), engagements (cascade_id, child_account_id,
    delay_s), cascade_scores (cascade_id, misinfo_probability), account_scores (account_id,
    bot_probability, NaN = not scored), coordination (account_a, account_b, n_cascades). Columns out
    (index account_id): the ``COMPONENTS`` plus evidence columns n_cascades_seeded,
    n_misinfo_cascades_seeded, reshares_of_misinfo, total_reshares_received. Missing evidence is 0;
    ``bot_probability`` (and ``bot_amplification`` without any scored early engager) stay NaN. ``edges``:
    the graphs stage's ``reshare_edges`` of these engagements (derived here when not given).
    """
    if edges is None:
        edges = reshare_edges(cascades, engagements)
    bot_p = pd.to_numeric(account_scores.set_index("account_id")["bot_probability"], errors="coerce").astype(float)
    likely = likely_bots(bot_p)
    p_misinfo = cascade_scores.set_index("cascade_id")["misinfo_probability"]
    # one row per (account, cascade) the account posted in, credited with the reshares it received;
    # "seeded" = the cascade's root or a direct share of the URL (no parent), so root-less data works
    roots = reshare_credits(cascades, engagements, edges)
    roots = roots[roots["seeded"] | (roots["reshares"] > 0)].rename(columns={"account_id": "root_account_id"})
    # .astype(float): mapping an empty id column keeps its string dtype (datasets without engagements)
    roots["p"] = roots["cascade_id"].map(p_misinfo).fillna(0.0).astype(float)
    roots["likely_misinfo"] = roots["p"] >= 0.5
    by_root = roots.groupby("root_account_id")
    everyone = set(bot_p.index) | set(roots["root_account_id"]) | set(engagements["child_account_id"].dropna())
    out = pd.DataFrame(index=pd.Index(sorted(everyone), name="account_id"))
    misinfo_roots = roots[roots["likely_misinfo"]]
    out["fib_index"] = misinfo_roots.groupby("root_account_id")["reshares"].apply(lambda r: h_index(r.to_numpy()))
    seeded = roots[roots["seeded"]].groupby("root_account_id")
    out["misinfo_seeded"] = seeded["p"].sum()
    out["n_cascades_seeded"] = seeded.size()
    out["n_misinfo_cascades_seeded"] = misinfo_roots.groupby("root_account_id").size()
    out["reshares_of_misinfo"] = misinfo_roots.groupby("root_account_id")["reshares"].sum()
    out["misinfo_reach"] = (roots["p"] * roots["reshares"]).groupby(roots["root_account_id"]).sum()
    made = engagements[["cascade_id", "child_account_id"]].copy()
    made["p"] = made["cascade_id"].map(p_misinfo).fillna(0.0).astype(float)
    out["misinfo_amplified"] = made.groupby("child_account_id")["p"].sum()
    edges = edges[["cascade_id", "source", "target"]]
    edge_p = edges["cascade_id"].map(p_misinfo).fillna(0.0).to_numpy(dtype=float)
    ends = pd.concat(
        [pd.Series(edge_p, index=edges["source"].to_numpy()), pd.Series(edge_p, index=edges["target"].to_numpy())]
    )
    out["misinfo_degree"] = ends.groupby(level=0).sum()
    out["total_reshares_received"] = by_root["reshares"].sum()
    all_early = engagements[engagements["delay_s"] <= early_s][["cascade_id", "child_account_id"]]
    early = all_early.copy()
    # engagers without a bot score count neither as bots nor as humans
    early = early[early["child_account_id"].isin(bot_p.index[bot_p.notna()])]
    early["is_bot"] = early["child_account_id"].map(likely).astype(bool)
    seeders = roots.loc[roots["seeded"], ["cascade_id", "root_account_id"]].rename(columns={"root_account_id": "root"})
    early = early.merge(seeders, on="cascade_id", how="inner")
    early = early[early["root"] != early["child_account_id"]]
    amplification = early.groupby("root")["is_bot"].agg(["mean", "size"])
    # shrink towards 0 when an account has few early engagers (3 pseudo-engagers)
    out["bot_amplification"] = amplification["mean"] * amplification["size"] / (amplification["size"] + 3)
    # early engagers, none of them scored: unknown, not 0
    any_early = all_early.merge(seeders, on="cascade_id", how="inner")
    any_early = set(any_early.loc[any_early["root"] != any_early["child_account_id"], "root"])
    unknown_amplification = out.index.isin(any_early) & out["bot_amplification"].isna().to_numpy()
    if len(coordination):
        strong = coordination[coordination["n_cascades"] >= 2]
        partners = pd.concat([strong["account_a"], strong["account_b"]]).value_counts()
        out["coordination"] = np.log1p(partners)
    else:
        out["coordination"] = 0.0
    out = out.fillna(0.0)
    out.loc[unknown_amplification, "bot_amplification"] = np.nan
    out["bot_probability"] = bot_p.reindex(out.index)
    return out.sort_index()


def combine(components: pd.DataFrame, weights: dict[str, float] | None = None) -> pd.Series:
    """Weighted mean of percentile ranks of the components (ties share a rank); in [0, 1].

    A NaN component (not scored) is left out of that account's mean: the weights of the components it
    has are rescaled to sum to 1."""
    weights = {name: w for name, w in (weights or DEFAULT_WEIGHTS).items() if name in components}
    score = pd.Series(0.0, index=components.index)
    total = pd.Series(0.0, index=components.index)
    for name, weight in weights.items():
        column = components[name].astype(float)
        # accounts with a zero component get percentile 0, so absent evidence never adds score;
        # percentiles are among the accounts that have the component
        pct = column.rank(pct=True, method="average").where(column > 0, 0.0).where(column.notna())
        score += weight * pct.fillna(0.0)
        total += weight * column.notna()
    return (score / total.where(total > 0)).fillna(0.0)


def _reasons(row: pd.Series, reasons_from_model: str | None, likely_bot: bool = False, bot_rule: str = "") -> str:
    parts = []
    if row["n_misinfo_cascades_seeded"] > 0:
        parts.append(
            f"seeded {int(row['n_misinfo_cascades_seeded'])} likely-misinformation cascade(s) "
            f"reshared {int(row['reshares_of_misinfo'])} times (FIB-index {int(row['fib_index'])})"
        )
    if row["bot_amplification"] >= 0.2:  # NaN compares False
        parts.append(f"{row['bot_amplification']:.0%} of early engagers look automated")
    if row["coordination"] > 0:
        parts.append(
            f"co-engages within seconds with {int(round(np.expm1(row['coordination'])))} account(s) repeatedly"
        )
    if likely_bot:
        detail = f" ({reasons_from_model})" if reasons_from_model else ""
        parts.append(f"bot probability {row['bot_probability']:.2f}, {bot_rule}{detail}")
    parts = parts or ["no strong signal"]
    missing = [name.replace("_", " ") for name in ("bot_probability", "bot_amplification") if pd.isna(row[name])]
    if missing:
        parts.append(f"{' and '.join(missing)} not scored (score combined over the other components)")
    return "; ".join(parts)


def rank_accounts(
    components: pd.DataFrame,
    weights: dict[str, float] | None = None,
    model_reasons: pd.Series | None = None,
) -> pd.DataFrame:
    """Ranked accounts. Columns out: rank, account_id, score, the components (NaN = not scored), evidence,
    top_reasons. A bot probability is a reason when the account is a ``likely_bots`` account."""
    table = components.copy()
    table["score"] = combine(components, weights)
    likely = likely_bots(components["bot_probability"])
    n_scored = int(components["bot_probability"].notna().sum())
    bot_rule = (
        f"among the {int(likely.sum())} most likely bots of {n_scored} scored accounts "
        f"(as many as the scores expect: sum of bot probabilities)"
    )
    table = table.reset_index().sort_values(["score", "account_id"], ascending=[False, True], kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    reasons = model_reasons if model_reasons is not None else pd.Series(dtype="string")
    table["top_reasons"] = [
        _reasons(row, reasons.get(row["account_id"]), bool(likely.get(row["account_id"], False)), bot_rule)
        for _, row in table.iterrows()
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
        return pd.DataFrame(
            columns=["rank", "domain", "score", "n_cascades", "mean_misinfo_probability", "reach", "top_reasons"]
        )
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
        f"{r.mean_misinfo_probability:.0%} of {int(r.n_cascades)} cascade(s) predicted misinformation; "
        f"reach {int(r.reach)}"
        for r in table.itertuples()
    ]
    return table[
        ["rank", "domain", "score", "n_cascades", "mean_misinfo_probability", "reach", "top_reasons"]
    ].reset_index(drop=True)


# ---- reshare edges and credits (shared by the full-period ranking and the two-window evaluation) ---
def reshare_credits(
    cascades: pd.DataFrame, engagements: pd.DataFrame, edges: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per (account, cascade) the reshares the account's post received there.

    The root account of a cascade is credited with every engagement of the cascade (on Twitter a
    retweet of a retweet counts for the original); any other account with its direct reshares.
    ``seeded`` is True for the cascade's root and for accounts that shared the cascade's URL directly
    (an engagement with no known parent, as in UPFD). ``edges``: ``graphs.reshare_edges`` of the
    engagements (derived when not given). Columns out: account_id, cascade_id, reshares, seeded.
    """
    size = engagements.groupby("cascade_id").size()
    roots = cascades[["cascade_id", "root_account_id"]].dropna().astype("string")
    root_rows = pd.DataFrame(
        {
            "account_id": roots["root_account_id"],
            "cascade_id": roots["cascade_id"],
            "reshares": roots["cascade_id"].map(size).fillna(0).astype(float).to_numpy(),
            "seeded": True,
        }
    )
    edges = reshare_edges(cascades, engagements) if edges is None else edges
    direct = edges.groupby(["source", "cascade_id"]).size().rename("reshares").reset_index()
    direct = direct.rename(columns={"source": "account_id"})
    direct["reshares"] = direct["reshares"].astype(float)
    direct["seeded"] = False
    known_parent = (
        engagements["parent_account_id"].notna()
        if "parent_account_id" in engagements
        else pd.Series(False, index=engagements.index)
    )
    if "parent_engagement_id" in engagements:
        known_parent |= engagements["parent_engagement_id"].notna()
    rooted = engagements["cascade_id"].isin(set(roots["cascade_id"]))
    sharers = engagements.loc[~known_parent & ~rooted, ["child_account_id", "cascade_id"]].astype("string")
    sharers = sharers.rename(columns={"child_account_id": "account_id"}).drop_duplicates()
    sharers["reshares"] = 0.0
    sharers["seeded"] = True
    table = pd.concat([root_rows, direct, sharers], ignore_index=True)
    table = table.sort_values(["account_id", "cascade_id", "seeded"], ascending=[True, True, False], kind="stable")
    # the root's whole-cascade credit wins over its direct reshares in the same cascade
    return (
        table.groupby(["account_id", "cascade_id"], sort=True)
        .agg(reshares=("reshares", "max"), seeded=("seeded", "max"))
        .reset_index()
    )


# ---- two-window evaluation (DeVerna et al. 2024): rank on window 1, dismantle window 2 ------------
TWO_WINDOW_RANKERS = ("combined", "fib", "total_retweets", "followers")
CURVE_KS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


def window_boundary(engagements: pd.DataFrame, share: float = 0.5) -> pd.Timestamp:
    """The engagement time that splits the engagements into an earlier ``share`` and the rest."""
    times = engagements["time"].dropna().sort_values(kind="stable").to_numpy()
    if len(times) == 0:
        raise ValueError("engagements have no time: cannot split into windows")
    return pd.Timestamp(times[min(int(share * len(times)), len(times) - 1)])


def cascade_misinfo_p(cascades: pd.DataFrame, cascade_scores: pd.DataFrame) -> pd.DataFrame:
    """Misinformation probability per cascade: the given label (1/0) where there is one, else the
    model's (out-of-fold) prediction, else 0. Columns out: cascade_id, misinfo_probability, source."""
    given = cascades.set_index("cascade_id")["is_misinformation"].astype("boolean").astype("Float64")
    predicted = (
        cascade_scores.set_index("cascade_id")["misinfo_probability"] if len(cascade_scores) else pd.Series(dtype=float)
    )
    predicted = predicted.reindex(given.index).astype("Float64")
    p = given.fillna(predicted).fillna(0.0).astype(float)
    source = np.where(given.notna(), "label", np.where(predicted.notna(), "predicted", "none"))
    return pd.DataFrame({"cascade_id": given.index, "misinfo_probability": p.to_numpy(), "source": source})


def dismantling_curve(edges: pd.DataFrame, ordered_ids: list[str], ks=CURVE_KS) -> pd.DataFrame:
    """Share of the misinformation reshares removed when the first k ranked accounts are removed.

    Columns in: edges (source, target, is_misinformation). A reshare is removed when its reshared or
    its resharing account is removed (node removal from the retweet network). Columns out: k,
    removed_share, removed (count); k runs over ``ks`` capped at the number of ranked accounts.
    """
    misinfo = edges[edges["is_misinformation"].astype(bool)]
    total = len(misinfo)
    position = pd.Series(np.arange(1, len(ordered_ids) + 1), index=pd.Index(ordered_ids).astype(str))
    position = position[~position.index.duplicated()]
    big = len(ordered_ids) + 1
    first = np.minimum(
        misinfo["source"].astype(str).map(position).fillna(big).to_numpy(),
        misinfo["target"].astype(str).map(position).fillna(big).to_numpy(),
    )
    rows = []
    for k in sorted({min(k, len(ordered_ids)) for k in ks if k >= 1}):
        removed = int(np.sum(first <= k))
        rows.append({"k": int(k), "removed": removed, "removed_share": removed / total if total else float("nan")})
    return pd.DataFrame(rows, columns=["k", "removed", "removed_share"])


def oracle_removed_share(edges: pd.DataFrame, ks=(10, 100, 1000)) -> dict[str, float]:
    """Removed share at k when accounts are ordered by their misinformation reshare count in the evaluated
    edges themselves: a ceiling that no ranker seeing only window 1 can be expected to pass."""
    misinfo = edges[edges["is_misinformation"].astype(bool)]
    degree = pd.concat([misinfo["source"], misinfo["target"]]).astype(str).value_counts().astype(float)
    ordered = _order(degree)
    curve = dismantling_curve(edges, ordered, tuple(ks))
    at = dict(zip(curve["k"], curve["removed_share"]))
    return {str(k): float(at.get(min(k, len(ordered)), float("nan"))) for k in ks}


def _order(score: pd.Series) -> list[str]:
    frame = pd.DataFrame({"account_id": score.index.astype(str), "score": score.to_numpy(dtype=float)})
    return frame.sort_values(["score", "account_id"], ascending=[False, True], kind="stable")["account_id"].tolist()


def window_components(
    cascades: pd.DataFrame,
    engagements: pd.DataFrame,
    cascade_scores: pd.DataFrame,
    account_scores: pd.DataFrame,
    boundary: pd.Timestamp,
    coordination_window_s: float = 60.0,
) -> pd.DataFrame:
    """Account components from the engagements (and cascades) before ``boundary`` only.

    Times only choose the window; no component sees a time. Rows: accounts active in the window.
    """
    from spreadwatch import graphs

    early = engagements[engagements["time"] < boundary]
    created = cascades["created_at"].astype("datetime64[ns, UTC]")
    in_w1 = (created < boundary).fillna(False).astype(bool) | cascades["cascade_id"].isin(set(early["cascade_id"]))
    cascades_w1 = cascades[in_w1]
    p = cascade_misinfo_p(cascades_w1, cascade_scores)
    coordination = graphs.co_engagement_pairs(early, window_s=coordination_window_s)
    components = account_components(
        cascades_w1, early, p, account_scores[["account_id", "bot_probability"]], coordination
    )
    active = set(early["child_account_id"].astype(str)) | set(cascades_w1["root_account_id"].dropna().astype(str))
    return components[components.index.astype(str).isin(active)]


def rankings_from_components(
    components: pd.DataFrame, accounts: pd.DataFrame, weights: dict[str, float] | None, exclude: set[str] | None = None
) -> dict[str, list[str]]:
    """{ranker: ordered account ids} for ``TWO_WINDOW_RANKERS``; ``exclude`` leaves every ordering."""
    orderings = {"combined": _order(combine(components, weights))}
    for name in ("fib", "total_retweets", "followers"):
        orderings[name] = _order(baseline_scores(name, components, accounts))
    exclude = exclude or set()
    return {name: [a for a in ids if a not in exclude] for name, ids in orderings.items()}


# Candidate weightings for the combined score; ``select_weights`` picks one inside window 1.
CANDIDATE_WEIGHTS = {
    "default": DEFAULT_WEIGHTS,
    "spreader": {"fib_index": 0.4, "misinfo_reach": 0.4, "misinfo_seeded": 0.2},
    "volume": {"misinfo_degree": 0.5, "misinfo_reach": 0.5},
    "amplifier": {"misinfo_amplified": 0.4, "coordination": 0.3, "bot_amplification": 0.15, "bot_probability": 0.15},
    "skeleton": {
        "fib_index": 0.35,
        "misinfo_seeded": 0.25,
        "bot_amplification": 0.2,
        "coordination": 0.1,
        "bot_probability": 0.1,
    },
}


def misinfo_edges(cascades: pd.DataFrame, engagements: pd.DataFrame) -> pd.DataFrame:
    """``reshare_edges`` plus is_misinformation from the given labels (unlabelled = False)."""
    edges = reshare_edges(cascades, engagements)
    labels = cascades.set_index("cascade_id")["is_misinformation"].astype("boolean").fillna(False)
    edges["is_misinformation"] = edges["cascade_id"].map(labels).fillna(False).astype(bool)
    return edges


def select_weights(
    cascades: pd.DataFrame,
    engagements: pd.DataFrame,
    accounts: pd.DataFrame,
    cascade_scores: pd.DataFrame,
    account_scores: pd.DataFrame,
    boundary: pd.Timestamp,
    candidates: dict[str, dict[str, float]],
    coordination_window_s: float = 60.0,
    k: int = 100,
) -> tuple[str, dict[str, float]]:
    """Pick the candidate weighting inside window 1 only: rank on its first half, dismantle its second
    half, keep the candidate removing the largest share at ``k`` (first listed wins ties).
    Returns (name, {candidate: removed share at k in the inner split})."""
    early = engagements[engagements["time"] < boundary]
    inner = window_boundary(early, 0.5)
    components = window_components(cascades, early, cascade_scores, account_scores, inner, coordination_window_s)
    edges = misinfo_edges(cascades, early[early["time"] >= inner])
    shares = {}
    for name, weights in candidates.items():
        ordered = _order(combine(components, weights))
        curve = dismantling_curve(edges, ordered, (k,))
        shares[name] = float(curve["removed_share"].iloc[-1]) if len(curve) else float("nan")
    best = max(candidates, key=lambda n: (np.nan_to_num(shares[n], nan=-1.0), -list(candidates).index(n)))
    return best, shares


def two_window_records(
    cascades: pd.DataFrame,
    engagements: pd.DataFrame,
    accounts: pd.DataFrame,
    cascade_scores: pd.DataFrame,
    account_scores: pd.DataFrame,
    weights: dict[str, float] | None = None,
    coordination_window_s: float = 60.0,
    truth: set[str] | None = None,
    ks=(10, 100, 1000),
    share: float = 0.5,
    exclude: set[str] | None = None,
    select: bool = True,
) -> dict[str, dict]:
    """The two-window evaluation of every ranker as metrics records (``models.write_metrics`` format).

    Window 2's outcome uses the given cascade labels only (``is_misinformation`` True); unlabelled
    cascades count as not misinformation. ``precision_at_k`` is added when ``truth`` (planted
    sources) is given. With ``select`` the combined ranker's weights are chosen among the config's and
    ``CANDIDATE_WEIGHTS`` by ``select_weights`` inside window 1 (window 2 is never used to choose).
    """
    boundary = window_boundary(engagements, share)
    if "bot_probability" not in account_scores:
        account_scores = pd.DataFrame({"account_id": accounts["account_id"], "bot_probability": np.nan})
    selection = None
    if select:
        candidates = {"config": weights or DEFAULT_WEIGHTS, **CANDIDATE_WEIGHTS}
        chosen, inner = select_weights(
            cascades, engagements, accounts, cascade_scores, account_scores, boundary, candidates, coordination_window_s
        )
        selection = {"chosen": chosen, "weights": candidates[chosen], "inner_removed_share_at_100": inner}
        weights = candidates[chosen]
    components = window_components(
        cascades, engagements, cascade_scores, account_scores, boundary, coordination_window_s
    )
    orderings = rankings_from_components(components, accounts, weights, exclude)
    late = engagements[engagements["time"] >= boundary]
    edges = misinfo_edges(cascades, late)
    n_misinfo = int(edges["is_misinformation"].sum())
    followers_known = float(accounts["followers_count"].notna().mean()) if len(accounts) else 0.0
    w1_accounts = set(components.index.astype(str))
    w2_accounts = set(edges.loc[edges["is_misinformation"], "source"]) | set(
        edges.loc[edges["is_misinformation"], "target"]
    )
    oracle = oracle_removed_share(edges, ks)
    records = {}
    for name, ordered in orderings.items():
        curve = dismantling_curve(edges, ordered, CURVE_KS + tuple(ks))
        at = dict(zip(curve["k"], curve["removed_share"]))
        metrics = {"removed_share_at_k": {str(k): float(at.get(min(k, len(ordered)), float("nan"))) for k in ks}}
        if truth:
            metrics["precision_at_k"] = precision_at_k(ordered, truth, ks)
            metrics["random_expectation"] = len(truth & w1_accounts) / max(len(ordered), 1)
        record = {
            "task": "rank",
            "protocol": "two_window",
            "model": name,
            "n_train": len(ordered),
            "n_test": n_misinfo,
            "metrics": metrics,
            "seeds": [],
            "curve": curve.to_dict(orient="records"),
            "windows": {
                "boundary": boundary.isoformat(),
                "share": share,
                "n_engagements_window1": int((engagements["time"] < boundary).sum()),
                "n_engagements_window2": int(len(late)),
                "n_misinfo_reshares_window2": n_misinfo,
                "n_accounts_ranked": len(ordered),
                "n_window2_misinfo_accounts_active_in_window1": len(w2_accounts & w1_accounts),
            },
            "oracle_removed_share_at_k": oracle,
            "oracle": "a ceiling, not a ranker: accounts ordered by their window-2 misinformation reshares "
            "(knows the outcome)",
            "labels_window1": "given cascade labels where present, else out-of-fold predictions",
            "outcome": "share of window-2 reshares of labelled-misinformation cascades with a removed endpoint",
        }
        if name == "followers" and followers_known == 0:
            record["note"] = (
                "followers_count is missing for every account: this ranking is by account id (a random baseline)"
            )
        if truth:
            record["n_truth"] = len(truth)
        if name == "combined":
            record["weights"] = dict(weights or DEFAULT_WEIGHTS)
            record["weight_selection"] = selection
        records[name] = record
    return records


# ---- domain ranking evaluation against expert ratings -----------------------------------------------
LOW_QUALITY_PC1 = 0.4  # Lin et al. pc1 below this counts as low quality for precision@k on that list


def domain_evaluation(
    ranked: pd.DataFrame,
    ratings: pd.DataFrame,
    ks=(10, 20, 50),
    score_column: str = "lin_pc1",
    list_column: str = "iffy_plus",
) -> dict[str, dict]:
    """Compare a domain ranking with Lin et al. 2023 pc1 and Iffy+ 2020.

    Columns in: ranked (rank, domain, score), ratings (domain, lin_pc1, iffy_plus). Returns
    ``{score_column: record, list_column: record}`` (other columns with the same meaning, e.g. the
    simulator's ``credibility`` / ``low_credibility``, can stand in); each record's metrics hold ``spearman`` (rank
    correlation of the suspicion score with 1 - pc1, or with Iffy+ membership; positive = agreement)
    and ``precision_at_k`` (share of the top-k domains that are low quality: pc1 < ``LOW_QUALITY_PC1``
    among rated domains, or on Iffy+ among all ranked domains), plus coverage counts.
    """
    from scipy.stats import spearmanr

    table = ranked[["rank", "domain", "score"]].copy()
    table["domain"] = table["domain"].astype("string").str.lower()
    rated = ratings.drop_duplicates("domain").set_index(
        ratings.drop_duplicates("domain")["domain"].astype("string").str.lower()
    )
    table["lin_pc1"] = table["domain"].map(rated[score_column]).astype(float)
    table["iffy_plus"] = table["domain"].map(rated[list_column]).astype("boolean").fillna(False).astype(bool)
    table = table.sort_values(["rank"], kind="stable")
    records = {}
    lin = table[table["lin_pc1"].notna()]
    rho = (
        float(spearmanr(lin["score"], 1 - lin["lin_pc1"]).statistic)
        if len(lin) >= 3 and lin["score"].nunique() > 1
        else float("nan")
    )
    low = (lin["lin_pc1"] < LOW_QUALITY_PC1).tolist()
    records[score_column] = _domain_record(
        score_column,
        rho,
        low,
        ks,
        {"n_domains_ranked": int(len(table)), "n_domains_rated": int(len(lin))},
        f"spearman(score, 1 - {score_column}) over rated domains; precision@k: {score_column} < "
        f"{LOW_QUALITY_PC1} among the top-k rated domains",
    )
    member = table["iffy_plus"].tolist()
    rho_iffy = (
        float(spearmanr(table["score"], table["iffy_plus"].astype(int)).statistic)
        if len(table) >= 3 and table["iffy_plus"].nunique() > 1 and table["score"].nunique() > 1
        else float("nan")
    )
    records[list_column] = _domain_record(
        list_column,
        rho_iffy,
        member,
        ks,
        {"n_domains_ranked": int(len(table)), "n_domains_on_list": int(sum(member))},
        f"precision@k: share of the top-k ranked domains on {list_column}; spearman(score, membership)",
    )
    return records


def _domain_record(protocol: str, spearman: float, hits: list[bool], ks, coverage: dict, definition: str) -> dict:
    """One ``domains`` metrics record: ``spearman`` as given, precision@k and base rate of ``hits`` (rank order)."""
    return {
        "task": "domains",
        "protocol": protocol,
        "n_train": 0,
        "n_test": len(hits),
        "seeds": [],
        "metrics": {
            "spearman": spearman,
            "precision_at_k": {str(k): float(np.mean(hits[:k])) if hits else float("nan") for k in ks},
            "base_rate": float(np.mean(hits)) if hits else float("nan"),
        },
        "coverage": coverage,
        "definition": definition,
    }
