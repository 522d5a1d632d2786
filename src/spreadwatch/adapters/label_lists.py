"""Bot label lists: ids/screen names with labels and little or nothing else.

- ``pronbots`` (``load_pronbots``; dataset ``pronbots_2018``): ``screen_names`` (one per line, gzip),
  ``ids`` (JSON list of user ids, NOT aligned with the screen names), ``edges`` (CSV
  ``source_screen_name,target_screen_name,weight``), optional ``queried`` (JSON list of screen names
  queried during the crawl). Option ``key``: ``screen_name`` (default; accounts keyed by screen name,
  edges in ``follows``) or ``user_id`` (accounts from the id list, no edges).
- ``id_label_list`` (``load_id_labels``): ``labels`` = headerless ``id<TAB>label`` (``.tsv``, ``.dat``;
  possibly gzip under a plain name, detected by magic bytes) or a CSV with a header (``id,account_type``).
- ``nbc_trolls`` (``load_nbc_trolls``): NBC News' Russian (IRA) troll ``users`` CSV.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch.adapters import AdapterResult
from spreadwatch.adapters.botrepo import (
    _COUNT_COLUMNS,
    SOURCE_ROW,
    accounts_result,
    file_path,
    finish_accounts,
    id_string,
    parse_counts,
    parse_twitter_time,
    quirk,
    read_csv_text,
    read_json,
    read_label_list,
    read_text,
    reject,
    reject_repeats,
    rejected_frame,
    sort_frame,
    text_or_na,
    to_bool,
    to_count,
)


# --------------------------------------------------------------------------------------------------
def _first_of_each(
    rows: list[tuple], path, column: str, reason: str, rejected: list[dict]
) -> tuple[pd.DataFrame, pd.Series]:
    """``(account_id, source row)`` pairs as a frame keeping the first row of each id; the repeats go to
    ``rejected`` (``reason``, reported under ``column`` of ``path``). Returns the frame and the repeat mask."""
    return reject_repeats(
        pd.DataFrame(rows, columns=["account_id", SOURCE_ROW]), "accounts", path, column, reason, rejected
    )


def load_pronbots(files: dict[str, Path], options: dict) -> AdapterResult:
    """The May-2018 scam-bot ("pronbot") crawl: bot accounts and bot->bot interaction edges.

    files: ``screen_names``, ``edges``, ``ids`` and ``queried`` (the last two optional in
    ``screen_name`` mode; ``ids`` required in ``user_id`` mode).
    options: ``key`` (``screen_name`` | ``user_id``), ``dataset`` (label_source, default
    ``pronbots_2018``), ``account_kind`` (default ``scam_bot``).
    The interaction edges go into ``follows`` (follower = source, followee = target) with their
    ``weight``; their meaning is undocumented upstream (about one out-edge per node: the crawl's
    discovery tree rather than a follow graph), which is recorded as a quirk.
    """
    options = options or {}
    key = options.get("key", "screen_name")
    if key not in ("screen_name", "user_id"):
        raise ValueError(f"pronbots option key must be 'screen_name' or 'user_id', got {key!r}")
    dataset = options.get("dataset") or "pronbots_2018"
    kind = options.get("account_kind") or "scam_bot"
    rejected: list[dict] = []
    quirks: list[dict] = []
    if key == "user_id":
        path = file_path(files, "ids")
        ids = read_json(path)
        if not isinstance(ids, list):
            raise ValueError(f"{path}: expected a JSON list of ids, got {type(ids).__name__}")
        rows = []
        for number, raw in enumerate(ids, start=1):
            account_id = id_string(raw)
            if account_id is None:
                rejected.append(
                    reject(
                        "accounts",
                        path,
                        number,
                        "account_id",
                        raw,
                        "id is not a string of digits (floats lose precision)",
                    )
                )
                continue
            rows.append((account_id, number))
        frame, dup = _first_of_each(rows, path, "account_id", "duplicate id (first kept)", rejected)
        quirks.append(quirk("accounts", "duplicate ids in the id list", int(dup.sum()), "first kept, others rejected"))
        quirks.append(
            quirk(
                "accounts",
                "ids not aligned with screen names",
                len(frame),
                "no screen names, no edges (the edges are keyed by screen name)",
            )
        )
        frame["label"] = "bot"
        frame["label_source"] = dataset
        frame["account_kind"] = kind
        frame["id_kind"] = "user_id"
        return accounts_result(frame, str(path), len(ids), quirks, rejected)

    names_path = file_path(files, "screen_names")
    edges_path = file_path(files, "edges")
    queried_path = file_path(files, "queried", required=False)
    lines = read_text(names_path).splitlines()
    rows = []
    blank = 0
    for number, line in enumerate(lines, start=1):
        name = line.strip()
        if not name:
            blank += 1
            continue
        rows.append((name, number))
    frame, dup = _first_of_each(rows, names_path, "screen_name", "duplicate screen name (first kept)", rejected)
    quirks.append(quirk("accounts", "blank lines in the screen-name list", blank, "skipped (not rows)"))
    quirks.append(quirk("accounts", "duplicate screen names", int(dup.sum()), "first kept, others rejected"))
    quirks.append(
        quirk(
            "accounts",
            "no numeric user id (keyed by screen_name; the id list is not aligned)",
            len(frame),
            "account_id = screen_name, id_kind = screen_name",
        )
    )
    numeric = frame["account_id"].str.fullmatch(r"[0-9]+").fillna(False).astype(bool)
    quirks.append(
        quirk(
            "accounts",
            "screen names made only of digits",
            int(numeric.sum()),
            "kept; id_kind = screen_name keeps them apart from user ids in dedupe_accounts",
        )
    )
    frame["screen_name"] = frame["account_id"]
    if queried_path is not None:
        queried = {str(q).strip() for q in read_json(queried_path)}
        frame["pronbots_queried"] = frame["account_id"].isin(queried).astype("boolean")
        quirks.append(
            quirk(
                "accounts",
                "queried screen names not in the bot list",
                len(queried - set(frame["account_id"])),
                "ignored",
            )
        )
    frame["label"] = "bot"
    frame["label_source"] = dataset
    frame["account_kind"] = kind
    frame["id_kind"] = "screen_name"

    raw = read_csv_text(edges_path)
    missing = [c for c in ("source_screen_name", "target_screen_name") if c not in raw.columns]
    if missing:
        raise ValueError(f"{edges_path}: missing column(s) {missing}; columns found: {list(raw.columns)}")
    edges = pd.DataFrame(
        {
            "follower_id": raw["source_screen_name"].str.strip(),
            "followee_id": raw["target_screen_name"].str.strip(),
            SOURCE_ROW: np.arange(1, len(raw) + 1),
        }
    )
    if "weight" in raw.columns:
        edges["weight"], bad_weight = to_count(raw["weight"])
        quirks.append(quirk("follows", "weight not a non-negative integer", int(bad_weight.sum()), "set missing"))
    known = set(frame["account_id"])
    bad = pd.Series("", index=edges.index)
    bad[edges["follower_id"].eq("") | edges["followee_id"].eq("")] = "empty screen name"
    bad[(bad == "") & (edges["follower_id"] == edges["followee_id"])] = "self-loop"
    bad[(bad == "") & ~(edges["follower_id"].isin(known) & edges["followee_id"].isin(known))] = (
        "endpoint not in the bot list"
    )
    dup_edges = edges.duplicated(["follower_id", "followee_id"], keep="first") & (bad == "")
    bad[dup_edges] = "duplicate edge (first kept)"
    for index in bad[bad != ""].index:
        rejected.append(
            reject(
                "follows",
                edges_path,
                int(edges.at[index, SOURCE_ROW]),
                "source_screen_name,target_screen_name",
                f"{edges.at[index, 'follower_id']}|{edges.at[index, 'followee_id']}",
                bad[index],
            )
        )
    for reason in ("self-loop", "endpoint not in the bot list", "duplicate edge (first kept)"):
        quirks.append(quirk("follows", reason, int((bad == reason).sum()), "rejected"))
    edges = edges[bad == ""].copy()
    quirks.append(
        quirk(
            "follows",
            "interaction edges of undocumented meaning stored as follows",
            len(edges),
            "follower = source, followee = target; treat as a bot-cluster graph, not a follow graph",
        )
    )
    edges = edges.astype({"follower_id": "string", "followee_id": "string"})
    return AdapterResult(
        tables={"accounts": finish_accounts(frame), "follows": sort_frame(edges, ["follower_id", "followee_id"])},
        source_files={"accounts": str(names_path), "follows": str(edges_path)},
        rows_read={"accounts": len(lines) - blank, "follows": len(raw)},
        quirks=quirks,
        rejected=rejected_frame(rejected),
    )


# --------------------------------------------------------------------------------------------------
def load_id_labels(files: dict[str, Path], options: dict) -> AdapterResult:
    """An id/label list -> label-only accounts (no profile features).

    files: ``labels``. options: ``dataset`` (label_source, default: file stem), ``label_map`` (raw label
    -> bot/human; ``1``/``0`` map to bot/human by default), ``account_kind`` (default: the label).
    Ids listed with conflicting labels are rejected (all their lines); repeated lines keep the first.
    """
    options = options or {}
    path = file_path(files, "labels")
    dataset = options.get("dataset") or path.name.split(".")[0]
    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    frame, rows_read, rejected, quirks = read_label_list(path, options.get("label_map"))
    compressed_name = path.name.endswith((".gz", ".gzip"))
    quirks.insert(
        0,
        quirk(
            "accounts",
            "gzip content under a plain file name",
            int(gzipped and not compressed_name),
            "decompressed (detected by magic bytes)",
        ),
    )
    quirks.append(
        quirk(
            "accounts",
            "label-only rows (no profile features)",
            len(frame),
            "use for joins, dataset sizes and cross-dataset dedupe, not for training alone",
        )
    )
    frame = frame.drop(columns=["raw_label"])
    frame["label_source"] = dataset
    frame["account_kind"] = options.get("account_kind") or frame["label"]
    frame["id_kind"] = "user_id"
    return accounts_result(frame, str(path), rows_read, quirks, rejected)


# --------------------------------------------------------------------------------------------------
_NBC_COLUMNS = [
    "id",
    "location",
    "name",
    "followers_count",
    "statuses_count",
    "time_zone",
    "verified",
    "lang",
    "screen_name",
    "description",
    "created_at",
    "favourites_count",
    "friends_count",
    "listed_count",
]


def load_nbc_trolls(files: dict[str, Path], options: dict) -> AdapterResult:
    """NBC News Russian (IRA) troll accounts.

    files: ``users``. options: ``dataset`` (label_source, default ``nbc_russian_trolls``).
    Every account gets label ``bot`` with ``account_kind`` ``state_troll``: state-sponsored trolls are
    not necessarily automated, so evaluations can separate them by ``account_kind``. Rows with no id
    are keyed by screen name (``id_kind`` = ``screen_name``).
    """
    options = options or {}
    dataset = options.get("dataset") or "nbc_russian_trolls"
    path = file_path(files, "users")
    raw = read_csv_text(path)
    missing = [c for c in ("id", "screen_name") if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; columns found: {list(raw.columns)}")
    for column in _NBC_COLUMNS:
        if column not in raw.columns:
            raw[column] = ""
    raw[SOURCE_ROW] = np.arange(1, len(raw) + 1)
    rows_read = len(raw)
    rejected: list[dict] = []
    quirks: list[dict] = []
    ids = raw["id"].str.strip()
    names = raw["screen_name"].str.strip()
    bad = (ids.ne("") & ~ids.str.fullmatch(r"[0-9]+").fillna(False).astype(bool)) | (ids.eq("") & names.eq(""))
    for index in bad[bad].index:
        rejected.append(
            reject(
                "accounts",
                path,
                int(raw.at[index, SOURCE_ROW]),
                "id",
                raw.at[index, "id"],
                "id is not a string of digits (and no screen name to fall back on)"
                if ids[index]
                else "neither id nor screen name",
            )
        )
    frame = raw[~bad].copy()
    ids, names = ids[~bad], names[~bad]
    no_id = ids.eq("")
    frame["account_id"] = ids.where(~no_id, names)
    frame["id_kind"] = np.where(no_id, "screen_name", "user_id")
    quirks.append(
        quirk("accounts", "row without a user id", int(no_id.sum()), "account_id = screen_name, id_kind = screen_name")
    )
    profile_columns = ["created_at", "followers_count", "statuses_count", "friends_count"]
    empty_profile = frame[profile_columns].apply(lambda c: c.str.strip().eq("")).all(axis=1)
    quirks.append(
        quirk(
            "accounts",
            "row with a screen name but no profile fields",
            int(empty_profile.sum()),
            "kept with missing profile columns",
        )
    )
    frame, dup = reject_repeats(frame, "accounts", path, "id", "duplicate account (first kept)", rejected)
    quirks.append(quirk("accounts", "duplicate ids", int(dup.sum()), "first kept, others rejected"))
    frame["created_at"], bad_created = parse_twitter_time(frame["created_at"])
    quirks.append(quirk("accounts", "unparseable created_at", int(bad_created.sum()), "set missing"))
    bad_counts = parse_counts(frame, _COUNT_COLUMNS)
    quirks.append(quirk("accounts", "count field not a non-negative integer", bad_counts, "set missing"))
    frame["verified"] = to_bool(frame["verified"])
    for column in ("screen_name", "name", "description", "location", "lang"):
        frame[column] = text_or_na(frame[column].where(frame[column].str.strip().ne(""), None)).to_numpy()
    frame["label"] = "bot"
    frame["label_source"] = dataset
    frame["account_kind"] = "state_troll"
    quirks.append(
        quirk(
            "accounts",
            "state-sponsored trolls are not necessarily automated",
            len(frame),
            "label = bot for the bot task; account_kind = state_troll so evaluations can separate them",
        )
    )
    quirks.append(quirk("accounts", "collection time not in the data", len(frame), "collected_at left missing"))
    keep = [
        "account_id",
        SOURCE_ROW,
        "screen_name",
        "name",
        "description",
        "location",
        "lang",
        "created_at",
        "followers_count",
        "friends_count",
        "statuses_count",
        "favourites_count",
        "listed_count",
        "verified",
        "label",
        "label_source",
        "account_kind",
        "id_kind",
    ]
    return accounts_result(frame[keep], str(path), rows_read, quirks, rejected)
