"""CSV files that are safe to open in a spreadsheet (OWASP "CSV injection").

``write_csv(frame, path, **to_csv_kwargs)`` writes ``frame`` like ``DataFrame.to_csv(index=False)`` but
every text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with
``'`` so that a spreadsheet shows it as text instead of running it as a formula. Numeric columns are left
alone (a negative number stays a number). ``neutralise`` returns the neutralised frame.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def neutralise_cell(value):
    """``'`` + value when a text value starts like a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unneutralise_cell(value):
    """The inverse of ``neutralise_cell`` for text read back from a file this module wrote."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot start a spreadsheet formula."""
    out = frame.copy()
    for column in out.columns:
        if _is_text(out[column]):
            text = out[column]
            risky = text.astype("string").str.startswith(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                out[column] = text.where(~risky, "'" + text.astype("string"))
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path, **kwargs) -> Path:
    """Write ``frame`` as CSV with formula-like text neutralised; ``kwargs`` go to ``to_csv``."""
    kwargs.setdefault("index", False)
    neutralise(frame).to_csv(path, **kwargs)
    return Path(path) if not hasattr(path, "write") else path
