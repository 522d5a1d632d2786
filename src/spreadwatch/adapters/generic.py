"""The generic format: files that already follow the canonical data model (docs/data-model.md).

``files`` maps a canonical table name (``accounts``, ``posts``, ``cascades``, ``engagements``,
``follows``, ``domains``) to a CSV/TSV, JSON Lines or Parquet file, compressed or not (gzip, bz2, xz or
a one-member zip, recognised by content). Files are read by ``spreadwatch.readers``: CSV and JSON values
stay text so that long ids never pass through floats (``spreadwatch.schema`` converts them); each row
keeps its 1-based record number (header excluded) in ``_source_row`` for error messages. Records that
cannot be aligned with the header (CSV field-count mismatch, JSON line that is not an object) are
returned in ``rejected`` with their line number. Options: ``encoding`` (one codec for every file, or
``{table: codec}``), used only when a file has no byte-order mark; UTF-8 otherwise. A file with no
content at all is read as an empty table, and the data card says so.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from spreadwatch.adapters import AdapterResult
from spreadwatch.readers import EmptyInputFile, read_table_file
from spreadwatch.schema import (
    REJECTED_COLUMNS,
    SOURCE_ROW,
    TABLE_SPECS,
    InputFileError,
    empty_table,
)


def _encoding_for(table: str, options: dict) -> str | None:
    encoding = options.get("encoding")
    if isinstance(encoding, dict):
        return encoding.get(table)
    return encoding


def load(files: dict[str, Path], options: dict | None = None) -> AdapterResult:
    """Read canonical tables from user files. Unknown table names raise a clear error."""
    options = dict(options or {})
    unknown = sorted(set(files) - set(TABLE_SPECS))
    if unknown:
        raise InputFileError(
            f"generic format: file key(s) {unknown} are not canonical tables; use {sorted(TABLE_SPECS)}"
        )
    tables, rows_read, quirks, rejected = {}, {}, [], []
    for table, path in sorted(files.items()):
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"generic format: {table} file not found: {path}")
        try:
            result = read_table_file(path, encoding=_encoding_for(table, options), table=table)
        except EmptyInputFile:
            frame = empty_table(table)
            frame[SOURCE_ROW] = pd.Series(dtype="int64")
            tables[table], rows_read[table] = frame, 0
            quirks.append(
                {
                    "table": table,
                    "quirk": "empty file",
                    "count": 1,
                    "action": f"{path.name} has no content: read as an empty table",
                }
            )
            continue
        tables[table] = result.frame
        rows_read[table] = len(result.frame) + len(result.rejected)
        if len(result.rejected):
            rejected.append(result.rejected.assign(table=table))
        quirks.extend(result.quirks)
        if result.encoding != "utf-8" or result.compression:
            quirks.append(
                {
                    "table": table,
                    "quirk": "file encoding",
                    "count": 1,
                    "action": f"{path.name}: decoded as {result.encoding}"
                    + (f" after {result.compression} decompression" if result.compression else ""),
                }
            )
    return AdapterResult(
        tables=tables,
        source_files={t: str(p) for t, p in files.items()},
        rows_read=rows_read,
        quirks=quirks,
        rejected=pd.concat(rejected, ignore_index=True)[REJECTED_COLUMNS] if rejected else None,
    )
