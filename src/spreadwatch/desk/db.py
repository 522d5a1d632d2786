"""SQLite verdict store of the review desk.

One file per project (config ``ranking.reviews_db``, default ``reviews/{dataset}.sqlite``). Tables:

- ``schema_migrations(version, applied_at)``: versioned migrations, applied in order, once each;
- ``verdicts(dataset, account_id, verdict, reviewer, note, date, audit_id)``: the current state;
- ``audit_log(id, dataset, account_id, action, verdict, reviewer, note, date, previous_id)``:
  append-only history; ``action`` is ``set``, ``undo`` or ``import``.

WAL journal with ``synchronous=FULL``: a write is one transaction and is on disk when the call
returns, so a verdict acknowledged to the browser survives a killed server. Undo appends an audit
entry that restores the state before the account's latest change.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

VERDICTS = ("confirmed", "dismissed", "unsure")
REVIEWER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$")
MAX_NOTE = 2000

MIGRATIONS = (
    (
        1,
        """
        CREATE TABLE verdicts (
            dataset TEXT NOT NULL, account_id TEXT NOT NULL,
            verdict TEXT NOT NULL CHECK (verdict IN ('confirmed', 'dismissed', 'unsure')),
            reviewer TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', date TEXT NOT NULL,
            PRIMARY KEY (dataset, account_id));
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT, dataset TEXT NOT NULL, account_id TEXT NOT NULL,
            action TEXT NOT NULL, verdict TEXT, reviewer TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
            date TEXT NOT NULL);
        CREATE INDEX audit_account ON audit_log (dataset, account_id, id);
    """,
    ),
    (
        2,
        """
        ALTER TABLE verdicts ADD COLUMN audit_id INTEGER;
        ALTER TABLE audit_log ADD COLUMN previous_id INTEGER;
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    """,
    ),
)


class VerdictError(ValueError):
    """A verdict, reviewer name or note is not acceptable; the message says which and why."""


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_reviewer(name: str) -> str:
    """Return the stripped reviewer name or raise ``VerdictError`` (letters, digits, space . _ @ -; 1-64)."""
    name = (name or "").strip()
    if not REVIEWER_PATTERN.match(name):
        raise VerdictError("reviewer name must be 1-64 characters: letters, digits, space, '.', '_', '@', '-'")
    return name


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating and migrating) the store; WAL, synchronous=FULL, autocommit (explicit BEGINs)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("PRAGMA busy_timeout=30000")
    migrate(con)
    return con


def migrate(con: sqlite3.Connection) -> int:
    """Apply the migrations not yet applied (each in its own transaction); return the schema version."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for version, script in MIGRATIONS:
        with _transaction(con):
            done = con.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)).fetchone()
            if not done:
                for statement in _statements(script):
                    con.execute(statement)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, now_iso()))
    return schema_version(con)


@contextmanager
def _transaction(con):
    """One write transaction: BEGIN IMMEDIATE, COMMIT when the block ends, ROLLBACK (and re-raise) on any exception."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    """Split a migration script on ';' outside trigger bodies (BEGIN ... END)."""
    out, current, depth = [], [], 0
    for line in script.strip().splitlines():
        current.append(line)
        upper = line.upper()
        if re.search(r"\bBEGIN\b", upper):
            depth += 1
        if re.search(r"\bEND;\s*$", upper):
            depth -= 1
        if depth == 0 and line.rstrip().endswith(";"):
            out.append("\n".join(current).strip().rstrip(";"))
            current = []
    if "".join(current).strip():
        out.append("\n".join(current).strip().rstrip(";"))
    return out


def schema_version(con: sqlite3.Connection) -> int:
    """Highest applied migration (works on the store or on a connection that ATTACHed it)."""
    return int(con.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0])


def _write(con, dataset, account_id, action, verdict, reviewer, note, date, previous_id):
    cursor = con.execute(
        "INSERT INTO audit_log (dataset, account_id, action, verdict, reviewer, note, date, previous_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (dataset, account_id, action, verdict, reviewer, note, date, previous_id),
    )
    audit_id = cursor.lastrowid
    if verdict is None:
        con.execute("DELETE FROM verdicts WHERE dataset = ? AND account_id = ?", (dataset, account_id))
    else:
        _upsert_verdict(con, dataset, account_id, verdict, reviewer, note, date, audit_id)
    return audit_id


def _upsert_verdict(con, dataset, account_id, verdict, reviewer, note, date, audit_id) -> None:
    """Make (verdict, reviewer, note, date, audit_id) the account's current row in ``verdicts``."""
    con.execute(
        "INSERT INTO verdicts (dataset, account_id, verdict, reviewer, note, date, audit_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dataset, account_id) DO UPDATE SET "
        "verdict = excluded.verdict, reviewer = excluded.reviewer, note = excluded.note, "
        "date = excluded.date, audit_id = excluded.audit_id",
        (dataset, account_id, verdict, reviewer, note, date, audit_id),
    )


