"""Feature-only bot datasets: per-account statistics without raw profiles, posts or edges.

These datasets skip the graph stages (the registry marks them ``feature_only: true``). Their numeric
features become extra ``accounts`` columns prefixed ``f_``; canonical columns are filled only where the
source has the raw value.

- ``caverlee_2011`` (``load_caverlee``): two TSVs (header row) ``UserID, CreatedAt, CollectedAt,
  NumberOfFollowings, NumberOfFollowers, NumberOfTweets, LengthOfScreenName,
  LengthOfDescriptionInUserProfile``; files ``polluters`` (bot) and ``legitimate`` (human).
- ``gilani_2017`` (``load_gilani``): one CSV keyed by ``screen_name`` with ``label``,
  ``popularity_band`` and 15 aggregated behaviour features; file ``features``.
- ``hays2023_features`` (``load_hays``): derived-feature CSVs (``group``, ``label``, ~48 features, no
  ids); any number of files, the logical file name is the group id.

Accounts that appear in both the bot and the human file of one dataset (caverlee: same ``UserID``;
gilani: same ``screen_name``) have no trustworthy label: all their rows are rejected and counted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch.adapters import AdapterResult
from spreadwatch.adapters.botrepo import (
    DEFAULT_LABEL_MAP,
    SOURCE_ROW,
    accounts_result,
    file_path,
    normalise_label,
    parse_plain_time,
    quirk,
    read_csv_text,
    records,
    reject,
    reject_repeats,
    reject_rows,
    to_count,
)


def _require_columns(frame: pd.DataFrame, columns: list[str], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; columns found: {list(frame.columns)}")


def _numeric(
    frame: pd.DataFrame, columns: list[str], table: str, path, rejected: list[dict]
) -> tuple[pd.DataFrame, pd.Series]:
    """Parse ``columns`` as floats (empty -> NaN). Rows with a non-empty unparseable value are
    recorded in ``rejected``; returns (floats, bad_row_mask)."""
    out = pd.DataFrame(index=frame.index)
    bad_rows = pd.Series(False, index=frame.index)
    for column in columns:
        text = frame[column].astype("string").str.strip()
        values = pd.to_numeric(text.where(text.ne("")), errors="coerce").astype("float64")
        bad = text.ne("").fillna(False).astype(bool) & values.isna() & ~bad_rows
        reject_rows(table, path, frame, bad, column, frame[column], "not a number", rejected)
        bad_rows |= bad
        out[column] = values
    return out, bad_rows


def _reject_label_conflicts(
    frame: pd.DataFrame, key: str, table: str, rejected: list[dict], description: str
) -> tuple[pd.DataFrame, int, int]:
    """Reject every row of keys that carry more than one label. Returns (kept, keys, rows)."""
    labels = frame.groupby(key)["label"].nunique()
    conflicting = set(labels[labels > 1].index)
    bad = frame[key].isin(conflicting)
    for rec in records(frame[bad]):
        rejected.append(
            reject(
                table,
                rec._file,
                getattr(rec, SOURCE_ROW),
                key,
                getattr(rec, key),
                f"{description} is both bot and human (all its rows rejected)",
            )
        )
    return frame[~bad], len(conflicting), int(bad.sum())


# --------------------------------------------------------------------------------------------------
def load_caverlee(files: dict[str, Path], options: dict) -> AdapterResult:
    """Social Honeypot (Lee, Eoff, Caverlee 2011) profile statistics.

    files: ``polluters`` (content polluters, label bot), ``legitimate`` (label human).
    options: ``dataset`` (label_source, default ``caverlee_2011``).
    Times have no zone in the files; they are taken as UTC (counted as a quirk).
    """
    options = options or {}
    dataset = options.get("dataset") or "caverlee_2011"
    columns = [
        "UserID",
        "CreatedAt",
        "CollectedAt",
        "NumberOfFollowings",
        "NumberOfFollowers",
        "NumberOfTweets",
        "LengthOfScreenName",
        "LengthOfDescriptionInUserProfile",
    ]
    table = "accounts"
    rejected: list[dict] = []
    quirks: list[dict] = []
    parts = []
    paths = []
    for logical, label, kind in (("polluters", "bot", "content_polluter"), ("legitimate", "human", "legitimate_user")):
        path = file_path(files, logical)
        paths.append(path)
        raw = read_csv_text(path, sep="\t")
        _require_columns(raw, columns, path)
        raw[SOURCE_ROW] = np.arange(1, len(raw) + 1)  # data row, header excluded
        raw["label"] = label
        raw["account_kind"] = kind
        raw["_file"] = str(path)
        parts.append(raw)
    frame = pd.concat(parts, ignore_index=True)
    rows_read = len(frame)
    good_id = frame["UserID"].str.strip().str.fullmatch(r"[0-9]+").fillna(False).astype(bool)
    for rec in records(frame[~good_id]):
        rejected.append(
            reject(table, rec._file, getattr(rec, SOURCE_ROW), "UserID", rec.UserID, "id is not a string of digits")
        )
    frame = frame[good_id].copy()
    frame["account_id"] = frame["UserID"].str.strip()
    frame, n_conflict, n_conflict_rows = _reject_label_conflicts(frame, "account_id", table, rejected, "UserID")
    quirks.append(
        quirk(
            table,
            "UserID in both the polluter and the legitimate file",
            n_conflict,
            f"all {n_conflict_rows} rows of these ids rejected (label unknown)",
        )
    )
    frame, dup = reject_repeats(frame, table, None, "UserID", "duplicate UserID (first kept)", rejected)
    quirks.append(quirk(table, "duplicate UserID within a file", int(dup.sum()), "first kept, others rejected"))

    frame["created_at"], bad_created = parse_plain_time(frame["CreatedAt"])
    frame["collected_at"], bad_collected = parse_plain_time(frame["CollectedAt"])
    quirks.append(quirk(table, "times without a time zone", len(frame), "taken as UTC"))
    quirks.append(
        quirk(table, "unparseable CreatedAt/CollectedAt", int(bad_created.sum() + bad_collected.sum()), "set missing")
    )
    bad_counts = 0
    for source, target in (
        ("NumberOfFollowings", "friends_count"),
        ("NumberOfFollowers", "followers_count"),
        ("NumberOfTweets", "statuses_count"),
        ("LengthOfScreenName", "f_screen_name_length"),
        ("LengthOfDescriptionInUserProfile", "f_description_length"),
    ):
        frame[target], bad = to_count(frame[source])
        bad_counts += int(bad.sum())
    quirks.append(quirk(table, "count field not a non-negative integer", bad_counts, "set missing"))
    later = (frame["created_at"] > frame["collected_at"]).fillna(False).astype(bool)
    quirks.append(quirk(table, "created after collected", int(later.sum()), "kept as is"))
    windows = frame.groupby("label")["collected_at"].agg(["min", "max"])
    if {"bot", "human"} <= set(windows.index):
        disjoint = bool(
            windows.at["bot", "min"] > windows.at["human", "max"]
            or windows.at["human", "min"] > windows.at["bot", "max"]
        )
        quirks.append(
            quirk(
                table,
                "bot and human collection windows do not overlap (collected_at alone separates the classes)",
                len(frame) if disjoint else 0,
                "kept; collected_at is never a model input; compare growth-rate features "
                "with a collected_at-only baseline",
            )
        )
    frame["label_source"] = dataset
    frame["id_kind"] = "user_id"
    keep = [
        "account_id",
        SOURCE_ROW,
        "created_at",
        "collected_at",
        "followers_count",
        "friends_count",
        "statuses_count",
        "label",
        "label_source",
        "account_kind",
        "f_screen_name_length",
        "f_description_length",
        "id_kind",
    ]
    return accounts_result(frame[keep], ", ".join(str(p) for p in paths), rows_read, quirks, rejected)


# --------------------------------------------------------------------------------------------------
_GILANI_FEATURES = [
    "user_tweeted",
    "user_retweeted",
    "user_favourited",
    "user_replied",
    "likes_per_tweet",
    "retweets_per_tweet",
    "lists_per_user",
    "follower_friend_ratio",
    "tweet_frequency",
    "favourite_tweet_ratio",
    "age_of_account_in_days",
    "sources_count",
    "urls_count",
    "cdn_content_in_kb",
]
_BANDS = {"1k": 1e3, "100k": 1e5, "1M": 1e6, "10M": 1e7}


def load_gilani(files: dict[str, Path], options: dict) -> AdapterResult:
    """Gilani et al. 2017 (Stweeler) aggregated features keyed by screen name.

    files: ``features`` (CSV with ``screen_name, label, popularity_band`` + features).
    options: ``dataset`` (label_source, default ``gilani_2017``), ``label_map``.
    account_id = screen_name (``id_kind`` = ``screen_name``); ``f_popularity_band`` is the band's
    follower count (1e3, 1e5, 1e6, 1e7); ``account_kind`` = ``<label>_<band>``; the categorical
    ``source_identity`` list (e.g. ``[2;0]``) is kept as text, unprefixed.
    """
    options = options or {}
    dataset = options.get("dataset") or "gilani_2017"
    label_map = {**DEFAULT_LABEL_MAP, **{str(k): v for k, v in (options.get("label_map") or {}).items()}}
    path = file_path(files, "features")
    table = "accounts"
    rejected: list[dict] = []
    quirks: list[dict] = []
    raw = read_csv_text(path)
    _require_columns(raw, ["screen_name", "label", "popularity_band", *_GILANI_FEATURES], path)
    raw[SOURCE_ROW] = np.arange(1, len(raw) + 1)
    raw["_file"] = str(path)
    rows_read = len(raw)
    raw["screen_name"] = raw["screen_name"].str.strip()
    raw["label"] = raw["label"].map(lambda v: normalise_label(v, label_map))
    bad = raw["screen_name"].eq("") | raw["label"].isna()
    for rec in records(raw[bad]):
        column = "screen_name" if rec.screen_name == "" else "label"
        rejected.append(
            reject(
                table, path, getattr(rec, SOURCE_ROW), column, rec.screen_name, "missing screen_name or unknown label"
            )
        )
    frame = raw[~bad].copy()
    numbers, bad_numbers = _numeric(frame, _GILANI_FEATURES, table, path, rejected)
    frame = frame[~bad_numbers]
    numbers = numbers[~bad_numbers]
    frame["account_id"] = frame["screen_name"]
    frame, n_conflict, n_conflict_rows = _reject_label_conflicts(frame, "account_id", table, rejected, "screen_name")
    quirks.append(
        quirk(
            table,
            "screen_name in both the bot and the human files",
            n_conflict,
            f"all {n_conflict_rows} rows of these names rejected (label unknown)",
        )
    )
    frame, dup = reject_repeats(frame, table, path, "screen_name", "duplicate screen_name (first kept)", rejected)
    quirks.append(
        quirk(table, "duplicate screen_name with the same label", int(dup.sum()), "first kept, others rejected")
    )
    lower_dup = frame["account_id"].str.lower().duplicated(keep=False)
    quirks.append(
        quirk(
            table,
            "screen names equal up to case",
            int(lower_dup.sum()),
            "kept as distinct accounts (ids are case-sensitive here)",
        )
    )
    numbers = numbers.loc[frame.index]
    for column in _GILANI_FEATURES:
        frame[f"f_{column}"] = numbers[column]
    band = frame["popularity_band"].str.strip()
    frame["f_popularity_band"] = band.map(_BANDS).astype("float64")
    unknown_band = band.notna() & frame["f_popularity_band"].isna()
    quirks.append(quirk(table, "unknown popularity_band", int(unknown_band.sum()), "f_popularity_band missing"))
    frame["account_kind"] = frame["label"] + "_" + band
    frame["source_identity"] = frame["source_identity"].astype("string") if "source_identity" in frame else pd.NA
    frame["label_source"] = dataset
    frame["id_kind"] = "screen_name"
    quirks.append(
        quirk(
            table,
            "no numeric user id (keyed by screen_name)",
            len(frame),
            "account_id = screen_name, id_kind = screen_name",
        )
    )
    keep = [
        "account_id",
        SOURCE_ROW,
        "screen_name",
        "label",
        "label_source",
        "account_kind",
        *[f"f_{c}" for c in _GILANI_FEATURES],
        "f_popularity_band",
        "source_identity",
        "id_kind",
    ]
    return accounts_result(frame[keep], str(path), rows_read, quirks, rejected)


# --------------------------------------------------------------------------------------------------
HAYS_LABEL_MAP = {"human (organisational)": "human"}


def load_hays(files: dict[str, Path], options: dict) -> AdapterResult:
    """Hays et al. 2023 derived per-account features (no ids).

    files: one or more CSVs with columns ``group, label`` + features; the logical file name is the
    group id. options: ``files`` (logical names to load; default all, sorted), ``groups`` (keep only
    these groups; matched against the logical name or the ``group`` text), ``dataset`` (label_source),
    ``label_map`` (``human (organisational)`` -> human by default).
    account_id = ``<group>:<row number, zero-padded>``; account_kind = group; features -> ``f_<name>``.
    The ``group`` text is not kept as a column (it is the label in disguise).
    """
    options = options or {}
    dataset = options.get("dataset") or "hays2023"
    label_map = {
        **DEFAULT_LABEL_MAP,
        **HAYS_LABEL_MAP,
        **{str(k): v for k, v in (options.get("label_map") or {}).items()},
    }
    names = list(options.get("files") or sorted(files))
    unknown = [n for n in names if n not in files]
    if unknown:
        raise KeyError(f"option files names {unknown} not among the dataset's files {sorted(files)}")
    wanted_groups = set(options.get("groups") or [])
    table = "accounts"
    rejected: list[dict] = []
    quirks: list[dict] = []
    parts = []
    all_features: list[str] = []
    absent_columns = 0
    paths = []
    rows_read = 0
    for name in names:
        path = file_path(files, name)
        raw = read_csv_text(path)
        _require_columns(raw, ["group", "label"], path)
        raw[SOURCE_ROW] = np.arange(1, len(raw) + 1)
        group_text = raw["group"].iloc[0] if len(raw) else name
        if wanted_groups and name not in wanted_groups and group_text not in wanted_groups:
            continue
        paths.append(path)
        rows_read += len(raw)
        features = [c for c in raw.columns if c not in ("group", "label", SOURCE_ROW)]
        for feature in features:
            if feature not in all_features:
                all_features.append(feature)
        numbers, bad_numbers = _numeric(raw, features, table, path, rejected)
        labels = raw["label"].map(lambda v: normalise_label(v, label_map))
        bad_label = labels.isna() & ~bad_numbers
        reason = f"label not in label_map {sorted(label_map)}"
        reject_rows(table, path, raw, bad_label, "label", raw["label"], reason, rejected)
        keep = ~(bad_numbers | bad_label)
        width = max(5, len(str(len(raw))))
        part = pd.DataFrame(
            {
                "account_id": [f"{name}:{i:0{width}d}" for i in raw[SOURCE_ROW]],
                SOURCE_ROW: raw[SOURCE_ROW],
                "label": labels,
                "raw_label": raw["label"],
                "account_kind": name,
            }
        )
        for feature in features:
            part[f"f_{feature}"] = numbers[feature]
        parts.append(part[keep])
    for part in parts:
        absent_columns += sum(f"f_{f}" not in part.columns for f in all_features)
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["account_id", SOURCE_ROW])
    feature_columns = [f"f_{f}" for f in all_features]
    for column in feature_columns:
        if column not in frame.columns:
            frame[column] = np.nan
        frame[column] = frame[column].astype("float64")
    quirks.append(
        quirk(
            table,
            "no account ids or screen names",
            len(frame),
            "account_id = '<group>:<row>'; cannot be joined to graphs or deduplicated",
        )
    )
    quirks.append(
        quirk(table, "feature columns absent from a file (group x column)", absent_columns, "NaN for that group")
    )
    relabelled = int((frame["raw_label"] != frame["label"]).sum()) if len(frame) else 0
    quirks.append(
        quirk(table, "label text not bot/human (e.g. 'human (organisational)')", relabelled, "mapped through label_map")
    )
    if len(frame):
        any_na = frame[feature_columns].isna().any(axis=1)
        quirks.append(
            quirk(
                table,
                "rows with missing feature values",
                int(any_na.sum()),
                "kept NaN; missingness differs by group (e.g. timeline aggregates), so "
                "imputation must not leak the group",
            )
        )
        dup = frame.duplicated(subset=feature_columns, keep=False)
        quirks.append(
            quirk(
                table,
                "rows with identical feature vectors",
                int(dup.sum()),
                "kept (no ids to tell whether they are one account)",
            )
        )
    frame["label_source"] = dataset
    frame["id_kind"] = "row"
    frame = frame.drop(columns=["raw_label"])
    return accounts_result(frame, ", ".join(str(p) for p in paths), rows_read, quirks, rejected)
