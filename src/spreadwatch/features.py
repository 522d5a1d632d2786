"""Features: canonical tables (+ graph metrics) -> numeric feature tables, one row per account or cascade.

Every feature is relative: counts, ratios, ages, delays since a cascade's start, hour-of-day
profiles. Raw ids, labels, ground-truth kinds and absolute timestamps are never features;
``assert_no_leaky_features`` enforces this and runs on every feature table the models see.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from spreadwatch import graphs

COUNT_COLUMNS = ["followers_count", "friends_count", "statuses_count", "favourites_count", "listed_count"]
FLAG_COLUMNS = ["verified", "default_profile", "default_profile_image", "protected"]
EARLY_MINUTES = (10, 30, 60, 120, 240)
FORBIDDEN_FEATURE_NAMES = {
    "account_id", "post_id", "cascade_id", "engagement_id", "event_id", "root_post_id", "root_account_id",
    "label", "label_source", "account_kind", "is_misinformation", "created_at", "collected_at", "time",
    "screen_name", "name", "description", "domain", "url", "title", "text",
}


def _digits(series: pd.Series) -> pd.Series:
    return series.astype("string").str.count(r"\d").astype("float64")


def _length(series: pd.Series) -> pd.Series:
    return series.astype("string").str.len().astype("float64")


def reference_time(accounts: pd.DataFrame, posts: pd.DataFrame | None = None) -> pd.Timestamp | None:
    """The dataset's collection time: latest ``collected_at``, else the latest post time."""
    if "collected_at" in accounts and accounts["collected_at"].notna().any():
        return accounts["collected_at"].max()
    if posts is not None and len(posts) and posts["created_at"].notna().any():
        return posts["created_at"].max()
    return None


def profile_features(accounts: pd.DataFrame, reference: pd.Timestamp | None = None) -> pd.DataFrame:
    """BotometerLite-style profile features.

    Columns in: accounts (docs/data-model.md). Columns out (index account_id): log counts, account age
    in days at collection, growth rates (count per day of age), followers/friends ratio, lengths and
    digit counts of screen name, name and description, profile flags as 0/1 (NaN when unknown), and any
    precomputed ``f_*`` columns of feature-only datasets.
    """
    out = pd.DataFrame(index=accounts["account_id"].astype(str))
    index = out.index
    collected = accounts["collected_at"]
    if reference is not None:
        collected = collected.fillna(reference)
    age_days = ((collected - accounts["created_at"]).dt.total_seconds() / 86400.0).clip(lower=1.0)
    age = pd.Series(age_days.to_numpy(dtype=float, na_value=np.nan), index=index)
    out["account_age_days"] = age
    for column in COUNT_COLUMNS:
        values = pd.Series(accounts[column].to_numpy(dtype=float, na_value=np.nan), index=index)
        out[f"log_{column}"] = np.log1p(values)
        out[f"{column.removesuffix('_count')}_per_day"] = values / age
    followers = accounts["followers_count"].to_numpy(dtype=float, na_value=np.nan)
    friends = accounts["friends_count"].to_numpy(dtype=float, na_value=np.nan)
    out["followers_friends_ratio"] = np.log1p(followers) - np.log1p(friends)
    for column in ("screen_name", "name"):
        out[f"{column}_length"] = _length(accounts[column]).to_numpy()
        out[f"{column}_digits"] = _digits(accounts[column]).to_numpy()
    out["description_length"] = _length(accounts["description"]).fillna(0).to_numpy()
    out["description_has_url"] = (
        accounts["description"].astype("string").str.contains(r"https?://", regex=True).astype("float64").to_numpy()
    )
    for column in FLAG_COLUMNS:
        out[column] = accounts[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    for column in sorted(c for c in accounts.columns if c.startswith("f_")):
        values = pd.to_numeric(accounts[column], errors="coerce")
        out[column] = values.to_numpy(dtype=float, na_value=np.nan)
    return out


def _entropy(counts: np.ndarray) -> float:
    total = counts.sum()
    if total == 0:
        return np.nan
    p = counts[counts > 0] / total
    return float(-(p * np.log2(p)).sum())


def activity_features(posts: pd.DataFrame) -> pd.DataFrame:
    """Posting behaviour per author.

    Columns in: posts (account_id, created_at, kind, domain). Columns out (index account_id):
    n_posts, retweet_share, reply_share, url_share, distinct_domains, interevent_log_mean (log10 s),
    burstiness ((sd - mean) / (sd + mean) of inter-event times), interevent_entropy (over log bins),
    hour_entropy (circadian spread over 24 hourly bins).
    """
    columns = ["n_posts", "retweet_share", "reply_share", "url_share", "distinct_domains",
               "interevent_log_mean", "burstiness", "interevent_entropy", "hour_entropy"]
    if posts.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="account_id", dtype=str))
    frame = posts[["account_id", "created_at", "kind", "domain"]].copy()
    frame["account_id"] = frame["account_id"].astype(str)
    grouped = frame.groupby("account_id", sort=True)
    out = pd.DataFrame(index=grouped.size().index)
    out["n_posts"] = np.log1p(grouped.size())
    out["retweet_share"] = grouped["kind"].apply(lambda k: float((k == "retweet").mean()))
    out["reply_share"] = grouped["kind"].apply(lambda k: float((k == "reply").mean()))
    out["url_share"] = grouped["domain"].apply(lambda d: float(d.notna().mean()))
    out["distinct_domains"] = grouped["domain"].nunique()
    timed = frame.dropna(subset=["created_at"]).sort_values(["account_id", "created_at"], kind="stable")
    if len(timed):
        gaps = timed.groupby("account_id")["created_at"].diff().dt.total_seconds()
        timed = timed.assign(gap=gaps.clip(lower=1.0))
        g = timed.dropna(subset=["gap"]).groupby("account_id")["gap"]
        mean, sd = g.mean(), g.std()
        out["interevent_log_mean"] = np.log10(mean)
        out["burstiness"] = (sd - mean) / (sd + mean)
        bins = np.arange(0, 8.5, 0.5)
        out["interevent_entropy"] = g.apply(lambda x: _entropy(np.histogram(np.log10(x), bins=bins)[0]))
        hours = timed.assign(hour=timed["created_at"].dt.hour)
        out["hour_entropy"] = hours.groupby("account_id")["hour"].apply(
            lambda h: _entropy(np.bincount(h.to_numpy(), minlength=24).astype(float))
        )
    for column in columns:
        if column not in out:
            out[column] = np.nan
    out.index.name = "account_id"
    return out[columns].astype(float)


