"""Bot Repository style datasets (Twitter API v1.1 user objects + a label list) and shared bot helpers.

Format ``botrepo_v11`` (datasets ``cresci_rtbust_2019``, ``botwiki_2019``):

- ``profiles``: a JSON list (gzip or plain, detected by magic bytes) of ``{"created_at": <probe time>,
  "user": <v1.1 user object>}``; despite the upstream name ``*_tweets.json`` it holds profiles.
- ``labels`` (optional): headerless ``user_id<TAB>label`` lines.

Result: ``accounts`` with every canonical profile column. ``created_at`` is parsed from Twitter's
``"Wed Oct 10 20:19:24 +0000 2018"`` format, ``collected_at`` is the probe ``created_at`` of the
record, ``label`` comes from the label list, ``label_source`` is the ``dataset`` option and
``account_kind`` is the ``account_kind`` option or else the label. Extra column ``id_kind``
(``user_id``) says what the id is (see ``dedupe_accounts``).

Quirks handled (each counted, see ``AdapterResult.quirks``): labelled ids without a profile (excluded,
or kept label-only with ``keep_unprofiled: true``), profiles without a label, duplicate profile ids
(latest probe kept, the others rejected), ``id`` vs ``id_str`` mismatch (``id_str`` used: the numeric
``id`` lost precision somewhere upstream), unparseable ``created_at`` (set missing), duplicate or
conflicting label lines, label lines split by spaces instead of a TAB.

This module also holds the helpers the other bot adapters share (``twibot``, ``feature_tables``,
``label_lists``) and ``dedupe_accounts`` for combining datasets.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from spreadwatch.adapters import AdapterResult

TWITTER_TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"
REJECTED_COLUMNS = ["table", "file", "row", "column", "value", "reason"]
SOURCE_ROW = "_source_row"
# the canonical accounts columns by kind, each group in canonical order
_TEXT_COLUMNS = ("screen_name", "name", "description", "location", "url", "lang")
_TIME_COLUMNS = ("created_at", "collected_at")
_COUNT_COLUMNS = ("followers_count", "friends_count", "statuses_count", "favourites_count", "listed_count")
_BOOL_COLUMNS = ("verified", "default_profile", "default_profile_image", "protected")
_LABEL_COLUMNS = ("label", "label_source", "account_kind")
ACCOUNT_COLUMNS = ["account_id", *_TEXT_COLUMNS, *_TIME_COLUMNS, *_COUNT_COLUMNS, *_BOOL_COLUMNS, *_LABEL_COLUMNS]
_STRING_COLUMNS = {"account_id", *_TEXT_COLUMNS, *_LABEL_COLUMNS}
DEFAULT_LABEL_MAP = {"bot": "bot", "human": "human", "1": "bot", "0": "human"}
_DIGITS = re.compile(r"^[0-9]+$")


# --------------------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------------------
def file_path(files: dict, name: str, required: bool = True) -> Path | None:
    """The path registered under logical name ``name``; FileNotFoundError (full path) when absent."""
    if name not in files or files[name] is None:
        if not required:
            return None
        raise KeyError(f"dataset registry entry lists no file named {name!r}; files given: {sorted(files)}")
    path = Path(files[name])
    if not path.is_file():
        raise FileNotFoundError(f"{name}: file not found: {path.resolve()}")
    return path


def read_bytes(path: Path) -> bytes:
    """File content, gunzipped when it starts with the gzip magic bytes (whatever its name says)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"file not found: {path.resolve()}")
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def read_text(path: Path) -> str:
    return read_bytes(path).decode("utf-8-sig")


def read_json(path: Path):
    """Python's json keeps integers exact (no float round trip for ids)."""
    return json.loads(read_text(path))


def read_json_records(path: Path) -> list:
    """A JSON list or JSON lines (one object per non-blank line)."""
    text = read_text(path)
    stripped = text.lstrip()
    if stripped.startswith("["):
        return json.loads(stripped)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def read_csv_text(path: Path, **kwargs) -> pd.DataFrame:
    """CSV/TSV (gzip detected by magic bytes) with every column as string, nothing turned into NA."""
    return pd.read_csv(io.BytesIO(read_bytes(path)), dtype=str, keep_default_na=False, **kwargs)


