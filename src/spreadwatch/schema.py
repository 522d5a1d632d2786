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

DATASET_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"  # dataset names become folder names: nothing else
SOURCE_ROW = "_source_row"  # optional input column: the row number in the source file (1-based)
MAX_PRECISE_FLOAT_ID = 2**53


class InputFileError(ValueError):
    """A whole input file cannot be used (e.g. a required column is missing, unreadable bytes).

    ``InputFileError(message, path=..., line=..., column=..., hint=...)``: the text names the file, the
    line and column where known, what is wrong and what to do. A bare message also works.
    """

    def __init__(
        self, message: str, *, path=None, line: int | None = None, column: str | None = None, hint: str | None = None
    ):
        self.path, self.line, self.column, self.message, self.hint = path, line, column, message, hint
        where = ", ".join(
            part
            for part in (
                str(path) if path is not None else "",
                f"line {line}" if line is not None else "",
                f"column {column!r}" if column is not None else "",
            )
            if part
        )
        text = f"{where}: {message}" if where else message
        if hint:
            text += f" ({hint})"
        super().__init__(text)


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

TABLE_SPECS: dict[str, TableSpec] = {s.name: s for s in (ACCOUNTS, DOMAINS, CASCADES, POSTS, ENGAGEMENTS, FOLLOWS)}
# Referenced tables come first, so references are checked against already-accepted rows.
TABLE_ORDER: tuple[str, ...] = ("accounts", "domains", "cascades", "posts", "engagements", "follows")
REJECTED_COLUMNS = ["table", "file", "row", "column", "value", "reason"]


@dataclass
class ValidationReport:
    """Accepted tables, the rejected rows and per-table counts ``{table: {read, accepted, rejected}}``."""

    tables: dict[str, pd.DataFrame]
    rejected: pd.DataFrame
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[dict] = field(default_factory=list)
    time_window: dict = field(default_factory=dict)

    def problems(self, limit: int = 20) -> list[str]:
        """Human-readable lines naming file, row, column and reason (first ``limit``)."""
        return problem_lines(self.rejected, limit)


def problem_lines(rejected: pd.DataFrame, limit: int = 20) -> list[str]:
    """Lines ``file: row R, column 'c': reason (value 'v')`` for the first ``limit`` rejected rows."""
    lines = []
    for rec in rejected.head(limit).itertuples(index=False):
        lines.append(f"{rec.file}: row {rec.row}, column {rec.column!r}: {rec.reason} (value {rec.value!r})")
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
INT64_MAX = 2**63 - 1
DEFAULT_TIME_START = "2006-01-01"
# ids a spreadsheet turned into numbers: 8.41E+17, 1.0e18, 123456.0
_FLOAT_ID = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+$|^[+-]?\d+\.0*$"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_RELATIVE_TIME = r"(?i)^(?:now|today|yesterday|tomorrow)$|\bago$|^[+-]\s*\d+\s*[a-z]+$|^(?:last|next)\s"
_AMBIGUOUS_DATE = r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}(?:$|[ T])"
_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
# epoch magnitude -> unit: |v| < 1e11 seconds (year 5138), < 1e14 ms, < 1e17 us, else ns
_EPOCH_UNITS = (
    (1e11, "seconds", 1e6),
    (1e14, "milliseconds", 1e3),
    (1e17, "microseconds", 1.0),
    (float("inf"), "nanoseconds", 1e-3),
)
ID_FLOAT_REASON = (
    "id in float/exponent notation: a spreadsheet probably converted it to a number and lost digits; "
    "export the ids as text"
)


@dataclass
class _Context:
    """Per-run validation options and the notes (data-card quirks) gathered while coercing."""

    time_formats: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    def time_format(self, table: str, column: str) -> str | None:
        formats = self.time_formats
        if isinstance(formats, str):
            return formats
        return formats.get(f"{table}.{column}") or formats.get(column) or formats.get("*")


def _no_reason(index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype="string")


