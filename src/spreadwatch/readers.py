"""Readers for user table files: bytes -> raw text table, or a clear ``InputFileError``.

``read_table_file(path, encoding=None)`` returns a ``ReadResult``: a frame of raw values (every CSV and
JSON value as text, Parquet values as stored) with ``_source_row`` (1-based record number, header
excluded), plus ``rejected`` records (columns ``table, file, row, column, value, reason``) for records
that cannot be aligned with the header, and ``quirks``. ``read = len(frame) + len(rejected)``.

- Compression is sniffed from the first bytes (gzip, bz2, xz, zip with one member), not from the name.
- Text encodings: a byte-order mark (UTF-8, UTF-16, UTF-32) or a UTF-16 byte pattern is honoured;
  otherwise the text must be UTF-8 unless ``encoding`` is given (e.g. ``latin-1``, never guessed).
- The format comes from the name once compression suffixes are stripped (``.csv``, ``.tsv``, ``.jsonl``,
  ``.ndjson``, ``.parquet``); a file that starts with the Parquet magic is read as Parquet.
- CSV records whose field count differs from the header's are quarantined with their line number,
  never shifted or padded; a bare carriage return inside an unquoted field is kept as text when the
  file's lines end in ``\\n``.
- JSON Lines lines that are not JSON objects are quarantined with their line number.
- A file with no bytes (or only whitespace) raises ``EmptyInputFile``; a corrupt Parquet file raises
  ``InputFileError``.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch.schema import REJECTED_COLUMNS, SOURCE_ROW, InputFileError

ENCODING_HINT = (
    "re-save the file as UTF-8, or state its encoding with `encoding:` in the dataset's registry "
    "options (e.g. `encoding: latin-1`)"
)
_COMPRESSED_SUFFIXES = (".gz", ".gzip", ".bz2", ".xz", ".zip")
_CR_SENTINEL = "\ue000"  # private-use character standing in for a bare CR while the CSV is parsed


class EmptyInputFile(InputFileError):
    """The file has no content at all (not even a header)."""


@dataclass
class ReadResult:
    frame: pd.DataFrame
    rejected: pd.DataFrame
    quirks: list[dict] = field(default_factory=list)
    encoding: str = "utf-8"
    compression: str | None = None


def sniff_compression(head: bytes) -> str | None:
    """``gzip``, ``bz2``, ``xz``, ``zip`` or None, from a file's first bytes."""
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:3] == b"BZh":
        return "bz2"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if head[:4] == b"PK\x03\x04":
        return "zip"
    return None


def read_bytes(path: Path) -> tuple[bytes, str | None]:
    """The file's decompressed bytes and the compression found (by content)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise InputFileError(f"cannot read the file: {error}", path=path) from error
    kind = sniff_compression(raw[:8])
    if kind is None:
        return raw, None
    try:
        if kind == "gzip":
            return gzip.decompress(raw), kind
        if kind == "bz2":
            return bz2.decompress(raw), kind
        if kind == "xz":
            return lzma.decompress(raw), kind
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise InputFileError(
                    f"zip archive holds {len(members)} files; one table per file is expected",
                    path=path,
                    hint="extract the archive and list each table file in the registry",
                )
            return archive.read(members[0]), kind
    except InputFileError:
        raise
    except (OSError, EOFError, ValueError, lzma.LZMAError, zipfile.BadZipFile) as error:
        raise InputFileError(
            f"{kind} data is corrupt or truncated ({error})",
            path=path,
            hint="re-download or re-compress the file",
        ) from error


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_text(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data``: BOM or UTF-16 pattern first, then ``encoding`` (default strict UTF-8)."""
    boms = (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    )
    chosen = None
    for bom, name in boms:
        if data.startswith(bom):
            chosen, data = name, data[len(bom) :]
            if name == "utf-8-sig":
                chosen = "utf-8"
            break
    if chosen is None and len(data) >= 4 and encoding is None:
        head = data[:4000]
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            chosen = "utf-16-le"
        elif even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            chosen = "utf-16-be"
    chosen = chosen or encoding or "utf-8"
    try:
        return data.decode(chosen), chosen
    except LookupError as error:
        raise InputFileError(
            f"unknown encoding {chosen!r}", path=path, hint="use a Python codec name such as utf-8, latin-1, cp1252"
        ) from error
    except UnicodeDecodeError as error:
        raise InputFileError(
            f"byte 0x{data[error.start]:02x} at offset {error.start} is not valid {chosen}",
            path=path,
            line=_line_of(data, error.start),
            hint=ENCODING_HINT,
        ) from error


def _empty_rejected() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "string") for c in REJECTED_COLUMNS})


def _rejected(records: list[dict]) -> pd.DataFrame:
    if not records:
        return _empty_rejected()
    return pd.DataFrame.from_records(records, columns=REJECTED_COLUMNS).astype(
        {c: "string" for c in REJECTED_COLUMNS if c != "row"} | {"row": "int64"}
    )


