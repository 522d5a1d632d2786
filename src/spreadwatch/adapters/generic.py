"""The generic format: files that already follow the canonical data model (docs/data-model.md).

``files`` maps a canonical table name (``accounts``, ``posts``, ``cascades``, ``engagements``,
``follows``, ``domains``) to a CSV, JSON Lines or Parquet file (by suffix: ``.csv``/``.csv.gz``,
``.jsonl``/``.ndjson`` (optionally ``.gz``), ``.parquet``). CSV and JSON values are read as text so that
long ids never pass through floats; ``spreadwatch.schema`` converts them. Each row keeps its 1-based
position in the file (header excluded) in ``_source_row`` for error messages.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch.adapters import AdapterResult
from spreadwatch.schema import SOURCE_ROW, TABLE_SPECS, InputFileError


def read_table_file(path: Path) -> pd.DataFrame:
    """Read one CSV / JSONL / Parquet file into a frame of raw values plus ``_source_row``."""
    path = Path(path)
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz")):
        sep = "\t" if ".tsv" in name else ","
        try:
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""])
        except pd.errors.ParserError as error:
            raise InputFileError(f"{path}: not a readable CSV file: {error}") from error
    elif name.endswith((".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")):
        opener = gzip.open if name.endswith(".gz") else open
        records = []
        with opener(path, "rt", encoding="utf-8") as handle:
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    # numbers stay text: ids must never pass through float
                    records.append(json.loads(line, parse_int=str, parse_float=str))
                except json.JSONDecodeError as error:
                    raise InputFileError(f"{path}: line {line_number} is not valid JSON: {error}") from error
        frame = pd.DataFrame.from_records(records)
    elif name.endswith(".parquet"):
        frame = pd.read_parquet(path)
    else:
        raise InputFileError(f"{path}: unsupported file type; use .csv, .tsv, .jsonl or .parquet")
    frame[SOURCE_ROW] = np.arange(1, len(frame) + 1)
    return frame


def load(files: dict[str, Path], options: dict | None = None) -> AdapterResult:
    """Read canonical tables from user files. Unknown table names raise a clear error."""
    unknown = sorted(set(files) - set(TABLE_SPECS))
    if unknown:
        raise InputFileError(
            f"generic format: file key(s) {unknown} are not canonical tables; use {sorted(TABLE_SPECS)}"
        )
    tables, rows_read = {}, {}
    for table, path in files.items():
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"generic format: {table} file not found: {path}")
        tables[table] = read_table_file(path)
        rows_read[table] = len(tables[table])
    return AdapterResult(
        tables=tables, source_files={t: str(p) for t, p in files.items()}, rows_read=rows_read
    )
