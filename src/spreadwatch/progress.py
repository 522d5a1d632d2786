"""Progress bars for long stages (tqdm to stderr: the terminal that runs snakemake or the CLI; the rule's
log file gets the log records, not the bars).

``progress(iterable, desc)`` wraps a loop; ``progress_steps(desc, total)`` is a bar that a function
advances by hand through its named steps (``bar.step("follow graph")``). Loop bars refresh at most every
``mininterval`` seconds so log files stay short; step bars show every step. Set the environment variable
``SPREADWATCH_PROGRESS=0`` to turn them off.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable


def _enabled() -> bool:
    return os.environ.get("SPREADWATCH_PROGRESS", "1") != "0"


def _bar_options(desc: str, unit: str, mininterval: float) -> dict:
    # plain ASCII and a fixed width, also when stderr is a log file rather than a terminal
    return {
        "desc": desc,
        "unit": unit,
        "file": sys.stderr,
        "mininterval": mininterval,
        "ascii": True,
        "dynamic_ncols": False,
        "ncols": 100,
    }


def progress(iterable: Iterable, desc: str, total: int | None = None, unit: str = "it", mininterval: float = 10.0):
    """``iterable`` wrapped in a tqdm bar on stderr (plain ASCII, also when stderr is not a terminal)."""
    if not _enabled():
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, **_bar_options(desc, unit, mininterval))


class _Steps:
    """A bar of ``total`` named steps: ``step(name)`` marks one done; ``close()`` ends the bar."""

    def __init__(self, desc: str, total: int):
        self._bar = None
        if _enabled():
            from tqdm import tqdm

            self._bar = tqdm(total=total, **_bar_options(desc, "step", 0.0))

    def step(self, name: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(name, refresh=False)
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def progress_steps(desc: str, total: int) -> _Steps:
    """A tqdm bar on stderr that a function advances through its ``total`` named steps by hand."""
    return _Steps(desc, total)
