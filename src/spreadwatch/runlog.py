"""Logging set-up shared by the CLI and the workflow scripts: progress lines to a log file and stderr."""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextlib.contextmanager
def script_logging(log_path: str | Path | None = None, level: int = logging.INFO):
    """Send log records (and uncaught errors) to ``log_path`` and stderr for the duration of a stage."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(level=level, format=FORMAT, handlers=handlers, force=True)
    logging.captureWarnings(True)
    try:
        yield logging.getLogger("spreadwatch")
    except Exception as error:
        from spreadwatch.schema import InputFileError

        if isinstance(error, InputFileError):  # the user's input, not a bug: one clear line, no traceback
            logging.getLogger("spreadwatch").error("error: %s", error)
            raise SystemExit(2) from None
        logging.getLogger("spreadwatch").exception("stage failed")
        raise