def _read_csv(text: str, path: Path, table: str, sep: str) -> ReadResult:
    quirks = []
    n_bare_cr = 0
    if "\n" in text:
        text = text.replace("\r\n", "\n")
        n_bare_cr = text.count("\r")
        if n_bare_cr:
            text = text.replace("\r", _CR_SENTINEL)
            quirks.append(
                {
                    "table": table,
                    "quirk": "bare carriage return inside a field",
                    "count": n_bare_cr,
                    "action": "kept as text (lines end in \\n); the record is not split",
                }
            )
    elif "\r" in text:
        text = text.replace("\r", "\n")  # classic Mac line endings
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
    try:
        header = next(reader)
    except StopIteration as error:
        raise EmptyInputFile("the file is empty (no header)", path=path) from error
    except csv.Error as error:
        raise InputFileError(f"the header line cannot be read as CSV: {error}", path=path, line=1) from error
    header = [h.replace(_CR_SENTINEL, "\r").strip() for h in header]
    if not any(header):
        raise InputFileError("the header line is blank", path=path, line=1, hint="the first line must name the columns")
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise InputFileError(f"the header names column(s) {duplicated} more than once", path=path, line=1)
    rows, positions, rejected = [], [], []
    record, line = 0, 1
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            record += 1
            rejected.append(
                {
                    "table": table,
                    "file": str(path),
                    "row": record,
                    "column": "<record>",
                    "value": "",
                    "reason": f"line {start}: not a readable CSV record ({error})",
                }
            )
            continue
        if not fields or (len(fields) == 1 and not fields[0].strip() and len(header) > 1):
            continue  # blank line
        record += 1
        line = start
        if len(fields) != len(header):
            value = sep.join(fields).replace(_CR_SENTINEL, "\r")[:200]
            rejected.append(
                {
                    "table": table,
                    "file": str(path),
                    "row": record,
                    "column": "<record>",
                    "value": value,
                    "reason": f"line {line}: {len(fields)} field(s) but the header has {len(header)} "
                    "(an unquoted separator or line break?); record not used",
                }
            )
            continue
        rows.append(fields)
        positions.append(record)
    frame = (
        pd.DataFrame(rows, columns=header, dtype=object)
        if rows
        else pd.DataFrame({h: pd.Series(dtype=object) for h in header})
    )
    if n_bare_cr:
        for column in frame.columns:
            frame[column] = frame[column].str.replace(_CR_SENTINEL, "\r", regex=False)
    frame = frame.replace({"": None})
    frame[SOURCE_ROW] = np.asarray(positions, dtype="int64")
    return ReadResult(frame, _rejected(rejected), quirks)


def _read_jsonl(text: str, path: Path, table: str) -> ReadResult:
    records, positions, rejected = [], [], []
    record = 0
    for line_number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        record += 1
        try:
            # numbers (and NaN/Infinity) stay text: ids must never pass through float
            value = json.loads(line, parse_int=str, parse_float=str, parse_constant=str)
        except json.JSONDecodeError as error:
            reason = f"line {line_number}: not valid JSON ({error.msg} at column {error.colno})"
            value = None
        else:
            if isinstance(value, dict):
                records.append(value)
                positions.append(record)
                continue
            kind = {list: "an array", bool: "a boolean", type(None): "null"}.get(type(value), "a scalar")
            if isinstance(value, str):
                kind = "a string" if line.lstrip().startswith('"') else "a number"
            reason = f"line {line_number}: is {kind}, not a JSON object; record not used"
        rejected.append(
            {
                "table": table,
                "file": str(path),
                "row": record,
                "column": "<record>",
                "value": line.strip()[:200],
                "reason": reason,
            }
        )
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    frame[SOURCE_ROW] = np.asarray(positions, dtype="int64")
    return ReadResult(frame, _rejected(rejected))


def _read_parquet(data: bytes, path: Path) -> ReadResult:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        arrow = pq.read_table(io.BytesIO(data))
        frame = arrow.to_pandas()
    except (pa.ArrowException, OSError, ValueError) as error:
        raise InputFileError(
            f"not a readable Parquet file ({error})", path=path, hint="the file is corrupt or truncated; write it again"
        ) from error
    if len(set(frame.columns)) != len(frame.columns):
        raise InputFileError("the Parquet file repeats a column name", path=path)
    frame = frame.reset_index(drop=True)
    frame[SOURCE_ROW] = np.arange(1, len(frame) + 1, dtype="int64")
    return ReadResult(frame, _empty_rejected())


def table_format(path: Path) -> str:
    """``csv``, ``tsv``, ``jsonl`` or ``parquet`` from the name, compression suffixes stripped."""
    name = Path(path).name.lower()
    while name.endswith(_COMPRESSED_SUFFIXES):
        name = name.rsplit(".", 1)[0]
    for suffixes, kind in (
        ((".csv",), "csv"),
        ((".tsv", ".tab"), "tsv"),
        ((".jsonl", ".ndjson"), "jsonl"),
        ((".parquet", ".pq"), "parquet"),
    ):
        if name.endswith(suffixes):
            return kind
    raise InputFileError(
        "unsupported file type", path=path, hint="use .csv, .tsv, .jsonl/.ndjson or .parquet (optionally compressed)"
    )


def read_table_file(path: str | Path, encoding: str | None = None, table: str = "") -> ReadResult:
    """Read one CSV / TSV / JSON Lines / Parquet file (see the module docstring for the contract)."""
    path = Path(path)
    kind = table_format(path)
    data, compression = read_bytes(path)
    table = table or path.name
    if data[:4] == b"PAR1":
        kind = "parquet"
    if kind == "parquet":
        if not data.strip():
            raise EmptyInputFile("the file is empty", path=path)
        result = _read_parquet(data, path)
        result.compression = compression
        return result
    text, used = decode_text(data, path, encoding)
    if not text.strip():
        raise EmptyInputFile(
            "the file is empty (no header, no rows)",
            path=path,
            hint="write at least the header line, or leave the table out",
        )
    if kind == "jsonl":
        result = _read_jsonl(text, path, table)
    else:
        result = _read_csv(text, path, table, "\t" if kind == "tsv" else ",")
    result.encoding, result.compression = used, compression
    return result
