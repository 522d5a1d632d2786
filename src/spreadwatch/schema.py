"""The canonical table contract (``docs/data-model.md``) and its validator.

``validate_tables(tables, source_files)`` coerces every column to its canonical type and splits each
table into accepted rows and rejected rows. Nothing is dropped silently: every rejected row appears in
the returned ``rejected`` table with columns ``table, file, row, column, value, reason``, and
``read == accepted + rejected`` holds per table (see ``ValidationReport.counts``).

A problem with a whole file (a required column missing) raises ``InputFileError`` naming the file and
the column, because no row of such a file can be accepted.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

SOURCE_ROW = "_source_row"  # optional input column: the row number in the source file (1-based)
MAX_PRECISE_FLOAT_ID = 2**53


class InputFileError(ValueError):
    """A whole input file cannot be used (e.g. a required column is missing)."""


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "string" | "timestamp" | "Int64" | "float" | "boolean"
    required: bool = False
    allowed: tuple[str, ...] | None = None
    min_value: float | None = None
    max_value: float | None = None
    is_id: bool = False


@dataclass(frozen=True)
class Reference:
    column: str
    table: str
    target: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _ids(*names: str, required: tuple[str, ...] = ()) -> tuple[Column, ...]:
    return tuple(Column(n, "string", required=n in required, is_id=True) for n in names)


def _counts(*names: str) -> tuple[Column, ...]:
    return tuple(Column(n, "Int64", min_value=0) for n in names)


ACCOUNTS = TableSpec(
    "accounts",
    _ids("account_id", required=("account_id",))
    + tuple(Column(n, "string") for n in ("screen_name", "name", "description", "location", "url", "lang"))
    + (Column("created_at", "timestamp"), Column("collected_at", "timestamp"))
    + _counts("followers_count", "friends_count", "statuses_count", "favourites_count", "listed_count")
    + tuple(Column(n, "boolean") for n in ("verified", "default_profile", "default_profile_image", "protected"))
    + (
        Column("label", "string", allowed=("bot", "human")),
        Column("label_source", "string"),
        Column("account_kind", "string"),
    ),
    key=("account_id",),
)

DOMAINS = TableSpec(
    "domains",
    (
        Column("domain", "string", required=True, is_id=True),
        Column("credibility", "float", min_value=0.0, max_value=1.0),
        Column("low_credibility", "boolean"),
        Column("rating_source", "string"),
    ),
    key=("domain",),
)

CASCADES = TableSpec(
    "cascades",
    _ids("cascade_id", "root_post_id", "root_account_id", required=("cascade_id",))
    + (
        Column("created_at", "timestamp"),
        Column("url", "string"),
        Column("domain", "string"),
        Column("title", "string"),
        Column("label", "string"),
        Column("is_misinformation", "boolean"),
        Column("label_source", "string"),
        Column("event_id", "string", is_id=True),
    ),
    key=("cascade_id",),
    references=(Reference("root_account_id", "accounts", "account_id"),),
)

POSTS = TableSpec(
    "posts",
    _ids("post_id", "account_id", required=("post_id", "account_id"))
    + (
        Column("created_at", "timestamp"),
        Column("kind", "string", required=True, allowed=("original", "retweet", "reply", "quote")),
    )
    + _ids("parent_post_id", "cascade_id")
    + (Column("text", "string"), Column("url", "string"), Column("domain", "string")),
    key=("post_id",),
    references=(
        Reference("account_id", "accounts", "account_id"),
        Reference("cascade_id", "cascades", "cascade_id"),
        Reference("parent_post_id", "posts", "post_id"),
    ),
)

ENGAGEMENTS = TableSpec(
    "engagements",
    _ids(
        "engagement_id",
        "cascade_id",
        "parent_engagement_id",
        "parent_account_id",
        "parent_post_id",
        "child_account_id",
        "child_post_id",
        required=("engagement_id", "cascade_id", "child_account_id"),
    )
    + (
        Column("kind", "string", required=True, allowed=("retweet", "reply", "quote")),
        Column("time", "timestamp"),
        Column("delay_s", "float", min_value=0.0),
    ),
    key=("engagement_id",),
    references=(
        Reference("cascade_id", "cascades", "cascade_id"),
        Reference("parent_account_id", "accounts", "account_id"),
        Reference("child_account_id", "accounts", "account_id"),
        Reference("parent_engagement_id", "engagements", "engagement_id"),
    ),
)

FOLLOWS = TableSpec(
    "follows",
    _ids("follower_id", "followee_id", required=("follower_id", "followee_id")),
    key=("follower_id", "followee_id"),
    references=(
        Reference("follower_id", "accounts", "account_id"),
        Reference("followee_id", "accounts", "account_id"),
    ),
)

TABLE_SPECS: dict[str, TableSpec] = {
    s.name: s for s in (ACCOUNTS, DOMAINS, CASCADES, POSTS, ENGAGEMENTS, FOLLOWS)
}
# Referenced tables come first, so references are checked against already-accepted rows.
TABLE_ORDER: tuple[str, ...] = ("accounts", "domains", "cascades", "posts", "engagements", "follows")
REJECTED_COLUMNS = ["table", "file", "row", "column", "value", "reason"]


@dataclass
class ValidationReport:
    """Accepted tables, the rejected rows and per-table counts ``{table: {read, accepted, rejected}}``."""

    tables: dict[str, pd.DataFrame]
    rejected: pd.DataFrame
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def problems(self, limit: int = 20) -> list[str]:
        """Human-readable lines naming file, row, column and reason (first ``limit``)."""
        lines = []
        for rec in self.rejected.head(limit).itertuples(index=False):
            lines.append(
                f"{rec.file}: row {rec.row}, column {rec.column!r}: {rec.reason} (value {rec.value!r})"
            )
        return lines


def empty_table(name: str) -> pd.DataFrame:
    """An empty canonical table with the right columns and dtypes."""
    spec = TABLE_SPECS[name]
    return pd.DataFrame({c.name: pd.Series(dtype=_pandas_dtype(c.dtype)) for c in spec.columns})


def _pandas_dtype(dtype: str):
    return {
        "string": "string",
        "timestamp": "datetime64[ns, UTC]",
        "Int64": "Int64",
        "float": "float64",
        "boolean": "boolean",
    }[dtype]


_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}


def _coerce(values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    """Convert ``values`` to the column's dtype. Returns (converted, failed_mask)."""
    present = values.notna()
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        stripped = values.astype("string").str.strip()
        present &= stripped.ne("").fillna(False).astype(bool)
        values = stripped.where(present)
    if column.dtype == "string":
        if pd.api.types.is_float_dtype(values.dtype):
            # ids (or anything) stored as floats: only integral, exactly representable values are safe
            as_float = values.astype("float64")
            bad = present & ((as_float.abs() >= MAX_PRECISE_FLOAT_ID) | (as_float % 1 != 0))
            text = as_float.where(~bad).astype("Int64").astype("string")
            return text.where(present & ~bad), bad
        return values.astype("string").where(present), pd.Series(False, index=values.index)
    if column.dtype == "timestamp":
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            out = pd.to_datetime(values, utc=True)
        elif pd.api.types.is_numeric_dtype(values.dtype):
            out = pd.to_datetime(values, unit="s", utc=True, errors="coerce")
        else:
            numeric = pd.to_numeric(values, errors="coerce")
            out = pd.to_datetime(values.where(numeric.isna()), utc=True, errors="coerce", format="mixed")
            from_numbers = pd.to_datetime(numeric, unit="s", utc=True, errors="coerce")
            out = out.where(numeric.isna(), from_numbers)
        out = out.astype("datetime64[ns, UTC]")
        return out, present & out.isna()
    if column.dtype in ("Int64", "float"):
        if values.dtype == bool or str(values.dtype) == "boolean":
            values = values.astype("Int64")
        numeric = pd.to_numeric(values, errors="coerce")
        failed = present & numeric.isna()
        if column.dtype == "Int64":
            non_integral = numeric.notna() & (numeric % 1 != 0)
            failed |= non_integral
            numeric = numeric.where(~non_integral).astype("Float64").astype("Int64")
        else:
            numeric = numeric.astype("float64")
        return numeric, failed
    if column.dtype == "boolean":
        if str(values.dtype) in ("bool", "boolean"):
            return values.astype("boolean"), pd.Series(False, index=values.index)
        text = values.astype("string").str.lower()
        out = pd.Series(pd.NA, index=values.index, dtype="boolean")
        out[text.isin(_TRUE).fillna(False).astype(bool)] = True
        out[text.isin(_FALSE).fillna(False).astype(bool)] = False
        return out, present & out.isna()
    raise ValueError(f"unknown dtype {column.dtype}")


