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
from spreadwatch.progress import progress_steps

COUNT_COLUMNS = ["followers_count", "friends_count", "statuses_count", "favourites_count", "listed_count"]
FLAG_COLUMNS = ["verified", "default_profile", "default_profile_image", "protected"]
EARLY_MINUTES = (10, 30, 60, 120, 240)
FORBIDDEN_FEATURE_NAMES = {
    "account_id",
    "post_id",
    "cascade_id",
    "engagement_id",
    "event_id",
    "root_post_id",
    "root_account_id",
    "label",
    "label_source",
    "account_kind",
    "is_misinformation",
    "created_at",
    "collected_at",
    "time",
    "screen_name",
    "name",
    "description",
    "domain",
    "url",
    "title",
    "text",
}


def reference_time(accounts: pd.DataFrame, posts: pd.DataFrame | None = None) -> pd.Timestamp | None:
    """The dataset's collection time: latest ``collected_at``, else the latest post time."""
    if "collected_at" in accounts and accounts["collected_at"].notna().any():
        return accounts["collected_at"].max()
    if posts is not None and len(posts) and posts["created_at"].notna().any():
        return posts["created_at"].max()
    return None


# ---- character bigram name model (BotometerLite's screen_name_likelihood) --------------------------
_NAME_START, _NAME_END = "\x02", "\x03"


def char_counts(text: pd.Series) -> pd.DataFrame:
    """Per-row character counts of a text column in one vectorised pass over the code points.

    Columns out (same order as ``text``): length, digits (0-9), upper (A-Z), nonascii, words (runs of
    non-whitespace); NaN where the text is missing."""
    series = text.astype("string")
    present = series.notna().to_numpy()
    values = series.fillna("").to_numpy(dtype=object)
    lengths = series.str.len().fillna(0).to_numpy(dtype=np.int64)
    chars = np.frombuffer("".join(values).encode("utf-32-le"), dtype=np.uint32)
    owner = np.repeat(np.arange(len(values)), lengths)
    out = {"length": lengths.astype(float)}
    for name, mask in (
        ("digits", (chars >= 48) & (chars <= 57)),
        ("upper", (chars >= 65) & (chars <= 90)),
        ("nonascii", chars > 127),
    ):
        out[name] = np.bincount(owner[mask], minlength=len(values)).astype(float)
    space = np.isin(chars, np.array([9, 10, 11, 12, 13, 32, 0xA0, 0x3000], dtype=np.uint32))
    starts = np.ones(len(chars), dtype=bool)  # a character starts a word unless its left neighbour
    starts[1:] = (owner[1:] != owner[:-1]) | space[:-1]  # in the same text is a non-space
    out["words"] = np.bincount(owner[starts & ~space], minlength=len(values)).astype(float)
    frame = pd.DataFrame(out)
    frame.loc[~present, :] = np.nan
    return frame