def network_features(
    network_metrics: pd.DataFrame, coordination: pd.DataFrame, engagements: pd.DataFrame
) -> pd.DataFrame:
    """Retweet-network and coordination features per account.

    Columns in: ``graphs.account_network_metrics`` output, ``graphs.co_engagement_pairs`` output,
    engagements (child_account_id, delay_s). Columns out (index account_id): log reshares received/made,
    n_amplified, n_amplifiers, reciprocity, log pagerank, coord_partners (accounts co-engaging within
    the window in >= 2 cascades), coord_max_shared, median_engagement_delay_log (log10 s), early_share
    (share of the account's engagements within 5 minutes of the cascade start).
    """
    metrics = network_metrics.set_index("account_id")
    out = pd.DataFrame(index=metrics.index.astype(str))
    out["log_reshares_received"] = np.log1p(metrics["reshares_received"].astype(float))
    out["log_reshares_made"] = np.log1p(metrics["reshares_made"].astype(float))
    out["n_amplified"] = np.log1p(metrics["n_amplified"].astype(float))
    out["n_amplifiers"] = np.log1p(metrics["n_amplifiers"].astype(float))
    out["reciprocity"] = metrics["reciprocity"].astype(float)
    out["log_pagerank"] = np.log10(metrics["pagerank"].astype(float) * max(len(metrics), 1))
    if len(coordination):
        strong = coordination[coordination["n_cascades"] >= 2]
        both = pd.concat(
            [strong.rename(columns={"account_a": "a", "account_b": "b"}),
             strong.rename(columns={"account_b": "a", "account_a": "b"})]
        )
        partners = both.groupby("a")["b"].nunique()
        shared = pd.concat(
            [coordination.rename(columns={"account_a": "a"})[["a", "n_cascades"]],
             coordination.rename(columns={"account_b": "a"})[["a", "n_cascades"]]]
        ).groupby("a")["n_cascades"].max()
        out = out.join(np.log1p(partners.rename("coord_partners")), how="outer")
        out = out.join(shared.rename("coord_max_shared").astype(float), how="outer")
    else:
        out["coord_partners"] = np.nan
        out["coord_max_shared"] = np.nan
    delays = engagements[["child_account_id", "delay_s"]].dropna()
    if len(delays):
        g = delays.groupby("child_account_id")["delay_s"]
        out = out.join(np.log10(g.median().clip(lower=1.0)).rename("median_engagement_delay_log"), how="outer")
        out = out.join(g.apply(lambda d: float((d <= 300).mean())).rename("early_share"), how="outer")
    out.index = out.index.astype(str)
    out.index.name = "account_id"
    for column in ("coord_partners", "coord_max_shared"):
        out[column] = out[column].fillna(0.0)
    return out.sort_index()