def _current_audit_id(con, dataset: str, account_id: str) -> int | None:
    """The audit-log id of the account's current verdict (None: no verdict)."""
    row = con.execute(
        "SELECT audit_id FROM verdicts WHERE dataset = ? AND account_id = ?", (dataset, account_id)
    ).fetchone()
    return row[0] if row else None


def set_verdict(
    con,
    dataset: str,
    account_id: str,
    verdict: str,
    reviewer: str,
    note: str = "",
    date: str | None = None,
    action: str = "set",
) -> int:
    """Record a verdict (one transaction, durable on return); return its audit-log id."""
    if verdict not in VERDICTS:
        raise VerdictError(f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    reviewer = check_reviewer(reviewer)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise VerdictError(f"note is longer than {MAX_NOTE} characters")
    account_id = str(account_id)
    with _transaction(con):
        previous_id = _current_audit_id(con, dataset, account_id)
        audit_id = _write(con, dataset, account_id, action, verdict, reviewer, note, date or now_iso(), previous_id)
    return audit_id


def undo(con, dataset: str, account_id: str, reviewer: str) -> dict | None:
    """Revert the account's latest change: restore the state its audit entry replaced (or no verdict).

    Appends an ``undo`` audit entry; returns the restored verdict row (None = unreviewed again)."""
    reviewer = check_reviewer(reviewer)
    account_id = str(account_id)
    with _transaction(con):
        current_id = _current_audit_id(con, dataset, account_id)
        if current_id is None:
            return None
        previous_id = con.execute("SELECT previous_id FROM audit_log WHERE id = ?", (current_id,)).fetchone()[0]
        previous = None
        if previous_id is not None:
            previous = con.execute(
                "SELECT verdict, reviewer, note, date, previous_id FROM audit_log WHERE id = ?", (previous_id,)
            ).fetchone()
        if previous is None or previous[0] is None:
            _write(con, dataset, account_id, "undo", None, reviewer, "", now_iso(), None)
            restored = None
        else:
            # the restored state keeps its own chain, so a second undo goes one step further back
            cursor = con.execute(
                "INSERT INTO audit_log (dataset, account_id, action, verdict, reviewer, note, date, previous_id) "
                "VALUES (?, ?, 'undo', ?, ?, ?, ?, ?)",
                (dataset, account_id, previous[0], previous[1], previous[2], previous[3], previous[4]),
            )
            _upsert_verdict(con, dataset, account_id, *previous[:4], cursor.lastrowid)
            restored = {"verdict": previous[0], "reviewer": previous[1], "note": previous[2], "date": previous[3]}
    return restored


def get_verdict(con, dataset: str, account_id: str) -> dict | None:
    row = con.execute(
        "SELECT verdict, reviewer, note, date FROM verdicts WHERE dataset = ? AND account_id = ?",
        (dataset, str(account_id)),
    ).fetchone()
    return dict(zip(("verdict", "reviewer", "note", "date"), row)) if row else None


def history(con, dataset: str, account_id: str) -> list[dict]:
    """The account's audit entries, newest first (id, action, verdict, reviewer, note, date)."""
    rows = con.execute(
        "SELECT id, action, verdict, reviewer, note, date FROM audit_log "
        "WHERE dataset = ? AND account_id = ? ORDER BY id DESC LIMIT 200",
        (dataset, str(account_id)),
    )
    return [dict(zip(("id", "action", "verdict", "reviewer", "note", "date"), r)) for r in rows]


def verdicts_frame(con, dataset: str) -> pd.DataFrame:
    """Current verdicts as the reviews-CSV table: account_id, verdict, reviewer, note, date (sorted by id)."""
    rows = con.execute(
        "SELECT account_id, verdict, reviewer, note, date FROM verdicts WHERE dataset = ? ORDER BY account_id",
        (dataset,),
    ).fetchall()
    rows = [tuple(r) for r in rows]
    frame = pd.DataFrame(rows, columns=["account_id", "verdict", "reviewer", "note", "date"])
    return frame.astype("string")


def read_verdicts(path: str | Path, dataset: str) -> pd.DataFrame:
    """Current verdicts of ``dataset`` from a store file, read-only (no migration, no write)."""
    uri = f"file:{Path(path).resolve()}?mode=ro"
    con = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        return verdicts_frame(con, dataset)
    finally:
        con.close()


def import_csv(con, dataset: str, reviews: pd.DataFrame, reviewer_default: str = "import") -> int:
    """Import a reviews table (``reviews.read_reviews`` output) as audit entries; return rows imported."""
    n = 0
    for row in reviews.itertuples(index=False):
        reviewer = row.reviewer if isinstance(row.reviewer, str) and row.reviewer.strip() else reviewer_default
        set_verdict(
            con,
            dataset,
            row.account_id,
            row.verdict,
            reviewer,
            row.note if isinstance(row.note, str) else "",
            date=row.date if isinstance(row.date, str) and row.date else None,
            action="import",
        )
        n += 1
    return n
