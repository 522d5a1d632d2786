"""Portable bot model: trained on the union of the public labelled bot datasets, shipped, applied anywhere.

Contract
- ``union_profiles(accounts_by_dataset)``: one table of portable profile features for several bot
  datasets (``pipeline.cross_dataset.portable_profiles`` after ``derive_fields``), plus ``group`` (overlap group: sets
  that hold the same accounts are one group) and ``tier`` (the richest feature tier the account has).
- ``dedupe_labels(table)``: one label per account id across sets (conflicting ids counted and dropped;
  the Hays feature tables, which have no ids, are dropped where the raw-profile copy of the same
  accounts is present).
- ``lodo(table, ...)``: leave-one-group-out: every group is held out in turn, the tier models are
  trained on all other groups (per-(dataset, class) balanced weights), held-out accounts are scored by
  the model of their own tier. Returns the per-account held-out probabilities and a table per held-out
  dataset (ROC AUC, PR AUC, Brier, ECE, raw and calibrated).
- ``fit_calibration(p, y, weight)``: isotonic map (x/y knots, JSON) fitted on held-out predictions.
- ``train(table) -> PortableBotModel``; ``save_bot_model``/``load_bot_model`` (skops with the trusted
  types of ``models.TRUSTED_TYPES`` + a JSON sidecar with tiers, name model and calibration).
- ``PortableBotModel.score(accounts)``: ``bot_probability`` (calibrated, prior-adjusted), ``bot_tier``
  and ``score_source``; accounts without the fields of any tier get NaN ("not scored").

Features never include ids, absolute times or label giveaways: account age is measured against each
dataset's own crawl time (``collected_at``), ``verified``/``protected`` and ``lang`` are not used
(verified-2019's ``verified`` is its label; BAS did not collect them; lang is null in 2019 crawls).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, roc_auc_score

from spreadwatch import features, models
from spreadwatch.models.persistence import _reproducible_skops
from spreadwatch.safe_csv import write_csv

log = logging.getLogger(__name__)

# overlap groups: datasets holding the same accounts (SOURCE.md of each) are held out together
OVERLAP_GROUPS = {
    "cresci2017_users": "cresci",
    "cresci2017_features": "cresci",
    "cresci2015_bas": "cresci",
    "verified_2019": "verified",
    "verified2019_features": "verified",
    "vendor_purchased_2019": "vendor",
    "vendor_purchased2019_features": "vendor",
}
# id-less Hays tables that duplicate a raw-profile set: dropped from training when that set is present
REDUNDANT_COPIES = {
    "cresci2017_features": "cresci2017_users",
    "verified2019_features": "verified_2019",
    "vendor_purchased2019_features": "vendor_purchased_2019",
}
# when one user id is in several sets, the row of the first set listed here is kept (then: fewest
# missing features, dataset name): cresci-2017 keeps its fake followers, BAS keeps its new humans
DEDUPE_PRIORITY = ("cresci2017_users",)
# one-class sets are evaluated pooled with a partner of the other class (BotometerLite's botwiki-verified)
POOLED_EVALUATIONS = {
    "botwiki+verified": ("botwiki_2019", "verified_2019"),
    "vendor+verified": ("vendor_purchased_2019", "verified_2019"),
}

_COUNTS = ["log_followers_count", "log_friends_count", "log_statuses_count"]
_NAMES = [
    "screen_name_length",
    "screen_name_digits",
    "screen_name_upper",
    "screen_name_nonascii",
    "screen_name_likelihood",
] + ["screen_name_entropy", "screen_name_digit_share", "screen_name_trailing_digits"]
_FULL_NAMES = [
    "name_length",
    "name_digits",
    "name_upper",
    "name_nonascii",
    "name_likelihood",
    "name_words",
    "name_screen_name_match",
    "name_entropy",
]
_BIO = [
    "description_length",
    "description_words",
    "description_has_url",
    "has_location",
    "has_url",
    "default_profile",
    "default_profile_image",
]
# tier -> (required raw fields, features); an account uses the first tier whose fields it has
TIERS: dict[str, tuple[list[str], list[str]]] = {
    "profile": (
        [
            "followers_count",
            "friends_count",
            "statuses_count",
            "favourites_count",
            "listed_count",
            "created_at",
            "collected_at",
            "screen_name",
            "name",
        ],
        _COUNTS
        + [
            "log_favourites_count",
            "log_listed_count",
            "followers_friends_ratio",
            "statuses_followers_ratio",
            "favourites_statuses_ratio",
            "listed_followers_ratio",
            "account_age_days",
            "followers_per_day",
            "friends_per_day",
            "statuses_per_day",
            "favourites_per_day",
            "listed_per_day",
        ]
        + _NAMES
        + _FULL_NAMES
        + _BIO,
    ),
    "profile_no_age": (
        ["followers_count", "friends_count", "statuses_count", "listed_count", "screen_name", "name"],
        _COUNTS
        + ["log_listed_count", "followers_friends_ratio", "statuses_followers_ratio", "listed_followers_ratio"]
        + _NAMES
        + _FULL_NAMES
        + _BIO,
    ),
    "counts_age": (
        ["followers_count", "friends_count", "statuses_count", "created_at", "collected_at"],
        _COUNTS
        + [
            "followers_friends_ratio",
            "statuses_followers_ratio",
            "account_age_days",
            "followers_per_day",
            "friends_per_day",
            "statuses_per_day",
        ],
    ),
    "follows_age_name": (
        ["followers_count", "friends_count", "created_at", "collected_at", "screen_name"],
        [
            "log_followers_count",
            "log_friends_count",
            "followers_friends_ratio",
            "account_age_days",
            "followers_per_day",
            "friends_per_day",
        ]
        + _NAMES,
    ),
    "counts_listed": (
        ["followers_count", "friends_count", "statuses_count", "listed_count"],
        _COUNTS
        + [
            "log_listed_count",
            "followers_friends_ratio",
            "statuses_followers_ratio",
            "listed_followers_ratio",
            "description_length",
        ],
    ),
    "counts": (
        ["followers_count", "friends_count", "statuses_count"],
        _COUNTS + ["followers_friends_ratio", "statuses_followers_ratio"],
    ),
}
META = ("account_id", "dataset", "group", "label", "id_kind", "screen_name_key", "tier", "also_in")
GILANI_COLLECTED_AT = "2016-01-01"


# ---- inputs --------------------------------------------------------------------------------------
def derive_fields(accounts: pd.DataFrame) -> pd.DataFrame:
    """Canonical profile fields recovered from feature-only columns where a dataset lacks them.

    Hays tables: ``f_follower`` etc. (``features.PORTABLE_ALIASES``). gilani-2017: followers from the
    ``f_popularity_band`` (the band's follower count), friends = followers / ``f_follower_friend_ratio``,
    and ``created_at`` = a fixed collection date minus ``f_age_of_account_in_days`` (only the age is kept
    as information). Columns out: the input plus the recovered canonical columns."""
    frame = accounts.copy()
    for source, target in features.PORTABLE_ALIASES.items():
        if source in frame and (target not in frame or not frame[target].notna().any()):
            values = pd.to_numeric(frame[source], errors="coerce")
            frame[target] = (
                values.astype("boolean") if target in features.FLAG_COLUMNS else values.round().astype("Int64")
            )
    if "f_popularity_band" in frame and ("followers_count" not in frame or not frame["followers_count"].notna().any()):
        band = pd.to_numeric(frame["f_popularity_band"], errors="coerce")
        frame["followers_count"] = band.round().astype("Int64")
        if "f_follower_friend_ratio" in frame:
            ratio = pd.to_numeric(frame["f_follower_friend_ratio"], errors="coerce")
            frame["friends_count"] = (band / ratio.where(ratio > 0)).round().astype("Int64")
    if "f_age_of_account_in_days" in frame and ("created_at" not in frame or not frame["created_at"].notna().any()):
        age = pd.to_numeric(frame["f_age_of_account_in_days"], errors="coerce")
        collected = pd.Timestamp(GILANI_COLLECTED_AT, tz="UTC")
        frame["collected_at"] = pd.Series(collected, index=frame.index).where(age.notna())
        frame["created_at"] = collected - pd.to_timedelta(age, unit="D")
    return frame


def account_tiers(accounts: pd.DataFrame) -> pd.Series:
    """The first tier (``TIERS`` order) whose required fields an account has; missing = not scorable."""
    tiers = pd.Series(pd.NA, index=accounts.index, dtype="string")
    for name, (required, _) in reversed(list(TIERS.items())):
        has = pd.Series(True, index=accounts.index)
        for column in required:
            has &= accounts[column].notna() if column in accounts else False
        tiers[has.to_numpy(dtype=bool)] = name
    return tiers


def text_entropy(text: pd.Series) -> np.ndarray:
    """Shannon entropy (bits) of each text's characters (lower-cased); NaN for missing or empty text.
    Vectorised over the code points: entropy = log2(L) - sum(n_c log2 n_c) / L."""
    series = text.astype("string").str.lower()
    lengths = series.str.len().fillna(0).to_numpy(dtype=np.int64)
    chars = np.frombuffer("".join(series.fillna("").to_numpy(dtype=object)).encode("utf-32-le"), dtype=np.uint32)
    owner = np.repeat(np.arange(len(series)), lengths)
    pairs, counts = np.unique(owner.astype(np.int64) * 2**21 + chars, return_counts=True)
    n_log_n = np.bincount(pairs // 2**21, weights=counts * np.log2(counts), minlength=len(series))
    out = np.full(len(series), np.nan)
    has = lengths > 0
    out[has] = np.log2(lengths[has]) - n_log_n[has] / lengths[has]
    return out


def extra_profile_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Portable features beyond ``features.portable_profile_features`` (row order kept): screen-name and
    name character entropy, the screen name's digit share and trailing-digit run (``anna84721``), and
    listed count against followers (log difference). NaN where the field is absent."""
    out = pd.DataFrame(index=range(len(frame)))
    for column in ("screen_name", "name"):
        text = (
            frame[column].astype("string") if column in frame else pd.Series(pd.NA, index=frame.index, dtype="string")
        )
        out[f"{column}_entropy"] = text_entropy(text)
        if column == "screen_name":
            counts = features.char_counts(text)  # code-point counts, NaN for missing names
            length, digits = counts["length"].to_numpy(), counts["digits"].to_numpy()
            out["screen_name_digit_share"] = np.where(length > 0, digits / np.where(length > 0, length, 1), np.nan)
            stripped = text.str.rstrip("0123456789").str.len()
            out["screen_name_trailing_digits"] = (
                (text.str.len() - stripped).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            )
    listed = pd.to_numeric(frame["listed_count"], errors="coerce") if "listed_count" in frame else np.nan
    followers = pd.to_numeric(frame["followers_count"], errors="coerce") if "followers_count" in frame else np.nan
    out["listed_followers_ratio"] = (
        np.asarray(np.log1p(listed) - np.log1p(followers), dtype=float)
        if "listed_count" in frame and "followers_count" in frame
        else np.nan
    )
    return out


def profile_table(accounts: pd.DataFrame, name_model: dict) -> pd.DataFrame:
    """Portable features (all tiers' columns, NaN where absent) + ``tier``, same row order as ``accounts``."""
    frame = derive_fields(accounts)
    table = features.portable_profile_features(frame, name_model=name_model).reset_index(drop=True)
    table = pd.concat([table, extra_profile_features(frame.reset_index(drop=True))], axis=1)
    columns = sorted({c for _, cols in TIERS.values() for c in cols})
    table = table.reindex(columns=columns).astype(float)
    table["tier"] = account_tiers(frame.reset_index(drop=True)).to_numpy()
    return table


def union_profiles(accounts_by_dataset: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict]:
    """One table over several labelled bot datasets: ``META`` columns + every tier feature.

    The screen-name/name bigram model is fitted on all datasets' names together (no labels) and
    returned for shipping. Rows sorted by (dataset, account_id)."""
    name_model = features.fit_shared_name_model(accounts_by_dataset)
    frames = []
    for name in sorted(accounts_by_dataset):
        accounts = accounts_by_dataset[name].reset_index(drop=True)
        meta = models.lodo_meta(accounts, name)
        meta.insert(2, "group", OVERLAP_GROUPS.get(name, name))
        profiles = profile_table(accounts, name_model)
        meta["tier"] = profiles.pop("tier").to_numpy()
        meta["also_in"] = pd.NA
        frames.append(pd.concat([meta, profiles], axis=1))
    table = pd.concat(frames, ignore_index=True)
    feature_columns = [c for c in table.columns if c not in META]
    table = table[list(META) + feature_columns]
    return table.sort_values(["dataset", "account_id"], kind="stable").reset_index(drop=True), name_model


def dedupe_labels(table: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """One label per account across sets.

    Rows without a bot/human label are dropped. Hays copies (``REDUNDANT_COPIES``) go when their
    raw-profile set is present. A user id (``id_kind`` user_id) labelled both bot and human in different
    sets is a conflict: all its rows go. A user id in several sets with one label keeps the row of the
    set first in (raw profile sets with more fields first: fewest missing features, then dataset name).
    Returns (table, counts) with counts of each removal."""
    counts = {}
    labelled = table[table["label"].isin(["bot", "human"])]
    counts["unlabelled_rows_dropped"] = int(len(table) - len(labelled))
    present = set(labelled["dataset"])
    redundant = [d for d, raw in REDUNDANT_COPIES.items() if d in present and raw in present]
    counts["hays_copy_rows_dropped"] = {d: int((labelled["dataset"] == d).sum()) for d in sorted(redundant)}
    labelled = labelled[~labelled["dataset"].isin(redundant)]
    ids = labelled["id_kind"].eq("user_id").fillna(False).to_numpy(dtype=bool)
    by_id = labelled[ids].groupby("account_id")["label"].nunique()
    conflicting = set(by_id[by_id > 1].index)
    conflict_rows = ids & labelled["account_id"].isin(conflicting).to_numpy()
    counts["conflicting_ids_dropped"] = len(conflicting)
    counts["conflicting_rows_dropped"] = int(conflict_rows.sum())
    labelled = labelled[~conflict_rows]
    feature_columns = [c for c in labelled.columns if c not in META]
    rank = {name: i for i, name in enumerate(DEDUPE_PRIORITY)}
    order = labelled.assign(
        _missing=labelled[feature_columns].isna().sum(axis=1),
        _priority=labelled["dataset"].map(lambda d: rank.get(d, len(rank))),
    )
    order = order.sort_values(["_priority", "_missing", "dataset", "account_id"], kind="stable")
    ids = order["id_kind"].eq("user_id").fillna(False).to_numpy(dtype=bool)
    dup = ids & order["account_id"].duplicated(keep="first").to_numpy()
    counts["duplicate_id_rows_dropped"] = int(dup.sum())
    others = order[dup].groupby("account_id")["dataset"].agg(lambda d: ";".join(sorted(set(d))))
    out = order[~dup].drop(columns=["_missing", "_priority"])
    out["also_in"] = out["account_id"].map(others).where(out["id_kind"].eq("user_id").fillna(False)).astype("string")
    return out.sort_values(["dataset", "account_id"], kind="stable").reset_index(drop=True), counts


# ---- model ---------------------------------------------------------------------------------------
ONE_CLASS_WEIGHT = 1.0  # relative weight of a one-class set's cell against one class of a two-class set


def balanced_weights(frame: pd.DataFrame) -> np.ndarray:
    """Each (dataset, label) cell gets the same total weight (one-class sets: ``ONE_CLASS_WEIGHT``);
    weights average 1."""
    cells = frame.groupby(["dataset", "label"], sort=False)["label"].transform("size").to_numpy(dtype=float)
    classes = frame.groupby("dataset", sort=False)["label"].transform("nunique").to_numpy()
    weight = np.where(classes == 1, ONE_CLASS_WEIGHT, 1.0) / cells
    return weight * len(weight) / weight.sum()


def make_classifier(seed: int = 0) -> HistGradientBoostingClassifier:
    """The tier classifier (small gradient boosting: fast to score, ~100 kB)."""
    return HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.1,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=seed,
    )


CELL_CAP = 3000  # rows per (dataset, class) cell: the weights balance cells anyway; caps caverlee's 41k


def cap_cells(frame: pd.DataFrame, cap: int = CELL_CAP, seed: int = 0) -> pd.DataFrame:
    """At most ``cap`` rows per (dataset, label) cell (a seeded random sample), original order kept."""
    rng = np.random.default_rng(seed)
    keep = np.zeros(len(frame), dtype=bool)
    for positions in frame.groupby(["dataset", "label"], sort=True).indices.values():
        chosen = positions if len(positions) <= cap else rng.choice(positions, cap, replace=False)
        keep[chosen] = True
    return frame[keep]


def fit_tiers(train: pd.DataFrame, seed: int = 0, min_rows: int = 50, needed=None) -> dict:
    """One classifier per tier on the training rows that have the tier's fields (rows of richer tiers
    count too), at most ``CELL_CAP`` rows per (dataset, class). Returns {tier: fitted classifier} for
    tiers with both classes (>= ``min_rows`` each). With ``needed`` (tiers of the rows to be scored),
    only the tiers ``predict_tiers`` would use for them are fitted (each needed tier, or the next poorer
    one that fits): the same predictions, fewer fits."""
    fitted = {}
    order = list(TIERS)
    train = cap_cells(train, seed=seed)
    wanted = set(order if needed is None else needed)
    for position, (tier, (_, columns)) in enumerate(TIERS.items()):
        if tier not in wanted:
            continue
        rows = train[train["tier"].isin(order[: position + 1])]
        # a richer tier qualifies only if it really has this tier's required fields
        rows = rows[rows[columns].notna().mean(axis=1) >= 0.5]
        y = (rows["label"] == "bot").to_numpy(dtype=int)
        if min(y.sum(), len(y) - y.sum()) < min_rows:
            if position + 1 < len(order):
                wanted.add(order[position + 1])  # rows of this tier fall back to the next poorer tier
            continue
        matrix = rows[columns].to_numpy(dtype=float)
        matrix[:, np.isnan(matrix).all(axis=0)] = 0.0  # a field no training row has carries no information
        classifier = make_classifier(seed)
        classifier.fit(matrix, y, sample_weight=balanced_weights(rows))
        fitted[tier] = classifier
    return fitted


def predict_tiers(fitted: dict, table: pd.DataFrame, tier_features: dict | None = None) -> np.ndarray:
    """Raw bot probability of each row from its own tier's classifier (falling back to a poorer tier
    that was fitted); NaN where no fitted tier fits the row. ``tier_features`` ({tier: feature columns},
    default ``TIERS``): the columns each classifier was fitted on (a saved model keeps its own)."""
    out = np.full(len(table), np.nan)
    order = list(TIERS)
    tier_features = tier_features or {tier: columns for tier, (_, columns) in TIERS.items()}
    tiers = table["tier"].astype("string")
    for position, tier in enumerate(order):
        rows = tiers.eq(tier).fillna(False).to_numpy(dtype=bool)
        if not rows.any():
            continue
        usable = [t for t in order[position:] if t in fitted]
        if not usable:
            continue
        columns = tier_features[usable[0]]
        out[rows] = fitted[usable[0]].predict_proba(table.loc[rows, columns].to_numpy(dtype=float))[:, 1]
    return out


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def fit_calibration(probability, is_bot, weight=None) -> dict:
    """Platt scaling on the logit of the raw probability, as JSON ``{"a", "b"}``: p' = sigmoid(a*logit(p)+b).

    Strictly monotone, so it never changes a ranking (isotonic steps tie scores and lowered held-out
    ROC AUC); fitted on held-out predictions with the given weights."""
    from sklearn.linear_model import LogisticRegression

    p = np.asarray(probability, dtype=float)
    y = np.asarray(is_bot, dtype=int)
    keep = ~np.isnan(p)
    fit = LogisticRegression(C=1e6, max_iter=1000).fit(
        _logit(p[keep])[:, None], y[keep], sample_weight=None if weight is None else np.asarray(weight)[keep]
    )
    return {"method": "platt", "a": float(fit.coef_[0, 0]), "b": float(fit.intercept_[0])}


def apply_calibration(calibration: dict | None, probability) -> np.ndarray:
    """Apply ``fit_calibration``'s map; NaN stays NaN."""
    p = np.asarray(probability, dtype=float)
    if not calibration:
        return p
    out = 1.0 / (1.0 + np.exp(-(calibration["a"] * _logit(p) + calibration["b"])))
    return np.where(np.isnan(p), np.nan, out)


def _metrics(y: np.ndarray, p: np.ndarray) -> dict:
    keep = ~np.isnan(p)
    y, p = y[keep], p[keep]
    both = len(np.unique(y)) == 2
    out = {
        "n": len(y),
        "n_bot": int(y.sum()),
        "n_human": int(len(y) - y.sum()),
        "roc_auc": float(roc_auc_score(y, p)) if both else None,
        "pr_auc": float(average_precision_score(y, p)) if both else None,
        "accuracy": float(((p >= 0.5) == y).mean()) if len(y) else None,
    }
    out.update(models.calibration_metrics(y, p) if len(y) else {})
    return out


def _held_out_fold(table: pd.DataFrame, held: list[str], seed: int, name: str) -> pd.DataFrame:
    test = table[table["group"].isin(held)]
    train = table[~table["group"].isin(held)]
    user_ids = set(test.loc[test["id_kind"] == "user_id", "account_id"])
    names = set(test["screen_name_key"].dropna())
    overlap = ((train["id_kind"] == "user_id").fillna(False) & train["account_id"].isin(user_ids)) | train[
        "screen_name_key"
    ].isin(names).fillna(False)
    fitted = fit_tiers(train[~overlap.to_numpy(dtype=bool)], seed, needed=set(test["tier"].dropna()))
    part = test[list(META)].copy()
    part["fold"] = name
    part["raw_probability"] = predict_tiers(fitted, test)
    part["overlap_removed"] = int(overlap.sum())
    log.info("held out %s: %d rows, %d overlapping training rows removed", name, len(test), int(overlap.sum()))
    return part


def lodo(
    table: pd.DataFrame, seed: int = 0, groups: list[str] | None = None, pooled: dict | None = None
) -> pd.DataFrame:
    """Leave-one-group-out held-out probabilities.

    For each overlap group G: tier models fitted on every other group, every row of G scored by its
    tier (``raw_probability``; NaN = no tier). Training rows whose user id or lower-cased screen name
    occurs in G are removed first. ``pooled`` (default ``POOLED_EVALUATIONS``): one more fold per
    one-class pair, holding out both sets' groups together so that one model scores both classes.
    Columns out: META + ``fold`` (the group, or the pooled name), ``raw_probability``, ``overlap_removed``."""
    parts = [_held_out_fold(table, [group], seed, group) for group in sorted(groups or table["group"].unique())]
    pooled = POOLED_EVALUATIONS if pooled is None else pooled
    present = set(table["dataset"])
    for name, members in sorted(pooled.items()):
        if all(m in present for m in members):
            held = sorted({OVERLAP_GROUPS.get(m, m) for m in members})
            part = _held_out_fold(table, held, seed, name)
            parts.append(part[part["dataset"].isin(members)])
    return pd.concat(parts, ignore_index=True)


def calibrate_held_out(held: pd.DataFrame) -> pd.DataFrame:
    """Calibrated held-out probabilities: for each fold, a Platt map fitted on the held-out predictions
    of the single-group folds of *other* groups (dataset-balanced weights), so no set calibrates itself.
    Adds ``probability`` (calibrated, at the balanced prior)."""
    out = held.copy()
    out["probability"] = np.nan
    single = held[held["fold"] == held["group"]]
    for fold in sorted(held["fold"].unique()):
        rows = (held["fold"] == fold).to_numpy()
        groups = set(held.loc[rows, "group"])
        other = single[~single["group"].isin(groups) & single["raw_probability"].notna()]
        calibration = fit_calibration(other["raw_probability"], other["label"] == "bot", balanced_weights(other))
        out.loc[rows, "probability"] = apply_calibration(calibration, held.loc[rows, "raw_probability"])
    return out


def _members(frame: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Rows of ``dataset``, including its accounts kept under another set by ``dedupe_labels``."""
    also = frame["also_in"].astype("string").str.split(";").apply(lambda v: isinstance(v, list) and dataset in v)
    return frame[(frame["dataset"] == dataset) | also.to_numpy(dtype=bool)]


def lodo_table(held: pd.DataFrame) -> pd.DataFrame:
    """One row per evaluated set: every dataset with both classes, and the ``POOLED_EVALUATIONS`` pairs.
    Columns: evaluation, datasets, n, n_bot, n_human, n_not_scored, tiers, roc_auc, pr_auc, accuracy,
    brier, ece (calibrated), raw_brier, raw_ece."""
    single = held[held["fold"] == held["group"]]
    units = {name: (name,) for name in sorted(set(single["dataset"])) if _members(single, name)["label"].nunique() == 2}
    units.update({k: v for k, v in POOLED_EVALUATIONS.items() if k in set(held["fold"])})
    rows = []
    for unit, members in sorted(units.items()):
        part = held[held["fold"] == unit] if unit in POOLED_EVALUATIONS else _members(single, unit)
        y = (part["label"] == "bot").to_numpy(dtype=int)
        calibrated = _metrics(y, part["probability"].to_numpy(dtype=float))
        raw = _metrics(y, part["raw_probability"].to_numpy(dtype=float))
        rows.append(
            {
                "evaluation": unit,
                "datasets": " + ".join(members),
                **calibrated,
                "n_not_scored": int(part["raw_probability"].isna().sum()),
                "tiers": ";".join(f"{k}:{v}" for k, v in part["tier"].value_counts().sort_index().items()),
                "raw_brier": raw.get("brier"),
                "raw_ece": raw.get("ece"),
                "raw_roc_auc": raw["roc_auc"],
            }
        )
    return pd.DataFrame(rows)


# ---- the shipped model ---------------------------------------------------------------------------
SHIPPED_DIR = Path(__file__).parent / "shipped"
BOT_MODEL_FILE = "bot_model.skops"
BOT_META_FILE = "bot_model.json"
DEFAULT_PRIOR = 0.15  # Botometer's CAP prior P(bot)
TRAIN_PRIOR = 0.5  # balanced (dataset, class) weights and calibration: the model's own prior


@dataclass
class PortableBotModel:
    """Tier classifiers + isotonic calibration + the label-free name model; scores canonical accounts.

    ``score(accounts, prior)`` -> frame (index account_id): ``bot_probability`` (calibrated, then
    adjusted from the balanced training prior 0.5 to ``prior``), ``bot_probability_raw``, ``bot_tier``,
    ``score_source`` (``shipped_model`` / ``not_scored``) and ``model_id``."""

    classifiers: dict
    calibration: dict
    name_model: dict
    model_id: str = "unsaved"
    prior: float = DEFAULT_PRIOR
    meta: dict = field(default_factory=dict)

    def features(self, accounts: pd.DataFrame) -> pd.DataFrame:
        table = profile_table(accounts.reset_index(drop=True), self.name_model)
        table.index = accounts["account_id"].astype(str).to_numpy()
        return table

    def score(self, accounts: pd.DataFrame, prior: float | None = None) -> pd.DataFrame:
        table = self.features(accounts)
        saved = {tier: spec["features"] for tier, spec in self.meta.get("tiers", {}).items()}
        raw = predict_tiers(self.classifiers, table, saved or None)
        calibrated = apply_calibration(self.calibration, raw)
        prior = self.prior if prior is None else prior
        adjusted = models.adjust_prior(calibrated, TRAIN_PRIOR, prior) if prior != TRAIN_PRIOR else calibrated
        scored = ~np.isnan(raw)
        out = pd.DataFrame(index=pd.Index(table.index, name="account_id"))
        out["bot_probability"] = np.where(scored, adjusted, np.nan)
        out["bot_probability_raw"] = raw
        out["bot_tier"] = table["tier"].where(scored).astype("string").to_numpy()
        out["score_source"] = np.where(scored, "shipped_model", "not_scored")
        out["model_id"] = self.model_id
        return out


def train(table: pd.DataFrame, calibration: dict, name_model: dict, seed: int = 0) -> PortableBotModel:
    """The shipped model: tier classifiers fitted on every labelled row of ``table`` (deduplicated
    union), with the calibration fitted on the leave-one-group-out predictions."""
    return PortableBotModel(classifiers=fit_tiers(table, seed), calibration=calibration, name_model=name_model)


def save_bot_model(model: PortableBotModel, out_dir, meta: dict | None = None) -> dict:
    """Write ``bot_model.skops`` (the tier classifiers, skops) and ``bot_model.json`` (tiers, name model,
    calibration, prior, model id = sha256 of both contents). Returns the JSON payload."""
    import hashlib

    import skops.io as sio

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    blob = _reproducible_skops(sio.dumps({tier: model.classifiers[tier] for tier in sorted(model.classifiers)}))
    payload = {
        "format": "spreadwatch-portable-bot-model/1",
        "tiers": {t: {"required": r, "features": f} for t, (r, f) in TIERS.items()},
        "fitted_tiers": sorted(model.classifiers),
        "calibration": model.calibration,
        "train_prior": TRAIN_PRIOR,
        "default_prior": model.prior,
        "name_model": model.name_model,
        **(meta or {}),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256()
    for tier in sorted(model.classifiers):  # skops zips carry timestamps: hash the model's own state
        digest.update(_classifier_fingerprint(model.classifiers[tier]).encode())
    digest.update(text.encode())
    payload["model_id"] = f"portable-bot-{digest.hexdigest()[:12]}"
    (out_dir / BOT_MODEL_FILE).write_bytes(blob)
    (out_dir / BOT_META_FILE).write_text(json.dumps(payload, sort_keys=True, separators=(",", ":")) + "\n")
    return payload


def _classifier_fingerprint(classifier) -> str:
    """Deterministic text of a fitted gradient boosting's trees (thresholds, values, features)."""
    parts = []
    for stage in classifier._predictors:
        for predictor in stage:
            nodes = predictor.nodes
            parts.append(np.round(nodes["value"], 10).tobytes().hex()[:64])
            parts.append(str(nodes["feature_idx"].tolist()))
            parts.append(str(np.round(nodes["num_threshold"], 10).tolist()))
    return "|".join(parts)


def load_bot_model(model_dir=None) -> PortableBotModel:
    """Load the shipped (or another saved) portable bot model; skops types outside
    ``models.TRUSTED_TYPES`` are refused."""
    import skops.io as sio

    model_dir = Path(model_dir) if model_dir else SHIPPED_DIR
    path = model_dir / BOT_MODEL_FILE
    untrusted = sio.get_untrusted_types(file=path)
    unexpected = sorted(set(untrusted) - set(models.TRUSTED_TYPES))
    if unexpected:
        raise ValueError(f"{path}: refusing to load model with untrusted types {unexpected}")
    classifiers = sio.load(path, trusted=untrusted)
    meta = json.loads((model_dir / BOT_META_FILE).read_text())
    return PortableBotModel(
        classifiers=classifiers,
        calibration=meta["calibration"],
        name_model=meta["name_model"],
        model_id=meta["model_id"],
        prior=meta.get("default_prior", DEFAULT_PRIOR),
        meta={k: v for k, v in meta.items() if k not in ("name_model", "calibration")},
    )


# ---- training run: data -> LODO evidence -> shipped files ------------------------------------------
DEFAULT_BOT_DATASETS = [
    "botwiki_2019",
    "caverlee_2011",
    "college_official_features",
    "cresci2015_bas",
    "cresci2017_features",
    "cresci2017_users",
    "cresci_rtbust_2019",
    "gilani_2017",
    "nbc_russian_trolls",
    "twibot22_sample_1000",
    "varol2017_features",
    "vendor_purchased2019_features",
    "vendor_purchased_2019",
    "verified2019_features",
    "verified_2019",
]
# published cross-dataset ROC AUC of BotometerLite (Yang et al. AAAI 2020; anchors/BOTS_ANCHORS.md)
BOTOMETERLITE_AUC = {"gilani_2017": 0.68, "cresci_rtbust_2019": 0.60, "botwiki+verified": 0.99}
KNOWN_LIMITS = [
    (
        "Trained on public research sets collected 2011-2022 (Twitter v1.1/v2 profiles); platforms and bot "
        "behaviour drift: treat scores on new platforms as a ranking signal, not a verdict."
    ),
    (
        "Profile features only (counts, growth against account age at the dataset's own crawl time, names, "
        "description, default-profile flags); no tweets, no network. Accounts lacking followers/friends "
        "counts (and statuses or a screen name plus age) are not scored (NaN)."
    ),
    (
        "Labels differ by source: purchased followers, spam campaigns, self-declared bots, annotated "
        "samples; verified celebrities and organisations stand in for humans in some sets."
    ),
    (
        "Probabilities are calibrated on held-out datasets at a balanced prior and then adjusted to the "
        "stated prior (default 0.15, Botometer's CAP); a population with another bot share needs its own prior."
    ),
    (
        "gilani-2017 followers/friends are recovered from its popularity band and follower/friend ratio "
        "(approximate); its age from its own age column."
    ),
]


def load_bot_datasets(datasets: list[str], registry: dict, data_root=None) -> dict[str, pd.DataFrame]:
    """Accepted canonical accounts of each registry dataset (adapter + validator), by name."""
    from spreadwatch.ingest import load_with_adapter, resolve_data_root
    from spreadwatch.schema import validate_tables

    root = resolve_data_root(str(data_root) if data_root else None)
    out = {}
    for name in datasets:
        result = load_with_adapter(name, registry[name], root)
        out[name] = validate_tables(result.tables, result.source_files).tables["accounts"]
        log.info(
            "%s: %d accounts, labels %s", name, len(out[name]), out[name]["label"].value_counts(dropna=False).to_dict()
        )
    return out


def calibration_figure(held: pd.DataFrame, path, bins: int = 10) -> None:
    """Reliability diagram of the held-out probabilities, raw and calibrated (PNG, deterministic)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = held[(held["fold"] == held["group"]) & held["raw_probability"].notna()]
    y = (rows["label"] == "bot").to_numpy(dtype=float)
    w = balanced_weights(rows)
    fig, ax = plt.subplots(figsize=(4.2, 4.0), dpi=90)
    for column, name in (("raw_probability", "raw"), ("probability", "calibrated")):
        p = rows[column].to_numpy(dtype=float)
        which = np.minimum((p * bins).astype(int), bins - 1)
        xs, ys = [], []
        for b in range(bins):
            m = which == b
            if m.any():
                xs.append(np.average(p[m], weights=w[m]))
                ys.append(np.average(y[m], weights=w[m]))
        ax.plot(xs, ys, marker="o", label=name)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":")
    ax.set_xlabel("predicted bot probability (held-out dataset)")
    ax.set_ylabel("bot share (dataset-balanced)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def _git_commit() -> str | None:
    import subprocess

    try:
        return (
            subprocess.run(
                ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, cwd=Path(__file__).parent
            ).stdout.strip()
            or None
        )
    except (OSError, subprocess.CalledProcessError):
        return None


def card_markdown(card: dict) -> str:
    """The human-readable model card (Markdown)."""
    lines = [
        f"# Portable bot model `{card['model_id']}`",
        "",
        (
            "Scores any account with Twitter-style profile fields; trained on the union of the public "
            "labelled bot datasets (`spreadwatch train`, `make models`). Code: `src/spreadwatch/portable.py`."
        ),
        "",
        f"- code commit: `{card['code_commit']}`",
        f"- seed: {card['seed']}",
        (
            f"- prior: calibrated at a balanced prior {TRAIN_PRIOR}, adjusted to P(bot) = {card['default_prior']} "
            "by default (Botometer CAP; `bot.prior` in the config)"
        ),
        f"- label de-duplication: {json.dumps(card['dedupe'], sort_keys=True)}",
        "",
        "## Training datasets",
        "",
        "| dataset | overlap group | bots | humans | label source |",
        "|---|---|---|---|---|",
    ]
    for row in card["training_datasets"]:
        lines.append(f"| {row['dataset']} | {row['group']} | {row['bot']} | {row['human']} | {row['label_source']} |")
    lines += ["", "## Feature tiers", "", "An account is scored by the first tier whose fields it has.", ""]
    for tier, spec in card["tiers"].items():
        lines.append(f"- **{tier}** (needs {', '.join(spec['required'])}): {', '.join(spec['features'])}")
    lines += [
        "",
        "## Leave-one-dataset-out (held-out groups; calibrated probabilities)",
        "",
        (
            "| held-out set | n | bots | not scored | ROC AUC | PR AUC | Brier | ECE at 0.5 | "
            f"ECE at prior {card['default_prior']} | ECE at the set's share (oracle) | BotometerLite AUC |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def f(v):
        return "–" if v is None or np.isnan(v) else f"{v:.3f}"

    for row in card["lodo"]:
        lines.append(
            f"| {row['evaluation']} | {row['n']} | {row['n_bot']} | {row['n_not_scored']} | {f(row['roc_auc'])} | "
            f"{f(row['pr_auc'])} | {f(row['brier'])} | {f(row['ece'])} | {f(row.get('ece_deployment_prior'))} | "
            f"{f(row.get('ece_oracle_share'))} | "
            f"{f(BOTOMETERLITE_AUC.get(row['evaluation']))} |"
        )
    lines += [
        "",
        (
            f"Mean ROC AUC over the held-out datasets with both classes: **{card['mean_roc_auc']:.3f}** "
            f"({', '.join(card['mean_over'])})."
        ),
        "",
        (
            "ECE (10 equal-width bins) of the calibrated probabilities: at the balanced training prior 0.5, "
            f"after the prior adjustment to the deployment prior {card['default_prior']}, and (oracle) "
            "after adjusting to each held-out set's own bot share. The held-out sets' bot shares range "
            "from 15 % to 76 %: at one fixed prior, a set whose share differs from it cannot be calibrated "
            "(its ECE is at least the gap between mean score and share), so the deployment-prior column "
            "measures the prior shift as much as the model; the oracle column is the calibration a user "
            "gets who states the right prior (`bot.prior`, `spreadwatch score --prior`)."
        ),
        "",
        "![calibration](bot_model.calibration.png)",
        "",
        "## Known limits",
        "",
    ] + [f"- {text}" for text in card["known_limits"]]
    return "\n".join(lines) + "\n"


def ece_at_prior(held: pd.DataFrame, evaluation_sets: dict, prior: float | None = None) -> dict:
    """ECE of each evaluation set after adjusting the calibrated (balanced-prior) probabilities to
    ``prior`` (the deployment prior), or, with ``prior=None``, to that set's own bot share (an oracle:
    the CAP idea with the prior stated as the set's known share, which a user of new data does not know)."""
    out = {}
    for unit in evaluation_sets:
        if unit in POOLED_EVALUATIONS:
            part = held[(held["fold"] == unit) & held["probability"].notna()]
        else:
            part = _members(held[(held["fold"] == held["group"]) & held["probability"].notna()], unit)
        y = (part["label"] == "bot").to_numpy(dtype=float)
        share = (float(np.clip(y.mean(), 0.01, 0.99)) if len(y) else 0.5) if prior is None else prior
        p = models.adjust_prior(part["probability"].to_numpy(dtype=float), TRAIN_PRIOR, share)
        out[unit] = models.calibration_metrics(y, p)["ece"] if len(y) else None
    return out


def run_train(
    datasets: list[str],
    registry: dict,
    data_root,
    out_dir,
    seed: int = 0,
    predictions_out=None,
    prior: float = DEFAULT_PRIOR,
) -> dict:
    """Train and ship the portable bot model: LODO evidence, calibration, final fit, card.

    Writes to ``out_dir``: bot_model.skops, bot_model.json, bot_model.card.json, bot_model.card.md,
    bot_model.calibration.png; with ``predictions_out`` the per-account held-out probabilities
    (Parquet: account_id, dataset, group, label, tier, raw_probability, probability)."""
    from threadpoolctl import threadpool_limits

    accounts = load_bot_datasets(sorted(datasets), registry, data_root)
    table, name_model = union_profiles(accounts)
    table, dedupe = dedupe_labels(table)
    with threadpool_limits(1):  # one thread: histogram sums in a fixed order, so retraining is bit-identical
        held = calibrate_held_out(lodo(table, seed))
    scored = held[(held["fold"] == held["group"]) & held["raw_probability"].notna()]
    calibration = fit_calibration(scored["raw_probability"], scored["label"] == "bot", balanced_weights(scored))
    results = lodo_table(held)
    units = {r["evaluation"]: tuple(r["datasets"].split(" + ")) for r in results.to_dict("records")}
    results["ece_deployment_prior"] = results["evaluation"].map(ece_at_prior(held, units, prior))
    results["ece_oracle_share"] = results["evaluation"].map(ece_at_prior(held, units))
    two_class = results[~results["evaluation"].str.contains(r"\+", regex=True) & results["roc_auc"].notna()]
    with threadpool_limits(1):
        model = train(table, calibration, name_model, seed)
    model.prior = prior
    out_dir = Path(out_dir)
    meta = {"seed": seed, "training_rows": len(table)}
    payload = save_bot_model(model, out_dir, meta)
    label_sources = {
        name: re.split(r"\.\s", " ".join(str(registry[name].get("description", "")).split()))[0] for name in datasets
    }
    training = [
        {
            "dataset": name,
            "group": OVERLAP_GROUPS.get(name, name),
            "bot": int(((table["dataset"] == name) & (table["label"] == "bot")).sum()),
            "human": int(((table["dataset"] == name) & (table["label"] == "human")).sum()),
            "label_source": label_sources[name],
        }
        for name in sorted(datasets)
    ]

    def clean(value):
        if isinstance(value, float):
            return None if np.isnan(value) else round(value, 4)
        return value

    card = {
        "model_id": payload["model_id"],
        "code_commit": _git_commit(),
        "seed": seed,
        "default_prior": prior,
        "training_datasets": training,
        "dedupe": dedupe,
        "tiers": payload["tiers"],
        "fitted_tiers": payload["fitted_tiers"],
        "lodo": [{k: clean(v) for k, v in row.items()} for row in results.to_dict("records")],
        "mean_roc_auc": round(float(two_class["roc_auc"].mean()), 4),
        "mean_over": sorted(two_class["evaluation"]),
        "botometerlite_auc": BOTOMETERLITE_AUC,
        "known_limits": KNOWN_LIMITS,
        "protocol": "leave one overlap group out; overlapping ids/screen names removed from training; "
        "calibration for each held-out group fitted on the other groups' held-out predictions",
    }
    (out_dir / "bot_model.card.json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    (out_dir / "bot_model.card.md").write_text(card_markdown(card))
    calibration_figure(held, out_dir / "bot_model.calibration.png")
    if predictions_out:
        Path(predictions_out).parent.mkdir(parents=True, exist_ok=True)
        held[
            ["account_id", "dataset", "also_in", "group", "fold", "label", "tier", "raw_probability", "probability"]
        ].to_parquet(predictions_out, index=False)
    log.info("portable bot model %s: mean LODO ROC AUC %.3f", card["model_id"], card["mean_roc_auc"])
    return card


# ---- applying the models in the workflow ---------------------------------------------------------
MODEL_SOURCES = ("auto", "shipped", "in_domain")
MIN_LABELS_PER_CLASS = 50


def resolve_model_source(model_source: str, labels: pd.Series, min_per_class: int = MIN_LABELS_PER_CLASS) -> str:
    """``in_domain`` or ``shipped``: auto picks in-domain when the labels have at least
    ``min_per_class`` rows of each of two classes, else the shipped model."""
    if model_source not in MODEL_SOURCES:
        raise ValueError(f"unknown model_source {model_source!r}; choose one of {MODEL_SOURCES}")
    if model_source != "auto":
        return model_source
    counts = labels.dropna().astype(str).value_counts()
    return "in_domain" if len(counts) >= 2 and counts.min() >= min_per_class else "shipped"


def score_accounts_shipped(accounts: pd.DataFrame, prior: float | None = None, model_dir=None) -> pd.DataFrame:
    """Shipped-model scores of canonical accounts. Columns out: account_id, label, bot_probability,
    bot_probability_raw, bot_tier, score_source, model_id, prior (sorted by account_id)."""
    model = load_bot_model(model_dir)
    out = model.score(accounts, prior)
    out.insert(0, "label", accounts["label"].astype("string").to_numpy() if "label" in accounts else pd.NA)
    out["prior"] = model.prior if prior is None else prior
    return out.reset_index().sort_values("account_id", kind="stable").reset_index(drop=True)


def shipped_bot_card(scores: pd.DataFrame, model: PortableBotModel | None = None) -> dict:
    """The bot model card of a run scored by the shipped model (``score_accounts_shipped``'s columns in):
    model id, prior, scored / not-scored counts, tiers used and the expected bot share. The unsharded
    (``pipeline.score``) and the sharded (``shards.fit_account_model``) paths write this same card."""
    model = model or load_bot_model()
    scored = scores["bot_probability"].notna()
    return {
        "task": "bot",
        "model": "shipped_portable",
        "model_id": model.model_id,
        "positive_class": "bot",
        "score_source": "shipped_model",
        "prior": float(scores["prior"].iloc[0]) if len(scores) else model.prior,
        "n_scored": int(scored.sum()),
        "n_not_scored": int((~scored).sum()),
        "tiers": {str(k): int(v) for k, v in scores["bot_tier"].value_counts().sort_index().items()},
        "expected_bot_share": float(scores.loc[scored, "bot_probability"].mean()) if scored.any() else None,
        "card": "src/spreadwatch/shipped/bot_model.card.md",
    }


CREDIBLE_PC1, LOW_PC1 = 0.6, 0.4


def credibility_labels(cascades: pd.DataFrame, ratings: pd.DataFrame | None) -> pd.Series:
    """Source-credibility label of each cascade's domain (index cascade_id): ``low_credibility`` when the
    domain is on the low-credibility list (Iffy+) or its Lin et al. pc1 < 0.4, ``credible`` when
    pc1 >= 0.6, missing otherwise (unrated, mixed, or no URL)."""
    index = cascades["cascade_id"].astype(str)
    out = pd.Series(pd.NA, index=index, dtype="string")
    if ratings is None or "domain" not in cascades:
        return out
    rated = ratings.drop_duplicates("domain").set_index("domain")
    domain = cascades["domain"].astype("string").to_numpy()
    low = pd.Series(domain).map(rated["low_credibility"].astype("boolean")).fillna(False).astype(bool).to_numpy()
    pc1 = pd.Series(domain).map(pd.to_numeric(rated["credibility"], errors="coerce")).to_numpy(dtype=float)
    values = np.where(low | (pc1 < LOW_PC1), "low_credibility", np.where(pc1 >= CREDIBLE_PC1, "credible", None))
    return pd.Series(values, index=index, dtype="string")


def run_score_files(
    files: dict, out_dir, prior: float | None = None, registry="configs/datasets.yaml", data_root=None
) -> dict:
    """``spreadwatch score``: generic-format files -> shipped-model scores, no registry entry needed.

    Reads and validates the files (``adapters.generic``; rejected rows go to ``rejected.csv``), scores
    every account with the shipped bot model and, with a cascades file, gives each cascade its
    source-credibility label (``label_source`` = credibility_list; none when the lists are absent).
    Writes ``account_scores.csv``/``.parquet`` (and ``cascade_scores.csv``/``.parquet``) to ``out_dir``
    and returns a summary (scored share, expected bot share, where each score came from)."""
    from spreadwatch.adapters.generic import load
    from spreadwatch.schema import validate_tables

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = load({k: Path(v) for k, v in files.items()})
    report = validate_tables(result.tables, result.source_files)
    if len(report.rejected):
        write_csv(report.rejected, out_dir / "rejected.csv")
    accounts = report.tables["accounts"]
    scores = score_accounts_shipped(accounts, prior)
    scores.to_parquet(out_dir / "account_scores.parquet", index=False)
    write_csv(scores, out_dir / "account_scores.csv", float_format="%.6g")
    scored = scores["bot_probability"].notna()
    summary = {
        "accounts": len(scores),
        "accounts_scored": int(scored.sum()),
        "accounts_not_scored": int((~scored).sum()),
        "score_source": {str(k): int(v) for k, v in scores["score_source"].value_counts().sort_index().items()},
        "model_id": str(scores["model_id"].iloc[0]) if len(scores) else None,
        "prior": float(scores["prior"].iloc[0]) if len(scores) else prior,
        "expected_bot_share": float(scores.loc[scored, "bot_probability"].mean()) if scored.any() else None,
        "share_above_0.5": float((scores.loc[scored, "bot_probability"] >= 0.5).mean()) if scored.any() else None,
        "rejected_rows": len(report.rejected),
        "outputs": [str(out_dir / "account_scores.csv")],
    }
    if "cascades" in report.tables and len(report.tables["cascades"]):
        from spreadwatch.ingest import credibility_ratings_or_none

        cascades = report.tables["cascades"]
        ratings = credibility_ratings_or_none((registry, data_root))
        labels = credibility_labels(cascades, ratings)
        table = pd.DataFrame(
            {
                "cascade_id": cascades["cascade_id"].astype(str).to_numpy(),
                "domain": cascades["domain"].astype("string").to_numpy() if "domain" in cascades else pd.NA,
            }
        )
        table["credibility_label"] = table["cascade_id"].map(labels).astype("string")
        table["label_source"] = (
            table["credibility_label"].notna().map({True: "credibility_list", False: pd.NA}).astype("string")
        )
        table["misinfo_probability"] = np.nan  # no shipped cascade model yet (docs/scoring.md)
        table["score_source"] = "not_scored"
        table = table.sort_values("cascade_id", kind="stable").reset_index(drop=True)
        table.to_parquet(out_dir / "cascade_scores.parquet", index=False)
        write_csv(table, out_dir / "cascade_scores.csv")
        summary["cascades"] = len(table)
        summary["cascades_with_credibility_label"] = int(table["credibility_label"].notna().sum())
        summary["credibility_lists"] = (
            "present" if ratings is not None else "absent (no ../shared/data/misinfo/source_credibility)"
        )
        summary["outputs"].append(str(out_dir / "cascade_scores.csv"))
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return summary