def _is_in(values: pd.Series, targets) -> pd.Series:
    """Boolean membership of ``values`` in ``targets`` (missing values -> False), vectorised.

    pandas' ``isin`` on Arrow-backed strings falls back to a Python loop; for the millions of id
    references of a real dataset this goes through ``pyarrow.compute.is_in`` instead.
    """
    if isinstance(values.dtype, pd.StringDtype):
        value_set = pa.array(pd.Series(list(targets) if not isinstance(targets, pd.Series) else targets,
                                       dtype="string[pyarrow]").dropna().unique())
        found = pc.is_in(pa.array(values.astype("string[pyarrow]")), value_set=value_set)
        return pd.Series(found.fill_null(False).to_numpy(zero_copy_only=False), index=values.index)
    return values.isin(targets).fillna(False).astype(bool)


class _Rejections:
    def __init__(self):
        self.parts: list[pd.DataFrame] = []

    def add(self, table: str, file: str, rows: pd.Series, column: str, values: pd.Series, reason) -> None:
        if len(rows) == 0:
            return
        reasons = reason if isinstance(reason, pd.Series) else pd.Series(reason, index=rows.index)
        self.parts.append(
            pd.DataFrame(
                {
                    "table": table,
                    "file": file,
                    "row": rows.astype("int64").to_numpy(),
                    "column": column,
                    "value": values.astype("string").str.slice(0, 200).to_numpy(),
                    "reason": reasons.astype("string").to_numpy(),
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype="string") for c in REJECTED_COLUMNS}).astype(
                {"row": "int64"}
            )
        out = pd.concat(self.parts, ignore_index=True)
        return out.astype({c: "string" for c in REJECTED_COLUMNS if c != "row"})