def _epoch_times(numbers: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Epoch numbers -> (datetime64[us, UTC], reasons, unit names), the unit chosen by magnitude."""
    numbers = numbers.astype("float64")
    finite = np.isfinite(numbers.to_numpy())
    magnitude = numbers.abs().to_numpy()
    micros = np.full(len(numbers), np.nan)
    units = np.full(len(numbers), None, dtype=object)
    lower = 0.0
    for limit, name, scale in _EPOCH_UNITS:
        pick = finite & (magnitude >= lower) & (magnitude < limit)
        micros[pick] = np.round(numbers.to_numpy()[pick] * scale)
        units[pick] = name
        lower = limit
    reasons = pd.Series(
        np.where(numbers.notna() & ~finite, "not a finite number", None), index=numbers.index, dtype="string"
    )
    huge = finite & ~(np.abs(np.nan_to_num(micros)) < 9.2e18)
    ok = np.isfinite(micros) & (np.abs(np.nan_to_num(micros)) < 9.2e18)
    as_int = np.where(ok, micros, 0).astype("int64")
    times = pd.Series(pd.to_datetime(as_int, unit="us", utc=True), index=numbers.index).where(ok)
    reasons[huge] = "outside the representable time range"
    return times.astype("datetime64[us, UTC]"), reasons, pd.Series(units, index=numbers.index)


def _parse_times(values: pd.Series, present: pd.Series, fmt: str | None) -> tuple[pd.Series, pd.Series, dict]:
    """Raw values -> (datetime64[us, UTC], reasons, {epoch unit: count}). No range check here."""
    index = values.index
    reasons = _no_reason(index)
    unit_counts: dict[str, int] = {}
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values.dt.tz_localize("UTC") if values.dt.tz is None else values.dt.tz_convert("UTC")
        return out.dt.as_unit("us"), reasons, unit_counts
    if pd.api.types.is_bool_dtype(values.dtype) or str(values.dtype) == "boolean":
        return (
            pd.Series(pd.NaT, index=index, dtype="datetime64[us, UTC]"),
            reasons.mask(present, "a boolean is not a time"),
            unit_counts,
        )
    if pd.api.types.is_numeric_dtype(values.dtype):
        out, reasons, units = _epoch_times(values)
        for unit, n in units[values.notna()].value_counts().items():
            unit_counts[str(unit)] = int(n)
        return out, reasons, unit_counts
    text = values.astype("string")
    out = pd.Series(pd.NaT, index=index, dtype="datetime64[us, UTC]")
    numeric_text = text.str.fullmatch(_NUMBER).fillna(False).astype(bool) & present
    if numeric_text.any():
        times, why, units = _epoch_times(pd.to_numeric(text[numeric_text], errors="coerce"))
        out[numeric_text] = times
        reasons[numeric_text] = why
        for unit, n in units.value_counts().items():
            unit_counts[str(unit)] = int(n)
    rest = present & ~numeric_text
    relative = text.str.contains(_RELATIVE_TIME, regex=True).fillna(False).astype(bool) & rest
    reasons[relative] = "relative time (now/today/... ago) changes with the clock; give an absolute time"
    rest &= ~relative
    if fmt:
        parsed = pd.to_datetime(text[rest], format=fmt, utc=True, errors="coerce")
        out[rest] = parsed.dt.as_unit("us") if len(parsed) else parsed
        reasons[rest & out.isna()] = f"does not match time_format {fmt!r}"
        return out, reasons, unit_counts
    ambiguous = text.str.contains(_AMBIGUOUS_DATE, regex=True).fillna(False).astype(bool) & rest
    reasons[ambiguous] = (
        "ambiguous day/month order (e.g. 1/2/2020); state the format with `time_format:` in the "
        "dataset options (e.g. '%d/%m/%Y') or use ISO 8601 (2020-02-01)"
    )
    rest &= ~ambiguous
    if rest.any():
        iso = pd.to_datetime(text[rest], format="ISO8601", utc=True, errors="coerce")
        todo = iso.isna()
        if todo.any():
            iso[todo] = pd.to_datetime(text[rest][todo], format="mixed", utc=True, errors="coerce")
        out[rest] = iso.astype("datetime64[us, UTC]")
        failed = rest & out.isna()
        years = pd.to_numeric(text.str.extract(r"^([+-]?\d{4,})-", expand=False), errors="coerce")
        reasons[failed] = "cannot parse as a timestamp"
        reasons[failed & years.notna() & ((years < 1678) | (years > 2261))] = "outside the representable time range"
    return out, reasons, unit_counts


def _coerce(values: pd.Series, column: Column, fmt: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Convert ``values`` to the column's dtype. Returns (converted, reasons): NA reason = value kept.

    Timestamps come back as ``datetime64[us, UTC]`` (the plausible-window check and the cast to
    nanoseconds happen in ``validate_tables``).
    """
    present = values.notna()
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        stripped = values.astype("string").str.strip()
        present &= stripped.ne("").fillna(False).astype(bool)
        values = stripped.where(present)
    reasons = _no_reason(values.index)
    if column.dtype == "string":
        if pd.api.types.is_float_dtype(values.dtype):
            # ids (or anything) stored as floats: only integral, exactly representable values are safe
            as_float = values.astype("float64")
            bad = present & ((as_float.abs() >= MAX_PRECISE_FLOAT_ID) | (as_float % 1 != 0) | ~np.isfinite(as_float))
            text = as_float.where(~bad).astype("Int64").astype("string")
            reason = (
                (ID_FLOAT_REASON + " (the file stores it as a float)")
                if column.is_id
                else ("a number stored as a float cannot be kept exactly as text")
            )
            return text.where(present & ~bad), reasons.mask(bad, reason)
        text = values.astype("string").where(present)
        control = text.str.contains(_CONTROL, regex=True).fillna(False).astype(bool)
        reasons[control] = "contains control characters (e.g. NUL); clean the text"
        if column.is_id:
            floaty = text.str.fullmatch(_FLOAT_ID).fillna(False).astype(bool)
            reasons[floaty] = ID_FLOAT_REASON
        return text, reasons
    if column.dtype == "timestamp":
        out, reasons, _units = _parse_times(values, present, fmt)
        return out, reasons.mask(present & out.isna() & reasons.isna(), "cannot parse as a timestamp")
    if column.dtype in ("Int64", "float"):
        if values.dtype == bool or str(values.dtype) == "boolean":
            values = values.astype("Int64")
        numeric = pd.to_numeric(values, errors="coerce").astype("float64")
        reasons[present & numeric.isna()] = f"cannot parse as {column.dtype}"
        finite = pd.Series(np.isfinite(numeric.to_numpy()), index=numeric.index)
        nonfinite = numeric.notna() & ~finite
        reasons[nonfinite] = "not a finite number"
        numeric = numeric.where(finite)
        if column.dtype == "Int64":
            non_integral = numeric.notna() & (numeric % 1 != 0)
            reasons[non_integral] = "not an integer"
            overflow = numeric.notna() & (numeric.abs() >= 2.0**63)
            reasons[overflow] = "integer outside the int64 range"
            numeric = numeric.where(~non_integral & ~overflow).astype("Float64").astype("Int64")
        return numeric, reasons
    if column.dtype == "boolean":
        if str(values.dtype) in ("bool", "boolean"):
            return values.astype("boolean"), reasons
        text = values.astype("string").str.lower()
        out = pd.Series(pd.NA, index=values.index, dtype="boolean")
        out[text.isin(_TRUE).fillna(False).astype(bool)] = True
        out[text.isin(_FALSE).fillna(False).astype(bool)] = False
        return out, reasons.mask(present & out.isna(), "cannot parse as boolean")
    raise ValueError(f"unknown dtype {column.dtype}")


def _robust_max(times: pd.Series):
    """The largest time that is not a far outlier (> 1 year past the 99th percentile)."""
    times = times.dropna()
    if times.empty:
        return None
    fence = times.quantile(0.99) + pd.Timedelta(days=366)
    return times[times <= fence].max()


def resolve_time_window(parsed: dict[tuple[str, str], pd.Series], options: dict) -> dict:
    """The plausible time window ``{start, end, end_from}``: stated in options, else defaults.

    start: ``time_window.start`` (default 2006-01-01). end: ``time_window.end``, else the stated
    ``collected_at`` (the collection time) + 1 day, else the largest observed time of any table + 1 day,
    where times more than a year past the 99th percentile do not count as observed. Never the clock.
    """
    window = dict(options.get("time_window") or {})
    start = pd.Timestamp(window.get("start", DEFAULT_TIME_START), tz="UTC")
    start = max(start, pd.Timestamp("1678-01-01", tz="UTC"))
    end, end_from = None, None
    if window.get("end"):
        end, end_from = pd.Timestamp(window["end"], tz="UTC"), "time_window.end (stated)"
    elif options.get("collected_at"):
        end = pd.Timestamp(options["collected_at"], tz="UTC") + pd.Timedelta(days=1)
        end_from = "collected_at (stated) + 1 day"
    else:
        pooled = [t[t >= start] for t in parsed.values() if len(t)]
        top = _robust_max(pd.concat(pooled)) if pooled else None
        if top is not None:
            end, end_from = top + pd.Timedelta(days=1), "largest observed time (far outliers excluded) + 1 day"
    if end is None:
        end, end_from = pd.Timestamp("2261-12-31", tz="UTC"), "no times observed"
    end = min(end, pd.Timestamp("2261-12-31", tz="UTC"))
    return {"start": start, "end": end, "end_from": end_from}


def _is_in(values: pd.Series, targets) -> pd.Series:
    """Boolean membership of ``values`` in ``targets`` (missing values -> False), vectorised.

    pandas' ``isin`` on Arrow-backed strings falls back to a Python loop; for the millions of id
    references of a real dataset this goes through ``pyarrow.compute.is_in`` instead.
    """
    if isinstance(values.dtype, pd.StringDtype):
        value_set = pa.array(
            pd.Series(list(targets) if not isinstance(targets, pd.Series) else targets, dtype="string[pyarrow]")
            .dropna()
            .unique()
        )
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
            return pd.DataFrame({c: pd.Series(dtype="string") for c in REJECTED_COLUMNS}).astype({"row": "int64"})
        out = pd.concat(self.parts, ignore_index=True)
        return out.astype({c: "string" for c in REJECTED_COLUMNS if c != "row"})


def _parent_status(keys: pd.Series, parents: pd.Series, keep: pd.Series) -> pd.Series:
    """One pass over a table's parent graph (e.g. ``parent_engagement_id -> engagement_id``).

    Returns per row NA (accepted: no parent, or the chain reaches a row without a parent) or the reason:
    the parent itself does not resolve, an ancestor does not resolve, a self-loop, or a cycle. The
    chain is followed for all rows at once by pointer jumping on integer arrays (log2(depth) rounds),
    so a 300-deep chain with a missing root costs about as much as one without.
    """
    n = len(keys)
    position = pd.Index(keys[keep].astype("string").to_numpy(dtype=object))
    has_parent = (parents.notna() & keep).to_numpy()
    parent_pos = np.full(n, -1, dtype=np.int64)  # -1: no parent (a root)
    if has_parent.any():
        found = position.get_indexer(parents[has_parent].astype("string").to_numpy(dtype=object))
        kept_rows = np.flatnonzero(keep.to_numpy())
        parent_pos[has_parent] = np.where(found >= 0, kept_rows[np.clip(found, 0, None)], -2)  # -2: dangling
    idx = np.arange(n)
    self_loop = parent_pos == idx
    terminal = parent_pos < 0
    jump = np.where(terminal, idx, parent_pos)
    jump[self_loop] = idx[self_loop]
    for _ in range(max(1, int(np.ceil(np.log2(max(n, 2)))) + 1)):
        nxt = jump[jump]
        if np.array_equal(nxt, jump):
            break
        jump = nxt
    end = jump
    reasons = np.full(n, None, dtype=object)
    reaches_dangling = terminal[end] & (parent_pos[end] == -2)
    in_cycle = ~terminal[end]
    reasons[reaches_dangling & (parent_pos >= 0)] = "an ancestor does not resolve (the chain has no root)"
    reasons[parent_pos == -2] = "dangling"
    reasons[in_cycle] = "the parent chain forms a cycle"
    reasons[self_loop] = "refers to itself (self-loop)"
    reasons[~keep.to_numpy()] = None
    return pd.Series(reasons, index=keys.index, dtype="string")


def validate_tables(
    tables: dict[str, pd.DataFrame], source_files: dict[str, str] | None = None, options: dict | None = None
) -> ValidationReport:
    """Validate and coerce canonical tables.

    Columns in: any of the canonical columns per table (``docs/data-model.md``); extra columns are
    kept unchanged; an optional ``_source_row`` column gives row numbers for messages (otherwise the
    1-based position). Columns out: every canonical column (missing optional ones added as NA) plus
    the extras, in canonical order, rows sorted by key. ``options`` (the dataset's registry options):
    ``time_format`` (one strftime format, or ``{"table.column" | "column": format}``), ``time_window``
    (``{start, end}``), ``collected_at``. The window used and the epoch units found are in
    ``report.notes`` / ``report.time_window``.
    """
    source_files = source_files or {}
    options = dict(options or {})
    context = _Context(time_formats=options.get("time_format") or {})
    rejections = _Rejections()
    accepted: dict[str, pd.DataFrame] = {}
    counts: dict[str, dict[str, int]] = {}
    unknown = set(tables) - set(TABLE_SPECS)
    if unknown:
        raise InputFileError(f"unknown table(s) {sorted(unknown)}; canonical tables are {list(TABLE_ORDER)}")
    frames: dict[str, pd.DataFrame] = {}
    for name in TABLE_ORDER:
        if name not in tables:
            continue
        spec = TABLE_SPECS[name]
        file = str(source_files.get(name, f"<{name}>"))
        frame = tables[name].reset_index(drop=True)
        missing = [c.name for c in spec.columns if c.required and c.name not in frame.columns]
        if missing:
            raise InputFileError(
                f"required column(s) {missing} missing from table {name!r} "
                f"(columns found: {[c for c in frame.columns if c != SOURCE_ROW]}); see docs/data-model.md",
                path=file,
            )
        frames[name] = frame
    # timestamps first: the plausible window depends on all of them (never on the clock)
    coerced: dict[tuple[str, str], tuple[pd.Series, pd.Series]] = {}
    for name, frame in frames.items():
        for column in TABLE_SPECS[name].columns:
            if column.dtype == "timestamp" and column.name in frame.columns:
                fmt = context.time_format(name, column.name)
                present = frame[column.name].notna()
                times, reasons, units = _parse_times(*(_strip(frame[column.name], present)), fmt)
                reasons = reasons.mask(present & times.isna() & reasons.isna(), "cannot parse as a timestamp")
                coerced[(name, column.name)] = (times, reasons)
                for unit, n in sorted(units.items()):
                    context.notes.append(
                        {
                            "table": name,
                            "quirk": f"{column.name} given as epoch {unit}",
                            "count": n,
                            "action": f"read as {unit} since 1970-01-01 UTC (unit chosen by magnitude)",
                        }
                    )
    window = resolve_time_window({k: v[0] for k, v in coerced.items()}, options)
    for name, frame in frames.items():
        spec = TABLE_SPECS[name]
        file = str(source_files.get(name, f"<{name}>"))
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
                out[column.name] = pd.Series(index=frame.index, dtype=_pandas_dtype(column.dtype))
                continue
            raw = frame[column.name]
            if column.dtype == "timestamp":
                converted, reasons = coerced[(name, column.name)]
                outside = converted.notna() & ((converted < window["start"]) | (converted > window["end"]))
                reasons = reasons.mask(
                    outside & reasons.isna(),
                    f"outside the plausible time window {window['start']:%Y-%m-%d} .. {window['end']:%Y-%m-%d} "
                    "(set time_window in the dataset options if this is right)",
                )
                converted = converted.where(~outside).astype("datetime64[ns, UTC]")
            else:
                converted, reasons = _coerce(raw, column)
            failed = reasons.notna() & keep
            rejections.add(name, file, rows[failed], column.name, raw[failed], reasons[failed])
            keep &= ~reasons.notna()
            if column.required:
                bad = converted.isna() & keep
                rejections.add(name, file, rows[bad], column.name, raw[bad], "required value is missing")
                keep &= ~converted.isna()
            if column.allowed is not None:
                bad = converted.notna() & ~_is_in(converted, column.allowed) & keep
                rejections.add(name, file, rows[bad], column.name, raw[bad], f"not one of {list(column.allowed)}")
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
        key_frame = table[list(spec.key)]
        if "label" in spec.column_names and len(spec.key) == 1:
            # one id, several different labels: no label can be trusted, so every row of the id goes
            key = spec.key[0]
            labelled = table.loc[keep & table["label"].notna(), [key, "label"]]
            n_labels = labelled.groupby(key, sort=False)["label"].nunique()
            conflicting = n_labels[n_labels > 1].index
            if len(conflicting):
                bad = keep & _is_in(table[key], pd.Series(conflicting, dtype="string"))
                rejections.add(
                    name,
                    file,
                    rows[bad],
                    "label",
                    table["label"][bad],
                    "conflicting labels for one id (all its rows rejected)",
                )
                keep &= ~bad
        duplicated = key_frame[keep].duplicated(keep="first")
        dup_index = duplicated[duplicated].index
        if len(dup_index):
            key_values = table.loc[dup_index, list(spec.key)].astype("string").agg("|".join, axis=1)
            rejections.add(name, file, rows[dup_index], ",".join(spec.key), key_values, "duplicate key (first kept)")
            keep[dup_index] = False
        # references to other (already accepted) tables, then self-references in one pass
        for ref in spec.references:
            if ref.table == name:
                continue
            targets = accepted[ref.table][ref.target] if ref.table in accepted else pd.Series([], dtype="string")
            values = table[ref.column]
            bad = values.notna() & ~_is_in(values, targets) & keep
            rejections.add(
                name,
                file,
                rows[bad],
                ref.column,
                values[bad],
                f"does not resolve to {ref.table}.{ref.target}",
            )
            keep &= ~bad
        for ref in spec.references:
            if ref.table != name:
                continue
            status = _parent_status(table[ref.target], table[ref.column], keep)
            bad = status.notna()
            reasons = status[bad].replace("dangling", f"does not resolve to an accepted {ref.table}.{ref.target}")
            rejections.add(name, file, rows[bad], ref.column, table[ref.column][bad], reasons)
            keep &= ~bad
        table = table[keep].sort_values(list(spec.key), kind="stable").reset_index(drop=True)
        accepted[name] = table
        counts[name] = {"read": len(frame), "accepted": len(table), "rejected": int((~keep).sum())}
    report = ValidationReport(tables=accepted, rejected=rejections.frame(), counts=counts)
    report.notes = context.notes
    report.time_window = {
        "start": f"{window['start']:%Y-%m-%d %H:%M:%S}",
        "end": f"{window['end']:%Y-%m-%d %H:%M:%S}",
        "end_from": window["end_from"],
    }
    return report


def _strip(values: pd.Series, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text values stripped, blanks treated as missing; other dtypes unchanged."""
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        stripped = values.astype("string").str.strip()
        present = present & stripped.ne("").fillna(False).astype(bool)
        return stripped.where(present), present
    return values, present
