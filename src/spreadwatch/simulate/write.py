"""Writing the simulated dataset folder: one byte-reproducible Parquet file per table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from spreadwatch.simulate.config import TABLE_KEYS


# ----------------------------------------------------------------------------------------------
# output
# ----------------------------------------------------------------------------------------------
def _is_sorted(df: pd.DataFrame, keys: list[str]) -> bool:
    if len(df) < 2:
        return True
    cols = [
        pa.array(df[k].to_numpy(dtype=object), pa.string()) if str(df[k].dtype) != "string" else pa.array(df[k].array)
        for k in keys
    ]
    ok = None
    eq_prev = None
    for col in cols:
        a, b = col.slice(0, len(col) - 1), col.slice(1)
        gt = pc.fill_null(pc.greater(b, a), False)
        eq = pc.fill_null(pc.equal(b, a), False)
        if ok is None:
            ok, eq_prev = gt, eq
        else:
            ok = pc.or_(ok, pc.and_(eq_prev, gt))
            eq_prev = pc.and_(eq_prev, eq)
    # ties on the full key count as sorted
    ok = pc.or_(ok, eq_prev)
    return bool(pc.all(ok).as_py())


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path) -> dict[str, Path]:
    """Write each table to ``out_dir/{name}.parquet`` (deterministic row order, sorted by key).

    Tables are sorted by their key (``TABLE_KEYS``; unknown tables by their first column) unless they
    already are; files are written with pyarrow (zstd, no index), so equal tables give byte-identical
    files. Returns ``{name: path}``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name in sorted(tables):
        df = tables[name]
        keys = TABLE_KEYS.get(name, [df.columns[0]] if len(df.columns) else [])
        keys = [k for k in keys if k in df.columns]
        if keys and not _is_sorted(df, keys):
            df = df.sort_values(keys, kind="stable")
        df = df.reset_index(drop=True)
        table = pa.Table.from_pandas(df, preserve_index=False)
        path = out_dir / f"{name}.parquet"
        pq.write_table(table, path, compression="zstd")
        paths[name] = path
    return paths