def account_features(
    accounts: pd.DataFrame,
    posts: pd.DataFrame,
    network_metrics: pd.DataFrame | None = None,
    coordination: pd.DataFrame | None = None,
    engagements: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """All account features available for a dataset, indexed by account_id (one row per account)."""
    reference = reference_time(accounts, posts)
    table = profile_features(accounts, reference)
    if len(posts):
        table = table.join(activity_features(posts), how="left")
    if network_metrics is not None and len(network_metrics):
        net = network_features(network_metrics, coordination, engagements)
        table = table.join(net, how="left")
        fill = [c for c in net.columns if c not in ("median_engagement_delay_log", "early_share")]
        table[fill] = table[fill].fillna(0.0)
    # drop columns with no information at all (e.g. profile fields a dataset does not have)
    informative = [c for c in table.columns if table[c].notna().any() and table[c].nunique(dropna=True) > 1]
    table = table[informative].astype(float).sort_index()
    table.index.name = "account_id"
    assert_no_leaky_features(table)
    return table


def cascade_features(
    cascades: pd.DataFrame,
    engagements: pd.DataFrame,
    account_table: pd.DataFrame | None = None,
    bot_probability: pd.Series | None = None,
    cutoff_s: float | None = None,
    first_k: int | None = None,
) -> pd.DataFrame:
    """Structure, timing and engager features per cascade, from relative times only.

    ``cutoff_s`` keeps only engagements within that many seconds of the start; ``first_k`` only the
    first k engagements (early detection). Columns out (index cascade_id): size, depth, max_breadth,
    root_fanout_share, structural_virality (networkx trees), reply_share, quote_share,
    distinct_engager_share, growth_{m}min (log count within m minutes), delay_median_log,
    delay_to_10_log, engager means (bot probability, early bot share, followers, account age) and the
    root account's log followers where known.
    """
    if cascades.empty:
        return pd.DataFrame(index=pd.Index([], name="cascade_id", dtype=str))
    eng = engagements.dropna(subset=["delay_s"]).sort_values(["cascade_id", "delay_s"], kind="stable")
    if cutoff_s is not None:
        eng = eng[eng["delay_s"] <= cutoff_s]
    if first_k is not None:
        eng = eng.groupby("cascade_id", sort=False).head(first_k)
    trees = graphs.propagation_graphs(cascades, eng)
    structure = pd.DataFrame.from_dict(
        {cid: graphs.tree_structure(tree) for cid, tree in trees.items()}, orient="index"
    )
    out = structure.copy()
    out["size"] = np.log1p(out["size"])
    grouped = eng.groupby("cascade_id", sort=True)
    kinds = grouped["kind"]
    out["reply_share"] = kinds.apply(lambda k: float((k == "reply").mean()))
    out["quote_share"] = kinds.apply(lambda k: float((k == "quote").mean()))
    out["distinct_engager_share"] = grouped["child_account_id"].nunique() / grouped.size()
    for minutes in EARLY_MINUTES:
        if cutoff_s is not None and minutes * 60 > cutoff_s:
            continue
        within = eng[eng["delay_s"] <= minutes * 60].groupby("cascade_id").size()
        out[f"growth_{minutes}min"] = np.log1p(within.reindex(out.index).fillna(0))
    out["delay_median_log"] = np.log10(grouped["delay_s"].median().clip(lower=1.0))
    out["delay_to_10_log"] = np.log10(
        grouped["delay_s"].apply(lambda d: d.iloc[9] if len(d) >= 10 else np.nan).clip(lower=1.0)
    )
    engagers = eng[["cascade_id", "child_account_id", "delay_s"]].copy()
    engagers["child_account_id"] = engagers["child_account_id"].astype(str)
    if bot_probability is not None and len(bot_probability):
        engagers["bot_p"] = engagers["child_account_id"].map(bot_probability)
        g = engagers.groupby("cascade_id")
        out["engager_bot_mean"] = g["bot_p"].mean()
        early = engagers.groupby("cascade_id", sort=False).head(10)
        out["early_bot_share"] = early.assign(b=early["bot_p"] > 0.5).groupby("cascade_id")["b"].mean()
    if account_table is not None and len(account_table):
        for column, name in (("log_followers_count", "engager_log_followers"), ("account_age_days", "engager_age_days")):
            if column in account_table:
                engagers[name] = engagers["child_account_id"].map(account_table[column])
                out[name] = engagers.groupby("cascade_id")[name].mean()
        if "log_followers_count" in account_table and cascades["root_account_id"].notna().any():
            roots = cascades.set_index("cascade_id")["root_account_id"].astype("string")
            out["root_log_followers"] = roots.map(account_table["log_followers_count"]).astype(float)
    out = out.reindex(sorted(cascades["cascade_id"].astype(str)))
    out.index.name = "cascade_id"
    out = out.astype(float)
    assert_no_leaky_features(out)
    return out


_ID_LIKE = re.compile(r"(^|_)(id|ids)$")


def assert_no_leaky_features(table: pd.DataFrame) -> None:
    """Raise ValueError if a feature is a raw id, a label, ground truth or an absolute timestamp."""
    problems = []
    for column in table.columns:
        if column in FORBIDDEN_FEATURE_NAMES or _ID_LIKE.search(column):
            problems.append(f"{column}: raw id / label / absolute time column")
        elif pd.api.types.is_datetime64_any_dtype(table[column]):
            problems.append(f"{column}: absolute timestamp")
        elif not pd.api.types.is_numeric_dtype(table[column]):
            problems.append(f"{column}: not numeric")
    if problems:
        raise ValueError("leaky or invalid model inputs: " + "; ".join(problems))