def records(frame: pd.DataFrame) -> list[SimpleNamespace]:
    """Rows as attribute objects (unlike itertuples, keeps names that start with an underscore)."""
    return [SimpleNamespace(**row) for row in frame.to_dict("records")]


def quirk(table: str, name: str, count: int, action: str) -> dict:
    return {"table": table, "quirk": name, "count": int(count), "action": action}


def rejected_frame(rows: Iterable[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=REJECTED_COLUMNS)
    frame = frame.astype({c: "string" for c in REJECTED_COLUMNS if c != "row"})
    frame["row"] = frame["row"].astype("int64")
    return frame.sort_values(["table", "file", "row", "column"], kind="stable").reset_index(drop=True)


def accounts_result(
    frame: pd.DataFrame, source: str, rows_read: int, quirks: list[dict], rejected: Iterable[dict]
) -> AdapterResult:
    """The result of an accounts-only adapter: ``frame`` through ``finish_accounts``, its source file(s)
    as text, the number of raw rows read, the quirks and the rejected rows (``reject`` dicts)."""
    return AdapterResult(
        tables={"accounts": finish_accounts(frame)},
        source_files={"accounts": source},
        rows_read={"accounts": rows_read},
        quirks=quirks,
        rejected=rejected_frame(rejected),
    )


def reject(table: str, file, row: int, column: str, value, reason: str) -> dict:
    text = None if value is None else str(value)[:200]
    return {"table": table, "file": str(file), "row": int(row), "column": column, "value": text, "reason": reason}


def reject_rows(
    table: str, path, frame: pd.DataFrame, mask: pd.Series, column: str, values: pd.Series, reason: str, rejected: list
) -> None:
    """Rejects the ``mask`` rows of ``frame``: each row's ``_source_row``, and its ``values`` entry as ``column``."""
    for index in frame.index[mask]:
        rejected.append(reject(table, path, int(frame.at[index, SOURCE_ROW]), column, values[index], reason))


def reject_repeats(
    frame: pd.DataFrame, table: str, path, column: str, reason: str, rejected: list[dict]
) -> tuple[pd.DataFrame, pd.Series]:
    """Keep each ``account_id``'s first row, reject repeats (file ``path`` or the row's ``_file``); -> (kept, mask)."""
    dup = frame["account_id"].duplicated(keep="first")
    for rec in records(frame[dup]):
        file = rec._file if path is None else path
        rejected.append(reject(table, file, getattr(rec, SOURCE_ROW), column, rec.account_id, reason))
    return frame[~dup].copy(), dup


def id_string(value) -> str | None:
    """A platform id as a string of digits, or None when it is not one (floats never qualify)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    if isinstance(value, str):
        text = value.strip()
        return text if _DIGITS.match(text) else None
    return None


def parse_twitter_time(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Twitter v1.1 times -> UTC timestamps. Returns (times, bad) where bad = present but unparseable."""
    text = values.astype("string").str.strip()
    present = text.notna() & text.ne("")
    times = pd.to_datetime(text.where(present), format=TWITTER_TIME_FORMAT, utc=True, errors="coerce")
    times = times.astype("datetime64[ns, UTC]")
    return times, (present & times.isna()).fillna(False).astype(bool)


def parse_plain_time(values: pd.Series, fmt: str = "%Y-%m-%d %H:%M:%S") -> tuple[pd.Series, pd.Series]:
    """Naive ``fmt`` times taken as UTC. Returns (times, bad)."""
    text = values.astype("string").str.strip()
    present = text.notna() & text.ne("")
    times = pd.to_datetime(text.where(present), format=fmt, errors="coerce", utc=True)
    times = times.astype("datetime64[ns, UTC]")
    return times, (present & times.isna()).fillna(False).astype(bool)


def to_count(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Non-negative integer counts -> Int64. Returns (counts, bad) where bad = present but not a count."""

    def one(v):
        if v is None or isinstance(v, (bool, np.bool_)):
            return None
        if isinstance(v, (int, np.integer)):
            return int(v)
        if isinstance(v, (float, np.floating)):
            return int(v) if np.isfinite(v) and v == int(v) else None
        if isinstance(v, str):
            t = v.strip()
            return int(t) if _DIGITS.match(t) else None
        return None

    raw = list(values)
    out = [one(v) for v in raw]

    def is_present(v) -> bool:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return False
        return not (isinstance(v, str) and v.strip() in ("", "None"))

    present = [is_present(v) for v in raw]
    counts = pd.Series(out, index=values.index, dtype="object").astype("Int64")
    bad = pd.Series([p and o is None for p, o in zip(present, out)], index=values.index, dtype=bool)
    bad |= counts.lt(0).fillna(False).astype(bool)
    return counts.where(~bad), bad


def parse_counts(frame: pd.DataFrame, columns: Iterable[str]) -> int:
    """``columns`` of ``frame`` parsed in place by ``to_count`` (Int64); returns how many present values were bad."""
    bad_counts = 0
    for column in columns:
        frame[column], bad = to_count(frame[column])
        bad_counts += int(bad.sum())
    return bad_counts


def to_bool(values: pd.Series) -> pd.Series:
    """Python bools or 'true'/'false' text (any case) -> nullable boolean; anything else -> NA."""

    def one(v):
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, str):
            t = v.strip().lower()
            if t in ("true", "t", "1"):
                return True
            if t in ("false", "f", "0"):
                return False
        return None

    return pd.Series([one(v) for v in values], index=values.index, dtype="object").astype("boolean")


def text_or_na(values: Iterable) -> pd.Series:
    return pd.Series([v if isinstance(v, str) else None for v in values], dtype="string")


def expanded_profile_url(entities, raw_url) -> str | None:
    """The profile URL: the expanded URL from ``entities.url`` when given, else the raw (t.co) URL."""
    if isinstance(entities, dict):
        urls = ((entities.get("url") or {}).get("urls")) or []
        if urls and isinstance(urls[0], dict) and urls[0].get("expanded_url"):
            return str(urls[0]["expanded_url"])
    if isinstance(raw_url, str) and raw_url.strip():
        return raw_url.strip()
    return None


def finish_accounts(frame: pd.DataFrame) -> pd.DataFrame:
    """Every canonical accounts column with its canonical dtype, extras after, sorted by account_id."""
    frame = frame.copy()
    n = len(frame)
    for column in ACCOUNT_COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.NA
        if column in _STRING_COLUMNS:
            frame[column] = frame[column].astype("string")
        elif column in _TIME_COLUMNS:
            if not isinstance(frame[column].dtype, pd.DatetimeTZDtype):
                frame[column] = pd.to_datetime(frame[column], utc=True)
            frame[column] = frame[column].astype("datetime64[ns, UTC]")
        elif column in _COUNT_COLUMNS:
            frame[column] = frame[column].astype("Int64")
        elif column in _BOOL_COLUMNS:
            frame[column] = frame[column].astype("boolean")
    if "id_kind" in frame.columns:
        frame["id_kind"] = frame["id_kind"].astype("string")
    extras = [c for c in frame.columns if c not in ACCOUNT_COLUMNS]
    frame = frame[ACCOUNT_COLUMNS + extras]
    if n:
        frame = frame.sort_values("account_id", kind="stable")
    return frame.reset_index(drop=True)


def sort_frame(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, kind="stable").reset_index(drop=True) if len(frame) else frame.reset_index(drop=True)


def normalise_label(value, label_map: dict) -> str | None:
    if value is None:
        return None
    key = str(value).strip()
    if key in label_map:
        return label_map[key]
    return label_map.get(key.lower())


def read_label_list(path: Path, label_map: dict | None = None, table: str = "accounts"):
    """Read an id/label list: headerless ``id<TAB>label`` (``.tsv``/``.dat``), or a CSV with a header
    row (``id,account_type``). Gzip is detected by magic bytes, not by name.

    Returns (frame[account_id, raw_label, label, _source_row], rows_read, rejected records, quirks).
    Duplicate ids with the same label keep the first line; ids with conflicting labels reject all
    their lines (the truth is unknown).
    """
    label_map = {**DEFAULT_LABEL_MAP, **{str(k): v for k, v in (label_map or {}).items()}}
    text = read_text(path)
    lines = text.splitlines()
    rejected: list[dict] = []
    quirks: list[dict] = []
    start = 0
    sep = "\t"
    first = lines[0] if lines else ""
    if first and not _DIGITS.match(re.split(r"[\t, ]", first.strip())[0] or "x"):
        start = 1  # header row
        sep = "," if "," in first and "\t" not in first else "\t"
    elif first and "\t" not in first and "," in first:
        sep = ","
    parsed = []
    blank = space_split = 0
    for number, line in enumerate(lines[start:], start=1):  # data row, header excluded
        if not line.strip():
            blank += 1
            continue
        parts = line.rstrip("\r").split(sep)
        if len(parts) != 2:
            alt = line.strip().split()
            if len(alt) == 2:
                parts = alt
                space_split += 1
        if len(parts) != 2:
            rejected.append(reject(table, path, number, "line", line, f"expected 2 fields separated by {sep!r}"))
            continue
        raw_id, raw_label = parts[0].strip(), parts[1].strip()
        account_id = id_string(raw_id)
        if account_id is None:
            rejected.append(reject(table, path, number, "account_id", raw_id, "id is not a string of digits"))
            continue
        label = normalise_label(raw_label, label_map)
        if label is None:
            rejected.append(
                reject(table, path, number, "label", raw_label, f"label not in label_map {sorted(label_map)}")
            )
            continue
        parsed.append((account_id, raw_label, label, number))
    rows_read = len(parsed) + len(rejected)
    frame = pd.DataFrame(parsed, columns=["account_id", "raw_label", "label", SOURCE_ROW])
    quirks.append(quirk(table, "label line split on spaces instead of TAB", space_split, "split on whitespace"))
    quirks.append(quirk(table, "blank lines in label list", blank, "skipped (not rows)"))
    labels_per_id = frame.groupby("account_id")["label"].nunique()
    conflicting = set(labels_per_id[labels_per_id > 1].index)
    conflict_rows = frame[frame["account_id"].isin(conflicting)]
    for rec in records(conflict_rows):
        rejected.append(
            reject(
                table,
                path,
                getattr(rec, SOURCE_ROW),
                "label",
                rec.raw_label,
                "id listed with conflicting labels (all its lines rejected)",
            )
        )
    frame = frame[~frame["account_id"].isin(conflicting)]
    frame, dup = reject_repeats(
        frame, table, path, "account_id", "duplicate id with the same label (first line kept)", rejected
    )
    frame = frame.reset_index(drop=True)
    quirks.append(
        quirk(
            table,
            "ids listed with conflicting labels",
            len(conflicting),
            f"all {len(conflict_rows)} lines of these ids rejected",
        )
    )
    quirks.append(
        quirk(table, "duplicate id lines with the same label", int(dup.sum()), "first line kept, the others rejected")
    )
    return frame, rows_read, rejected, quirks


# --------------------------------------------------------------------------------------------------
# botrepo_v11
# --------------------------------------------------------------------------------------------------
def _profile_row(user: dict) -> dict:
    return {
        "screen_name": user.get("screen_name"),
        "name": user.get("name"),
        "description": user.get("description"),
        "location": user.get("location"),
        "url": expanded_profile_url(user.get("entities"), user.get("url")),
        "lang": user.get("lang"),
        "created_at_raw": user.get("created_at"),
        "followers_count": user.get("followers_count"),
        "friends_count": user.get("friends_count"),
        "statuses_count": user.get("statuses_count"),
        "favourites_count": user.get("favourites_count"),
        "listed_count": user.get("listed_count"),
        "verified": user.get("verified"),
        "default_profile": user.get("default_profile"),
        "default_profile_image": user.get("default_profile_image"),
        "protected": user.get("protected"),
    }


def load(files: dict[str, Path], options: dict) -> AdapterResult:
    """Load a Bot Repository v1.1 profile dump plus its label list (format ``botrepo_v11``).

    files: ``profiles`` (required), ``labels`` (optional headerless ``id<TAB>label``).
    options: ``dataset`` (label_source, default: profiles file stem), ``account_kind`` (constant
    ground-truth kind; default: the label), ``keep_unprofiled`` (keep labelled ids without a profile
    as label-only rows; default false), ``label_map`` (raw label -> bot/human).
    """
    options = options or {}
    profiles_path = file_path(files, "profiles")
    labels_path = file_path(files, "labels", required=False)
    dataset = options.get("dataset") or profiles_path.name.split(".")[0]
    table = "accounts"
    rejected: list[dict] = []
    quirks: list[dict] = []

    raw_records = read_json(profiles_path)
    if not isinstance(raw_records, list):
        raise ValueError(
            f"{profiles_path}: expected a JSON list of {{created_at, user}} objects, got {type(raw_records).__name__}"
        )
    rows = []
    id_mismatch = 0
    for number, record in enumerate(raw_records, start=1):
        user = record.get("user") if isinstance(record, dict) else None
        if not isinstance(user, dict):
            rejected.append(
                reject(table, profiles_path, number, "user", str(record)[:200], "record has no user object")
            )
            continue
        id_str = id_string(user.get("id_str"))
        id_num = user.get("id")
        id_from_num = id_string(id_num) if isinstance(id_num, int) else None
        if id_str is not None and id_num is not None and id_from_num != id_str:
            id_mismatch += 1  # the numeric id lost precision (e.g. went through a float); id_str is exact
        account_id = id_str if id_str is not None else id_from_num
        if account_id is None:
            rejected.append(
                reject(
                    table,
                    profiles_path,
                    number,
                    "account_id",
                    user.get("id_str", user.get("id")),
                    "no exact id: id_str missing and id is not an integer",
                )
            )
            continue
        row = _profile_row(user)
        row["account_id"] = account_id
        row["collected_at_raw"] = record.get("created_at")
        row[SOURCE_ROW] = number
        rows.append(row)
    rows_read = len(raw_records)
    frame = pd.DataFrame(rows, columns=["account_id", SOURCE_ROW, "collected_at_raw", *_profile_row({}).keys()])
    quirks.append(quirk(table, "id differs from id_str (id lost precision)", id_mismatch, "used id_str"))

    frame["created_at"], bad_created = parse_twitter_time(frame["created_at_raw"])
    frame["collected_at"], bad_collected = parse_twitter_time(frame["collected_at_raw"])
    quirks.append(quirk(table, "unparseable user created_at", int(bad_created.sum()), "set missing"))
    quirks.append(quirk(table, "unparseable probe created_at (collected_at)", int(bad_collected.sum()), "set missing"))
    bad_counts = parse_counts(frame, _COUNT_COLUMNS)
    quirks.append(quirk(table, "count field not a non-negative integer", bad_counts, "set missing"))
    for column in sorted(_BOOL_COLUMNS):
        frame[column] = to_bool(frame[column])
    for column in ("screen_name", "name", "description", "location", "lang"):
        frame[column] = text_or_na(frame[column]).to_numpy()

    # duplicate profiles: keep the latest probe (ties: first in the file)
    order = frame.assign(_probe=frame["collected_at"]).sort_values(
        ["account_id", "_probe", SOURCE_ROW], ascending=[True, False, True], na_position="last", kind="stable"
    )
    frame, dup = reject_repeats(
        order, table, profiles_path, "account_id", "duplicate profile id (latest probe kept)", rejected
    )
    frame = frame.drop(columns=["_probe", "created_at_raw", "collected_at_raw"])
    quirks.append(
        quirk(
            table,
            "duplicate profile ids",
            int(dup.sum()),
            "kept the latest probe (ties: first in file); others rejected",
        )
    )

    # labels
    if labels_path is not None:
        labels, _, label_rejected, label_quirks = read_label_list(labels_path, options.get("label_map"))
        # label-file problems are reported against the label file; they are not account rows read
        for rec in label_rejected:
            rec["table"] = "labels"
        rejected.extend(label_rejected)
        quirks.extend({**q, "table": "labels"} for q in label_quirks)
        label_of = dict(zip(labels["account_id"], labels["label"]))
        frame["label"] = frame["account_id"].map(label_of)
        unlabelled = int(frame["label"].isna().sum())
        quirks.append(quirk(table, "profile without a label", unlabelled, "label left missing"))
        unprofiled = labels[~labels["account_id"].isin(frame["account_id"])]
        keep_unprofiled = bool(options.get("keep_unprofiled", False))
        quirks.append(
            quirk(
                table,
                "labelled id without a profile",
                len(unprofiled),
                "kept as label-only rows (no features)"
                if keep_unprofiled
                else "excluded (no features to learn from); count reported",
            )
        )
        if keep_unprofiled and len(unprofiled):
            extra = unprofiled[["account_id", "label", SOURCE_ROW]].copy()
            frame = pd.concat([frame, extra], ignore_index=True)
    else:
        frame["label"] = pd.NA
        quirks.append(quirk(table, "no label file", len(frame), "label left missing"))

    frame["label_source"] = dataset
    frame.loc[frame["label"].isna(), "label_source"] = pd.NA
    kind = options.get("account_kind")
    frame["account_kind"] = kind if kind else frame["label"]
    frame["id_kind"] = "user_id"
    source = str(profiles_path) if labels_path is None else f"{profiles_path}, {labels_path}"
    return accounts_result(frame, source, rows_read, quirks, rejected)


# --------------------------------------------------------------------------------------------------
# cross-dataset de-duplication
# --------------------------------------------------------------------------------------------------
def dedupe_accounts(
    frames: list[pd.DataFrame], priority: list[str] | None = None, fill_missing: bool = False
) -> tuple[pd.DataFrame, list[dict]]:
    """Combine accounts tables of several datasets into one with unique ``account_id``.

    Priority: the order of ``frames`` (first wins) or, when ``priority`` (a list of ``label_source``
    values) is given, that order (label sources not listed come after, in frame order). The kept row is
    the highest-priority one; ``fill_missing`` fills its missing profile columns (never label,
    label_source or account_kind) from lower-priority rows. Extra column ``duplicate_sources`` lists the
    label sources of the dropped rows (``;``-joined).

    Quirks counted: duplicate rows dropped, ids with conflicting non-missing labels, ids whose rows
    have a different ``id_kind`` (e.g. a numeric screen name equal to a numeric user id: different
    accounts sharing a string; only the priority row is kept).
    """
    if not frames:
        return finish_accounts(pd.DataFrame(columns=ACCOUNT_COLUMNS)), []
    parts = []
    for rank, frame in enumerate(frames):
        part = frame.copy()
        part["_frame_rank"] = rank
        part["_row_order"] = np.arange(len(part))
        parts.append(part)
    combined = pd.concat(parts, ignore_index=True)
    combined = combined.drop(columns=[SOURCE_ROW], errors="ignore")
    if priority:
        order = {source: i for i, source in enumerate(priority)}
        combined["_prio"] = [
            order.get(s, len(order)) if isinstance(s, str) else len(order) for s in combined["label_source"]
        ]
    else:
        combined["_prio"] = 0
    combined = combined.sort_values(["account_id", "_prio", "_frame_rank", "_row_order"], kind="stable")
    dup = combined["account_id"].duplicated(keep="first")
    dup_ids = combined.loc[dup, "account_id"].unique()
    involved = combined[combined["account_id"].isin(dup_ids)]
    labels = involved.dropna(subset=["label"]).groupby("account_id")["label"].nunique()
    conflicts = int((labels > 1).sum())
    kind_collisions = 0
    if "id_kind" in combined.columns:
        kinds = involved.groupby("account_id")["id_kind"].nunique()
        kind_collisions = int((kinds > 1).sum())
    sources = (
        combined[dup]
        .groupby("account_id")["label_source"]
        .agg(lambda s: ";".join(sorted({str(x) for x in s if isinstance(x, str)})))
    )
    kept = combined[~dup].copy()
    if fill_missing and len(dup_ids):
        fillable = [
            c
            for c in kept.columns
            if c not in ("account_id", "label", "label_source", "account_kind", "_frame_rank", "_row_order", "_prio")
        ]
        firsts = combined[dup].groupby("account_id")[fillable].first()
        kept = kept.set_index("account_id")
        kept[fillable] = kept[fillable].fillna(firsts.reindex(kept.index)) if len(firsts) else kept[fillable]
        kept = kept.reset_index()
    kept["duplicate_sources"] = kept["account_id"].map(sources).astype("string")
    kept = kept.drop(columns=["_frame_rank", "_row_order", "_prio"])
    quirks = [
        quirk(
            "accounts",
            "same account_id in several inputs",
            int(dup.sum()),
            "kept the highest-priority row; others dropped (sources in duplicate_sources)",
        ),
        quirk("accounts", "ids with conflicting labels across inputs", conflicts, "kept the highest-priority label"),
        quirk(
            "accounts",
            "same account_id string with different id_kind",
            kind_collisions,
            "kept the highest-priority row (the strings name different accounts)",
        ),
    ]
    return finish_accounts(kept), quirks
