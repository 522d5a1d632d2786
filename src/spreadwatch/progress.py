"""Progress bars for long stages (tqdm to stderr, which the workflow scripts also send to the rule's log).

Bars refresh at most every ``mininterval`` seconds so log files stay short; set the environment variable
``SPREADWATCH_PROGRESS=0`` to turn them off.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable


def progress(iterable: Iterable, desc: str, total: int | None = None, unit: str = "it", mininterval: float = 10.0):
    """``iterable`` wrapped in a tqdm bar on stderr (plain ASCII, also when stderr is not a terminal)."""
    if os.environ.get("SPREADWATCH_PROGRESS", "1") == "0":
        return iterable
    from tqdm import tqdm

    return tqdm(
        iterable,
        desc=desc,
        total=total,
        unit=unit,
        file=sys.stderr,
        mininterval=mininterval,
        ascii=True,
        dynamic_ncols=False,
        ncols=100,
    )