def validate_tables(
    tables: dict[str, pd.DataFrame], source_files: dict[str, str] | None = None
) -> ValidationReport:
    """Validate and coerce canonical tables.

    Columns in: any of the canonical columns per table (``docs/data-model.md``); extra columns are
    kept unchanged; an optional ``_source_row`` column gives row numbers for messages (otherwise the
    1-based position). Columns out: every canonical column (missing optional ones added as NA) plus
    the extras, in canonical order, rows sorted by key.
    """
    source_files = source_files or {}
    rejections = _Rejections()
    accepted: dict[str, pd.DataFrame] = {}
    counts: dict[str, dict[str, int]] = {}
    unknown = set(tables) - set(TABLE_SPECS)
    if unknown:
        raise InputFileError(f"unknown table(s) {sorted(unknown)}; canonical tables are {list(TABLE_ORDER)}")
    for name in TABLE_ORDER:
        if name not in tables:
            continue
        spec = TABLE_SPECS[name]
        file = str(source_files.get(name, f"<{name}>"))
        frame = tables[name].reset_index(drop=True)
        missing = [c.name for c in spec.columns if c.required and c.name not in frame.columns]
        if missing:
            raise InputFileError(
                f"{file}: required column(s) {missing} missing from table {name!r} "
                f"(columns found: {list(frame.columns)}); see docs/data-model.md"
            )
        rows = (
            frame[SOURCE_ROW].astype("int64")
            if SOURCE_ROW in frame.columns
            else pd.Series(np.arange(1, len(frame) + 1), index=frame.index)
        )
        frame = frame.drop(columns=[SOURCE_ROW], errors="ignore")
        keep = pd.Series(True, index=frame.index)
        out = {}
        for column in spec.columns:
            if column.name not in frame.columns:
                out[column.name] = pd.Series(pd.NA, index=frame.index, dtype=_pandas_dtype(column.dtype))
                continue
            raw = frame[column.name]
            converted, failed = _coerce(raw, column)
            failed = failed.fillna(False).astype(bool)
            reason = (
                f"id stored as a float loses precision; store ids as strings"
                if column.is_id
                else f"cannot parse as {column.dtype}"
            )
            bad = failed & keep
            rejections.add(name, file, rows[bad], column.name, raw[bad], reason)
            keep &= ~failed
            if column.required:
                bad = converted.isna() & keep
                rejections.add(name, file, rows[bad], column.name, raw[bad], "required value is missing")
                keep &= ~converted.isna()
            if column.allowed is not None:
                bad = converted.notna() & ~_is_in(converted, column.allowed) & keep
                rejections.add(
                    name, file, rows[bad], column.name, raw[bad], f"not one of {list(column.allowed)}"
                )
                keep &= ~bad
            for bound, op, word in ((column.min_value, "lt", "below"), (column.max_value, "gt", "above")):
                if bound is None:
                    continue
                bad = getattr(converted, op)(bound).fillna(False).astype(bool) & keep
                rejections.add(name, file, rows[bad], column.name, raw[bad], f"{word} {bound}")
                keep &= ~bad
            out[column.name] = converted
        table = pd.DataFrame(out, index=frame.index)
        extras = [c for c in frame.columns if c not in spec.column_names]
        for extra in extras:
            table[extra] = frame[extra]
        if name == "engagements":
            bad = table["time"].isna() & table["delay_s"].isna() & keep
            rejections.add(name, file, rows[bad], "time", table["time"][bad], "needs a time or a delay_s")
            keep &= ~bad
        duplicated = table[list(spec.key)][keep].duplicated(keep="first")
        dup_index = duplicated[duplicated].index
        if len(dup_index):
            key_values = table.loc[dup_index, list(spec.key)].astype("string").agg("|".join, axis=1)
            rejections.add(
                name, file, rows[dup_index], ",".join(spec.key), key_values, "duplicate key (first kept)"
            )
            keep[dup_index] = False
        # references to other (already accepted) tables, then self-references until nothing changes
        for ref in spec.references:
            if ref.table == name:
                continue
            targets = accepted[ref.table][ref.target] if ref.table in accepted else pd.Series([], dtype="string")
            values = table[ref.column]
            bad = values.notna() & ~_is_in(values, targets) & keep
            rejections.add(
                name, file, rows[bad], ref.column, values[bad],
                f"does not resolve to {ref.table}.{ref.target}",
            )
            keep &= ~bad
        for ref in spec.references:
            if ref.table != name:
                continue
            while True:
                targets = table.loc[keep, ref.target]
                values = table[ref.column]
                bad = values.notna() & ~_is_in(values, targets) & keep
                if not bad.any():
                    break
                rejections.add(
                    name, file, rows[bad], ref.column, values[bad],
                    f"does not resolve to an accepted {ref.table}.{ref.target}",
                )
                keep &= ~bad
        table = table[keep].sort_values(list(spec.key), kind="stable").reset_index(drop=True)
        accepted[name] = table
        counts[name] = {"read": int(len(frame)), "accepted": int(len(table)), "rejected": int((~keep).sum())}
    return ValidationReport(tables=accepted, rejected=rejections.frame(), counts=counts)
