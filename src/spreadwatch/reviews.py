"""Reviewer verdicts: the reviews CSV and the review desk's database, merged, applied to a ranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

REVIEW_COLUMNS = ("account_id", "verdict", "reviewer", "note", "date")
VERDICTS = ("confirmed", "dismissed", "unsure")


class ReviewFileError(ValueError):
    """A reviews file has problems; the message names file, row and column of each."""


def read_reviews(path) -> pd.DataFrame:
    """The latest review per account from a CSV (columns ``REVIEW_COLUMNS``; reviewer, note, date optional).

    A missing path or file gives an empty table. Raises ``ReviewFileError`` listing every problem as
    ``file: row N, column 'c': ...`` (row = line number in the file, header = line 1).
    Columns out: account_id, verdict, reviewer, note, date (latest per account by date, then file order).
    """
    empty = pd.DataFrame({c: pd.Series(dtype="string") for c in REVIEW_COLUMNS})
    if not path or not Path(path).exists():
        return empty
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("account_id", "verdict") if c not in frame.columns]
    if missing:
        raise ReviewFileError(f"{path}: required column(s) {missing} missing; columns are {list(frame.columns)}")
    problems = []
    for c in REVIEW_COLUMNS:
        if c not in frame:
            frame[c] = ""
    frame = frame[list(REVIEW_COLUMNS)].apply(lambda s: s.str.strip())
    frame["verdict"] = frame["verdict"].str.lower()
    parsed = pd.to_datetime(frame["date"].where(frame["date"] != ""), errors="coerce", utc=True, format="mixed")
    for i, row in frame.iterrows():
        line = int(i) + 2
        if not row["account_id"]:
            problems.append(f"{path}: row {line}, column 'account_id': empty")
        if row["verdict"] not in VERDICTS:
            problems.append(
                f"{path}: row {line}, column 'verdict': {row['verdict']!r} is not one of {', '.join(VERDICTS)}"
            )
        if row["date"] and pd.isna(parsed[i]):
            problems.append(f"{path}: row {line}, column 'date': {row['date']!r} is not a date (use YYYY-MM-DD)")
    if problems:
        raise ReviewFileError("\n".join(problems))
    frame["_date"], frame["_line"] = parsed, np.arange(len(frame))
    latest = frame.sort_values(["account_id", "_date", "_line"], na_position="first", kind="stable")
    latest = latest.groupby("account_id", sort=True).tail(1)
    return latest[list(REVIEW_COLUMNS)].astype("string").sort_values("account_id").reset_index(drop=True)


def read_reviews_db(path, dataset) -> pd.DataFrame:
    """Current verdicts of ``dataset`` in the review desk's SQLite store (``spreadwatch serve``), read-only.

    A missing path or file gives an empty table. Columns out: as ``read_reviews``."""
    empty = pd.DataFrame({c: pd.Series(dtype="string") for c in REVIEW_COLUMNS})
    if not path or not dataset or not Path(path).exists():
        return empty
    from spreadwatch.desk.db import read_verdicts

    return read_verdicts(path, dataset)


def merge_reviews(*tables: pd.DataFrame) -> pd.DataFrame:
    """One review per account from several sources: the latest by date; on equal or missing dates the
    later table wins (pass the CSV first, the desk database last). Columns as ``read_reviews``."""
    frame = pd.concat([t[list(REVIEW_COLUMNS)].astype("string") for t in tables], ignore_index=True)
    if frame.empty:
        return frame
    frame["_date"] = pd.to_datetime(
        frame["date"].where(frame["date"].fillna("") != ""), errors="coerce", utc=True, format="mixed"
    )
    frame["_order"] = np.arange(len(frame))
    latest = frame.sort_values(["account_id", "_date", "_order"], na_position="first", kind="stable")
    latest = latest.groupby("account_id", sort=True).tail(1)
    return latest[list(REVIEW_COLUMNS)].sort_values("account_id").reset_index(drop=True)


def review_exclusions(reviews: pd.DataFrame) -> set[str]:
    """Accounts reviewers dismissed: they leave the ranked lists."""
    return set(reviews.loc[reviews["verdict"] == "dismissed", "account_id"].astype(str))


def apply_reviews(ranked: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """Add ``review_status`` (confirmed/dismissed/unsure/unreviewed) and ``reviewer``; dismissed
    accounts move below every other account (rank renumbered), confirmed ones stay where they rank."""
    table = ranked.copy()
    by_id = reviews.set_index("account_id")
    table["review_status"] = table["account_id"].astype(str).map(by_id["verdict"]).fillna("unreviewed").astype("string")
    table["reviewer"] = table["account_id"].astype(str).map(by_id["reviewer"]).astype("string")
    dismissed = table["review_status"] == "dismissed"
    table = pd.concat([table[~dismissed], table[dismissed]], ignore_index=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return table
