"""cresci-style ``users.csv`` profile tables (format ``cresci_users``): cresci-2017 and cresci-2015 BAS.

Both are MIB-project exports of Twitter v1.1 user objects as CSV with a header (columns read by name;
the order differs between files): id, name, screen_name, the five counts, created_at, url, location,
description, default_profile, default_profile_image, protected, verified, ... plus crawl-time columns.

- ``files``: one logical name per group file (cresci-2017: ``genuine_accounts``, ``social_spambots_1``,
  ...), or a single file whose ``label_column`` names the group (cresci-2015 BAS: ``dataset``).
- options: ``dataset`` (label_source), ``groups`` (logical file name -> label), ``label_column`` +
  ``label_map`` (group text -> label), ``collected_at_columns`` (per-row crawl time, the first present
  column wins; e.g. ``[crawled_at, updated]``), ``collected_at`` (one fixed collection date for rows
  without a crawl column), ``not_collected`` (columns the export left empty for every row, e.g. BAS
  ``verified``/``protected``: set missing instead of "false").

Result: ``accounts`` with the canonical profile columns; ``account_kind`` = the group (file name or
``label_column`` value), ``id_kind`` = ``user_id``. The crawl time is used only as each row's
``collected_at`` (the reference for account age: the profile counts were observed then); it is never a
feature. Quirks counted: ``NULL`` strings (missing), epoch-millisecond ``created_at`` with a Java ``L``
suffix (traditional_spambots_1), unparseable times, bad counts, duplicate ids (first kept, others
rejected), ids in several groups with conflicting labels (all rejected), unknown group labels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch.adapters import AdapterResult
from spreadwatch.adapters.botrepo import (
    _BOOL_COLUMNS,
    _COUNT_COLUMNS,
    _TEXT_COLUMNS,
    SOURCE_ROW,
    accounts_result,
    file_path,
    id_string,
    normalise_label,
    parse_plain_time,
    parse_twitter_time,
    quirk,
    read_csv_text,
    reject,
    reject_repeats,
    reject_rows,
    to_count,
)

_EPOCH_MS = r"^\d{11,14}L?$"


def _flag(values: pd.Series) -> pd.Series:
    """'1', '1.0', 'true' -> True; '', '0', '0.0', 'false' -> False; 'NULL' / other -> missing."""
    text = values.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(["1", "1.0", "true", "t"]).fillna(False)] = True
    out[text.isin(["", "0", "0.0", "false", "f"]).fillna(False)] = False
    return out


def _created_at(values: pd.Series) -> tuple[pd.Series, pd.Series, int]:
    """Twitter-format times, or epoch milliseconds (``1183552203000L``). Returns (times, bad, n_epoch)."""
    text = values.astype("string").str.strip()
    times, _ = parse_twitter_time(text)
    epoch = text.str.match(_EPOCH_MS).fillna(False).astype(bool)
    if epoch.any():
        ms = pd.to_numeric(text[epoch].str.rstrip("L"), errors="coerce")
        times = times.copy()
        times[epoch] = pd.to_datetime(ms, unit="ms", utc=True)
    present = text.notna() & ~text.isin(["", "NULL"])
    return times, (present & times.isna()).fillna(False).astype(bool), int(epoch.sum())


def load(files: dict[str, Path], options: dict) -> AdapterResult:
    """Load cresci-style users.csv group files (see the module docstring for files and options)."""
    options = options or {}
    dataset = options.get("dataset") or "cresci_users"
    groups = {str(k): v for k, v in (options.get("groups") or {}).items()}
    label_column = options.get("label_column")
    label_map = {str(k): v for k, v in (options.get("label_map") or {}).items()}
    crawl_columns = list(options.get("collected_at_columns") or [])
    fixed = options.get("collected_at")
    not_collected = set(options.get("not_collected") or [])
    table = "accounts"
    rejected: list[dict] = []
    parts, paths = [], []
    rows_read = null_strings = epoch_rows = bad_created = bad_counts = 0
    for name in sorted(files):
        path = file_path(files, name)
        paths.append(path)
        raw = read_csv_text(path)
        rows_read += len(raw)
        raw[SOURCE_ROW] = np.arange(1, len(raw) + 1)
        null_strings += int((raw.drop(columns=[SOURCE_ROW]) == "NULL").to_numpy().sum())
        raw = raw.replace("NULL", "")
        if label_column:
            kind = raw[label_column].astype("string").str.strip()
            labels = kind.map(lambda v: normalise_label(v, label_map))
        else:
            if name not in groups:
                raise KeyError(f"option groups gives no label for file {name!r}; groups: {sorted(groups)}")
            kind = pd.Series(name, index=raw.index, dtype="string")
            labels = pd.Series(groups[name], index=raw.index, dtype="object")
        frame = pd.DataFrame(
            {
                "account_id": [id_string(v) for v in raw["id"]],
                SOURCE_ROW: raw[SOURCE_ROW],
                "_file": str(path),
                "label": labels.astype("string"),
                "account_kind": kind,
            }
        )
        no_id = frame["account_id"].isna()
        reject_rows(table, path, frame, no_id, "account_id", raw["id"], "id is not a string of digits", rejected)
        unknown_group = frame["label"].isna() & ~no_id
        reason = f"group not in label_map {sorted(label_map)}"
        reject_rows(table, path, frame, unknown_group, label_column or "file", kind, reason, rejected)
        for column in _TEXT_COLUMNS:
            values = raw[column].astype("string").str.strip() if column in raw else pd.Series(pd.NA, index=raw.index)
            frame[column] = values.where(values != "").astype("string")
        frame["created_at"], bad, n_epoch = _created_at(raw["created_at"])
        bad_created += int(bad.sum())
        epoch_rows += n_epoch
        for column in sorted(_COUNT_COLUMNS):
            frame[column], bad = to_count(raw[column])
            bad_counts += int(bad.sum())
        for column in _BOOL_COLUMNS:
            frame[column] = (
                pd.Series(pd.NA, index=raw.index, dtype="boolean")
                if column in not_collected or column not in raw
                else _flag(raw[column])
            )
        collected = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
        for column in crawl_columns:
            if column in raw:
                times, _ = parse_plain_time(raw[column])
                collected = collected.fillna(times)
        if fixed:
            collected = collected.fillna(pd.Timestamp(fixed, tz="UTC"))
        frame["collected_at"] = collected
        parts.append(frame[frame["account_id"].notna() & frame["label"].notna()])
    frame = pd.concat(parts, ignore_index=True)
    labels_per_id = frame.groupby("account_id")["label"].nunique()
    conflicting = set(labels_per_id[labels_per_id > 1].index)
    for _, row in frame[frame["account_id"].isin(conflicting)].iterrows():
        rejected.append(
            reject(
                table,
                row["_file"],
                int(row[SOURCE_ROW]),
                "label",
                row["label"],
                "id in groups with conflicting labels (all its rows rejected)",
            )
        )
    frame = frame[~frame["account_id"].isin(conflicting)]
    frame, dup = reject_repeats(frame, table, None, "account_id", "duplicate id (first row kept)", rejected)
    frame = frame.drop(columns=["_file"])
    quirks = [
        quirk(table, "literal NULL values", null_strings, "set missing"),
        quirk(table, "created_at in epoch milliseconds (Java L suffix)", epoch_rows, "converted"),
        quirk(table, "unparseable created_at", bad_created, "set missing"),
        quirk(table, "count field not a non-negative integer", bad_counts, "set missing"),
        quirk(table, "ids with conflicting labels across groups", len(conflicting), "all rows rejected"),
        quirk(table, "duplicate ids", int(dup.sum()), "first row kept, others rejected"),
        quirk(
            table,
            "columns not collected (empty in every row)",
            len(not_collected),
            f"set missing, not false: {sorted(not_collected)}",
        ),
        quirk(
            table,
            "rows without a crawl time",
            int(frame["collected_at"].isna().sum()),
            "account age and growth rates missing",
        ),
    ]
    frame["label_source"] = dataset
    frame["id_kind"] = "user_id"
    return accounts_result(frame, ", ".join(str(p) for p in paths), rows_read, quirks, rejected)