def _name_codes(names: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bigram codes of lower-cased names framed by start/end marks.

    Returns (codes, owner, first_chars): one int64 code per bigram (first_char * 2**21 + second_char),
    the row each bigram belongs to, and the first character of each bigram. Missing names give no bigrams.
    """
    text = names.astype("string").str.lower()
    present = text.notna().to_numpy()
    framed = (_NAME_START + text.fillna("") + _NAME_END).to_numpy(dtype=object)
    lengths = (text.str.len().fillna(0) + 2).to_numpy(dtype=np.int64)
    chars = np.frombuffer("".join(framed).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    owner_chars = np.repeat(np.arange(len(framed)), lengths)
    same = owner_chars[:-1] == owner_chars[1:]
    first, second, owner = chars[:-1][same], chars[1:][same], owner_chars[:-1][same]
    keep = present[owner]
    return (first * 2**21 + second)[keep], owner[keep], first[keep]


def fit_name_model(names: pd.Series) -> dict:
    """Character bigram counts of a set of names (no labels): ``{bigrams, bigram_counts, chars,
    char_counts, vocabulary}`` as sorted int lists (JSON-serialisable)."""
    codes, _, first = _name_codes(names)
    bigrams, bigram_counts = np.unique(codes, return_counts=True)
    chars, char_counts = np.unique(first, return_counts=True)
    vocabulary = len(np.union1d(chars, np.unique(codes % 2**21))) + 1
    return {
        "bigrams": bigrams.tolist(),
        "bigram_counts": bigram_counts.tolist(),
        "chars": chars.tolist(),
        "char_counts": char_counts.tolist(),
        "vocabulary": int(vocabulary),
    }


def fit_shared_name_model(accounts_by_dataset: dict[str, pd.DataFrame]) -> dict:
    """``fit_name_model`` on the screen_name column of every dataset's accounts together (no labels)."""
    names = [a["screen_name"] for a in accounts_by_dataset.values() if "screen_name" in a]
    return fit_name_model(pd.concat(names) if names else pd.Series([], dtype="string"))


def name_log_likelihood(model: dict, names: pd.Series) -> np.ndarray:
    """Mean log P(next char | char) over a name's bigrams (add-one smoothing); NaN for missing names.

    Low values mean an unusual name such as a random string of letters and digits."""
    codes, owner, first = _name_codes(names)
    out = np.full(len(names), np.nan)
    if len(codes) == 0:
        return out
    bigrams = np.asarray(model["bigrams"], dtype=np.int64)
    chars = np.asarray(model["chars"], dtype=np.int64)

    def lookup(keys, table, counts):
        if len(table) == 0:
            return np.zeros(len(keys))
        pos = np.clip(np.searchsorted(table, keys), 0, len(table) - 1)
        return np.where(table[pos] == keys, np.asarray(counts, dtype=float)[pos], 0.0)

    def log_p(keys, firsts):
        return np.log(lookup(keys, bigrams, model["bigram_counts"]) + 1.0) - np.log(
            lookup(firsts, chars, model["char_counts"]) + model["vocabulary"]
        )

    # ASCII bigrams (almost all of them) come from a dense 128 x 128 table; the rest from sorted lookups
    grid = np.arange(128 * 128, dtype=np.int64)
    dense = log_p((grid // 128) * 2**21 + grid % 128, grid // 128)
    second = codes % 2**21
    ascii_pair = (first < 128) & (second < 128)
    logp = np.empty(len(codes))
    logp[ascii_pair] = dense[first[ascii_pair] * 128 + second[ascii_pair]]
    logp[~ascii_pair] = log_p(codes[~ascii_pair], first[~ascii_pair])
    total = np.bincount(owner, weights=logp, minlength=len(names))
    count = np.bincount(owner, minlength=len(names))
    has = count > 0
    out[has] = total[has] / count[has]
    return out


def _column(accounts: pd.DataFrame, column: str) -> pd.Series | None:
    """The column if the table has it with at least one value, else None (feature absent, not zero)."""
    if column not in accounts or not accounts[column].notna().any():
        return None
    return accounts[column]


def _floats(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def profile_features(
    accounts: pd.DataFrame,
    reference: pd.Timestamp | None = None,
    name_model: dict | None = None,
    name_models: dict[str, dict] | None = None,
) -> pd.DataFrame:
    """BotometerLite-style profile features, computed only from the columns a dataset has.

    Columns in: accounts (docs/data-model.md); a column that is absent or entirely missing gives no
    feature (never zeros). Columns out (index account_id): ``account_age_days`` at collection
    (``collected_at``, else ``reference``), ``log_{count}`` and ``{count}_per_day`` growth rates,
    ``followers_friends_ratio``, ``statuses_followers_ratio``, ``favourites_statuses_ratio`` (log
    differences), screen name / name length, digits, upper-case letters, non-ASCII characters and
    ``*_likelihood`` (character bigram model: ``name_model`` if given, else ``name_models[column]``,
    else fitted without labels on the names of this table), ``name_words``, ``name_screen_name_match``,
    description length/words/URL flag, ``has_location``, ``has_url``, profile flags as 0/1 (NaN unknown),
    and any precomputed ``f_*`` columns of feature-only datasets.
    """
    out = pd.DataFrame(index=accounts["account_id"].astype(str))
    index = out.index
    created = _column(accounts, "created_at")
    collected = accounts["collected_at"] if "collected_at" in accounts else pd.Series(pd.NaT, index=accounts.index)
    if reference is not None:
        collected = collected.fillna(reference)
    age = None
    if created is not None and collected.notna().any():
        age_days = ((collected - created).dt.total_seconds() / 86400.0).clip(lower=1.0)
        age = pd.Series(age_days.to_numpy(dtype=float, na_value=np.nan), index=index)
        out["account_age_days"] = age
    counts = {}
    for column in COUNT_COLUMNS:
        series = _column(accounts, column)
        if series is None:
            continue
        counts[column] = values = pd.Series(_floats(series), index=index)
        out[f"log_{column}"] = np.log1p(values)
        if age is not None:
            out[f"{column.removesuffix('_count')}_per_day"] = values / age
    for name, (a, b) in {
        "followers_friends_ratio": ("followers_count", "friends_count"),
        "statuses_followers_ratio": ("statuses_count", "followers_count"),
        "favourites_statuses_ratio": ("favourites_count", "statuses_count"),
    }.items():
        if a in counts and b in counts:
            out[name] = np.log1p(counts[a]) - np.log1p(counts[b])
    for column in ("screen_name", "name"):
        series = _column(accounts, column)
        if series is None:
            continue
        text = series.astype("string")
        for stat, values in char_counts(text).items():
            if stat != "words" or column == "name":
                out[f"{column}_{stat}"] = values.to_numpy()
        model = name_model if name_model is not None else (name_models or {}).get(column) or fit_name_model(text)
        out[f"{column}_likelihood"] = name_log_likelihood(model, text)
    name, screen = _column(accounts, "name"), _column(accounts, "screen_name")
    if name is not None and screen is not None:
        squashed = name.astype("string").str.lower().str.replace(r"[^a-z0-9]", "", regex=True)
        handle = screen.astype("string").str.lower().str.replace(r"[^a-z0-9]", "", regex=True).str[:4]
        both = (handle.notna() & squashed.notna()).to_numpy()
        found = np.strings.find(squashed.fillna("").to_numpy(dtype=str), handle.fillna("").to_numpy(dtype=str)) >= 0
        nonempty = handle.fillna("").str.len().to_numpy() > 0
        out["name_screen_name_match"] = np.where(both, (found & nonempty).astype(float), np.nan)
    description = _column(accounts, "description")
    if description is not None:
        text = description.astype("string")
        bio = char_counts(text).fillna(0.0)  # a missing bio in a dataset that has bios is an empty one
        out["description_length"] = bio["length"].to_numpy()
        out["description_words"] = bio["words"].to_numpy()
        out["description_has_url"] = (
            text.str.contains(r"https?://", regex=True).fillna(False).astype("float64").to_numpy()
        )
    for column, feature in (("location", "has_location"), ("url", "has_url")):
        series = _column(accounts, column)
        if series is not None:
            out[feature] = series.notna().astype("float64").to_numpy()
    for column in FLAG_COLUMNS:
        if _column(accounts, column) is not None:
            out[column] = accounts[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    for column in sorted(c for c in accounts.columns if c.startswith("f_")):
        out[column] = _floats(accounts[column])
    return out


# Feature-only datasets name some profile fields differently (Hays et al. 2023, caverlee, gilani).
PORTABLE_ALIASES = {
    "f_follower": "followers_count",
    "f_friend": "friends_count",
    "f_status": "statuses_count",
    "f_listed": "listed_count",
    "f_verified": "verified",
    "f_protected": "protected",
}
PORTABLE_FEATURE_ALIASES = {
    "f_bio_len": "description_length",
    "f_description_length": "description_length",
    "f_screen_name_length": "screen_name_length",
    "f_age_of_account_in_days": "account_age_days",
}


def portable_profile_features(accounts: pd.DataFrame, name_model: dict | None = None) -> pd.DataFrame:
    """Profile features under one naming across datasets, for cross-dataset (leave-one-dataset-out) use.

    Columns in: accounts of any bot dataset. Feature-only columns that carry a canonical profile field
    (``PORTABLE_ALIASES``: Hays ``f_follower`` -> ``followers_count``, ...) fill that field first; those
    that equal a profile feature (``PORTABLE_FEATURE_ALIASES``) fill it where it
    is absent. Columns out
    (index account_id): ``profile_features`` without the dataset-specific ``f_*`` columns; a feature the
    dataset cannot provide is NaN throughout.
    """
    frame = accounts.copy()
    for source, target in PORTABLE_ALIASES.items():
        if source in frame and (target not in frame or not frame[target].notna().any()):
            values = pd.to_numeric(frame[source], errors="coerce")
            frame[target] = values.astype("boolean") if target in FLAG_COLUMNS else values.round().astype("Int64")
    table = profile_features(frame, reference_time(frame), name_model=name_model)
    for source, target in PORTABLE_FEATURE_ALIASES.items():
        if source in table and (target not in table or not table[target].notna().any()):
            table[target] = table[source]
    return table[[c for c in table.columns if not c.startswith("f_")]]


def _row_entropy(counts: np.ndarray) -> np.ndarray:
    """Shannon entropy (bits) of each row of a count matrix; NaN for an all-zero row.

    Bit-for-bit the one-row computation ``-(p * log2(p)).sum()`` over the non-zero cells (the test keeps
    that reference): rows are grouped by their number k of non-zero cells, and the
    non-zero terms of each group (kept in column order) are summed along the last axis of a contiguous
    rows x k array, which is the summation numpy does for one row's 1-D array."""
    counts = np.asarray(counts, dtype=float)
    total = counts.sum(axis=1)
    out = np.full(len(counts), np.nan)
    nonzero = counts > 0
    k = nonzero.sum(axis=1)
    for size in np.unique(k[total > 0]):
        rows = np.flatnonzero((k == size) & (total > 0))
        mask = nonzero[rows]
        values = counts[rows][mask].reshape(len(rows), size)  # row-major: each row's non-zeros in order
        p = values / total[rows][:, None]
        out[rows] = -(p * np.log2(p)).sum(axis=1)
    return out


def _grouped_counts(codes: np.ndarray, bins: np.ndarray, n_groups: int, n_bins: int) -> np.ndarray:
    """groups x bins count matrix from parallel arrays of group codes and bin indices."""
    flat = np.bincount(codes * n_bins + bins, minlength=n_groups * n_bins)
    return flat.reshape(n_groups, n_bins).astype(float)


def activity_features(posts: pd.DataFrame) -> pd.DataFrame:
    """Posting behaviour per author.

    Columns in: posts (account_id, created_at, kind, domain). Columns out (index account_id):
    n_posts, retweet_share, reply_share, url_share, distinct_domains, interevent_log_mean (log10 s),
    burstiness ((sd - mean) / (sd + mean) of inter-event times), interevent_entropy (over log bins),
    hour_entropy (circadian spread over 24 hourly bins). Vectorised: group-by aggregations and count
    matrices, no per-account Python calls.
    """
    columns = [
        "n_posts",
        "retweet_share",
        "reply_share",
        "url_share",
        "distinct_domains",
        "interevent_log_mean",
        "burstiness",
        "interevent_entropy",
        "hour_entropy",
    ]
    if posts.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="account_id", dtype=str))
    frame = posts[["account_id", "created_at", "kind", "domain"]].copy()
    frame["account_id"] = frame["account_id"].astype(str)
    frame["is_retweet"] = frame["kind"] == "retweet"
    frame["is_reply"] = frame["kind"] == "reply"
    frame["has_url"] = frame["domain"].notna()
    grouped = frame.groupby("account_id", sort=True)
    out = pd.DataFrame(index=grouped.size().index)
    out["n_posts"] = np.log1p(grouped.size())
    shares = grouped[["is_retweet", "is_reply", "has_url"]].mean()
    out["retweet_share"] = shares["is_retweet"].astype(float)
    out["reply_share"] = shares["is_reply"].astype(float)
    out["url_share"] = shares["has_url"].astype(float)
    out["distinct_domains"] = grouped["domain"].nunique()
    timed = frame.dropna(subset=["created_at"]).sort_values(["account_id", "created_at"], kind="stable")
    if len(timed):
        gaps = timed.groupby("account_id")["created_at"].diff().dt.total_seconds()
        timed = timed.assign(gap=gaps.clip(lower=1.0))
        with_gap = timed.dropna(subset=["gap"])
        g = with_gap.groupby("account_id")["gap"]
        mean, sd = g.mean(), g.std()
        out["interevent_log_mean"] = np.log10(mean)
        out["burstiness"] = (sd - mean) / (sd + mean)
        # entropy over half-decade bins of log10(gap) in [0, 8] (np.histogram's edges: last bin closed)
        bins = np.arange(0, 8.5, 0.5)
        gap_accounts = pd.Index(mean.index)
        codes = gap_accounts.get_indexer(with_gap["account_id"])
        log_gap = np.log10(with_gap["gap"].to_numpy(dtype=float))
        which = np.searchsorted(bins, log_gap, side="right") - 1
        which[log_gap == bins[-1]] = len(bins) - 2
        inside = (log_gap >= bins[0]) & (log_gap <= bins[-1])
        counts = _grouped_counts(codes[inside], which[inside], len(gap_accounts), len(bins) - 1)
        out["interevent_entropy"] = pd.Series(_row_entropy(counts), index=gap_accounts)
        hour_accounts = pd.Index(timed["account_id"].unique()).sort_values()
        codes = hour_accounts.get_indexer(timed["account_id"])
        hours = _grouped_counts(codes, timed["created_at"].dt.hour.to_numpy(dtype=np.int64), len(hour_accounts), 24)
        out["hour_entropy"] = pd.Series(_row_entropy(hours), index=hour_accounts)
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
            [
                strong.rename(columns={"account_a": "a", "account_b": "b"}),
                strong.rename(columns={"account_b": "a", "account_a": "b"}),
            ]
        )
        partners = both.groupby("a")["b"].nunique()
        shared = (
            pd.concat(
                [
                    coordination.rename(columns={"account_a": "a"})[["a", "n_cascades"]],
                    coordination.rename(columns={"account_b": "a"})[["a", "n_cascades"]],
                ]
            )
            .groupby("a")["n_cascades"]
            .max()
        )
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


def text_features(
    accounts: pd.DataFrame,
    posts: pd.DataFrame,
    embed,
    n_components: int = 16,
    posts_per_account: int = 5,
) -> pd.DataFrame:
    """Text family: profile description and own-post embeddings (MiniLM), reduced per family by PCA.

    In: ``accounts[account_id, description]``, ``posts[post_id, account_id, kind, text]`` and
    ``embed(list[str]) -> (n, d) array`` (``text.MiniLMEmbedder.embed``). The first
    ``posts_per_account`` original posts of an account (by post id order) are embedded and averaged.
    Out: index account_id, columns ``desc_emb_00..`` and ``post_emb_00..`` (only the families that have
    text). The PCA is fitted on all accounts without labels, so it leaks no label; accounts without text
    get NaN (the trees handle missing values).
    """
    from sklearn.decomposition import PCA

    ids = accounts["account_id"].astype(str)
    families: dict[str, pd.DataFrame] = {}
    if "description" in accounts.columns:
        described = accounts.loc[accounts["description"].fillna("").str.strip().str.len() > 0]
        if len(described) > n_components:
            families["desc_emb"] = pd.DataFrame(
                embed(described["description"].astype(str).tolist()), index=described["account_id"].astype(str)
            )
    if len(posts) and "text" in posts.columns:
        own = posts.loc[
            posts["text"].notna() & (posts.get("kind", "original") == "original"), ["post_id", "account_id", "text"]
        ]
        own = own.sort_values(["account_id", "post_id"]).groupby("account_id", sort=True).head(posts_per_account)
        if own["account_id"].nunique() > n_components:
            vectors = pd.DataFrame(embed(own["text"].astype(str).tolist()), index=own["account_id"].astype(str))
            families["post_emb"] = vectors.groupby(level=0).mean()
    table = pd.DataFrame(index=pd.Index(sorted(set(ids)), name="account_id"))
    for prefix, vectors in families.items():
        k = min(n_components, vectors.shape[1], len(vectors) - 1)
        reduced = PCA(n_components=k, random_state=0).fit_transform(vectors.to_numpy(dtype=np.float64))
        columns = [f"{prefix}_{i:02d}" for i in range(k)]
        table = table.join(pd.DataFrame(reduced, index=vectors.index, columns=columns), how="left")
    return table


def account_features(
    accounts: pd.DataFrame,
    posts: pd.DataFrame,
    network_metrics: pd.DataFrame | None = None,
    coordination: pd.DataFrame | None = None,
    engagements: pd.DataFrame | None = None,
    text: pd.DataFrame | None = None,
    reference: pd.Timestamp | None = None,
    name_models: dict[str, dict] | None = None,
    drop_uninformative: bool = True,
) -> pd.DataFrame:
    """All account features available for a dataset, indexed by account_id (one row per account).
    ``text`` is an optional ``text_features`` table (off by default: it costs a MiniLM pass).
    A shard of a dataset (``spreadwatch.shards``) passes the whole dataset's ``reference`` time and
    ``name_models`` and keeps every column (``drop_uninformative=False``; the gather drops them)."""
    bar = progress_steps("account features", total=4)
    reference = reference if reference is not None else reference_time(accounts, posts)
    table = profile_features(accounts, reference, name_models=name_models)
    bar.step("profile")
    if len(posts):
        table = table.join(activity_features(posts), how="left")
    bar.step("activity")
    if text is not None and len(text.columns):
        table = table.join(text, how="left")
    if network_metrics is not None and len(network_metrics):
        net = network_features(network_metrics, coordination, engagements)
        table = table.join(net, how="left")
        fill = [c for c in net.columns if c not in ("median_engagement_delay_log", "early_share")]
        table[fill] = table[fill].fillna(0.0)
    bar.step("network")
    # drop columns with no information at all (e.g. profile fields a dataset does not have)
    if drop_uninformative:
        table = table[informative_columns(table)]
    table = table.astype(float).sort_index()
    table.index.name = "account_id"
    assert_no_leaky_features(table)
    bar.step("checks")
    bar.close()
    return table


def informative_columns(table: pd.DataFrame) -> list[str]:
    """Columns with at least two distinct non-missing values."""
    return [c for c in table.columns if table[c].notna().any() and table[c].nunique(dropna=True) > 1]


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
    root_fanout_share, structural_virality (networkx trees), branching (mean children of inner nodes),
    leaf_share, reply_share, retweet_share, quote_share, distinct_engagers (log count),
    distinct_engager_share, growth_{m}min (log count within m minutes; only m within the cut-off),
    delay_median_log, delay_to_10_log, delay_first_log, delay_q90_log, inter-arrival statistics
    (gap_log_mean, gap_log_sd, gap_burstiness), engager bot probability (mean, median, q90, early bot
    share), engager followers / account age means and the root account's log followers where known.
    """
    if cascades.empty:
        return pd.DataFrame(index=pd.Index([], name="cascade_id", dtype=str))
    eng = truncate_engagements(engagements, cutoff_s, first_k)
    # all trees at once from parent pointers (the same values as graphs.tree_structure / tree_shape)
    out = graphs.tree_metrics(cascades, eng)
    out.index.name = None
    out["size"] = np.log1p(out["size"])
    grouped = eng.groupby("cascade_id", sort=True)
    kind_shares = (
        eng.assign(**{f"_{k}": eng["kind"] == k for k in ("reply", "retweet", "quote")})
        .groupby("cascade_id", sort=True)[["_reply", "_retweet", "_quote"]]
        .mean()
    )
    out["reply_share"] = kind_shares["_reply"].astype(float)
    out["retweet_share"] = kind_shares["_retweet"].astype(float)
    out["quote_share"] = kind_shares["_quote"].astype(float)
    out["distinct_engagers"] = np.log1p(grouped["child_account_id"].nunique())
    out["distinct_engager_share"] = grouped["child_account_id"].nunique() / grouped.size()
    out = out.join(interarrival_features(eng))
    for minutes in GROWTH_MINUTES:
        if cutoff_s is not None and minutes * 60 > cutoff_s:
            continue
        within = eng[eng["delay_s"] <= minutes * 60].groupby("cascade_id").size()
        out[f"growth_{minutes}min"] = np.log1p(within.reindex(out.index).fillna(0))
    out["delay_median_log"] = np.log10(grouped["delay_s"].median().clip(lower=1.0))
    tenth = eng[grouped.cumcount().to_numpy() == 9]  # the 10th engagement of each cascade (frame order)
    out["delay_to_10_log"] = np.log10(tenth.set_index("cascade_id")["delay_s"].reindex(out.index).clip(lower=1.0))
    engagers = eng[["cascade_id", "child_account_id", "delay_s"]].copy()
    engagers["child_account_id"] = engagers["child_account_id"].astype(str)
    if bot_probability is not None and len(bot_probability):
        engagers["bot_p"] = engagers["child_account_id"].map(bot_probability).astype("float64")
        g = engagers.groupby("cascade_id")
        out["engager_bot_mean"] = g["bot_p"].mean()
        out["engager_bot_median"] = g["bot_p"].median()
        out["engager_bot_q90"] = g["bot_p"].quantile(0.9)
        early = engagers.groupby("cascade_id", sort=False).head(10)
        out["early_bot_share"] = early.assign(b=early["bot_p"] > 0.5).groupby("cascade_id")["b"].mean()
    if account_table is not None and len(account_table):
        for column, name in (
            ("log_followers_count", "engager_log_followers"),
            ("account_age_days", "engager_age_days"),
        ):
            if column in account_table:
                engagers[name] = engagers["child_account_id"].map(account_table[column]).astype("float64")
                out[name] = engagers.groupby("cascade_id")[name].mean()
        if "log_followers_count" in account_table and cascades["root_account_id"].notna().any():
            roots = cascades.set_index("cascade_id")["root_account_id"].astype("string")
            out["root_log_followers"] = roots.map(account_table["log_followers_count"]).astype(float)
    out = out.reindex(sorted(cascades["cascade_id"].astype(str)))
    out.index.name = "cascade_id"
    out = out.astype(float)
    assert_no_leaky_features(out)
    return out


GROWTH_MINUTES = EARLY_MINUTES + (720, 1440)


def tree_shape(tree) -> dict[str, float]:
    """Branching (mean number of children of nodes that have any) and leaf share of a propagation tree."""
    n = tree.number_of_nodes()
    if n <= 1:
        return {"branching": 0.0, "leaf_share": 0.0}
    degrees = np.fromiter((d for _, d in tree.out_degree()), dtype=float, count=n)
    inner = degrees[degrees > 0]
    return {"branching": float(inner.mean()), "leaf_share": float((degrees == 0).sum() / (n - 1))}


def interarrival_features(engagements: pd.DataFrame) -> pd.DataFrame:
    """Timing of a cascade's engagements relative to its start.

    Columns in: cascade_id, delay_s (seconds since the cascade's start). Columns out (index cascade_id):
    delay_first_log, delay_q90_log (log10 s), gap_log_mean, gap_log_sd (log10 of the gaps between
    consecutive engagements, gaps floored at 1 s) and gap_burstiness ((sd - mean) / (sd + mean) of gaps).
    """
    eng = engagements[["cascade_id", "delay_s"]].dropna().sort_values(["cascade_id", "delay_s"], kind="stable")
    delays = eng.groupby("cascade_id", sort=True)["delay_s"]
    out = pd.DataFrame(index=delays.size().index)
    out["delay_first_log"] = np.log10(delays.min().clip(lower=1.0))
    out["delay_q90_log"] = np.log10(delays.quantile(0.9).clip(lower=1.0))
    gaps = eng.assign(gap=delays.diff().clip(lower=1.0)).dropna(subset=["gap"])
    g = gaps.groupby("cascade_id", sort=True)["gap"]
    log_gaps = np.log10(gaps["gap"]).groupby(gaps["cascade_id"])
    out["gap_log_mean"] = log_gaps.mean()
    out["gap_log_sd"] = log_gaps.std()
    mean, sd = g.mean(), g.std()
    out["gap_burstiness"] = (sd - mean) / (sd + mean)
    return out


def participation(cascades: pd.DataFrame, engagements: pd.DataFrame, include_root: bool = False) -> pd.DataFrame:
    """Distinct (cascade_id, account_id) participation pairs, sorted: each engager of a cascade, and the
    root account too with ``include_root``. Input to the fold-safe engager history
    (``models.EngagerHistory``); account ids here index the history and are never model inputs."""
    pairs = engagements[["cascade_id", "child_account_id"]].rename(columns={"child_account_id": "account_id"})
    if include_root:
        roots = cascades[["cascade_id", "root_account_id"]].rename(columns={"root_account_id": "account_id"})
        pairs = pd.concat([pairs, roots])
    pairs = pairs.dropna().astype({"cascade_id": str, "account_id": str}).drop_duplicates()
    return pairs.sort_values(["cascade_id", "account_id"], kind="stable").reset_index(drop=True)


def truncate_engagements(
    engagements: pd.DataFrame, cutoff_s: float | None = None, first_k: int | None = None
) -> pd.DataFrame:
    """The engagements seen at an early-detection cut-off: within ``cutoff_s`` seconds of the start
    and/or the first ``first_k`` of each cascade (by delay). Rows without a delay are dropped."""
    eng = engagements.dropna(subset=["delay_s"]).sort_values(["cascade_id", "delay_s"], kind="stable")
    if cutoff_s is not None:
        eng = eng[eng["delay_s"] <= cutoff_s]
    if first_k is not None:
        eng = eng.groupby("cascade_id", sort=False).head(first_k)
    return eng


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
