"""The review desk's SQLite verdict store and its place in the reviews loop (no server needed)."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from spreadwatch.desk import db as vdb
from spreadwatch.desk.app import _cell as neutralise
from spreadwatch.reviews import (
    apply_reviews,
    merge_reviews,
    read_reviews,
    read_reviews_db,
    review_exclusions,
)
from spreadwatch.safe_csv import unneutralise_cell as unneutralise


def test_migrations_run_once_and_set_wal_full(tmp_path):
    path = tmp_path / "desk.sqlite"
    con = vdb.connect(path)
    assert vdb.schema_version(con) == len(vdb.MIGRATIONS)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    con.close()
    con = vdb.connect(path)  # a second open applies nothing
    assert con.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == len(vdb.MIGRATIONS)


def test_set_undo_walks_back_the_history(tmp_path):
    con = vdb.connect(tmp_path / "desk.sqlite")
    vdb.set_verdict(con, "ds", "a1", "unsure", "ana", "first look")
    vdb.set_verdict(con, "ds", "a1", "confirmed", "ben", "bot network")
    vdb.set_verdict(con, "ds", "a1", "dismissed", "ana", "news outlet")
    assert vdb.get_verdict(con, "ds", "a1")["verdict"] == "dismissed"
    assert vdb.undo(con, "ds", "a1", "ana")["verdict"] == "confirmed"
    assert vdb.get_verdict(con, "ds", "a1")["note"] == "bot network"
    assert vdb.undo(con, "ds", "a1", "ana")["verdict"] == "unsure"
    assert vdb.undo(con, "ds", "a1", "ana") is None
    assert vdb.get_verdict(con, "ds", "a1") is None
    assert vdb.undo(con, "ds", "a1", "ana") is None  # nothing left to undo
    actions = [h["action"] for h in vdb.history(con, "ds", "a1")]
    assert actions == ["undo", "undo", "undo", "set", "set", "set"]


def test_audit_log_is_append_only(tmp_path):
    con = vdb.connect(tmp_path / "desk.sqlite")
    vdb.set_verdict(con, "ds", "a1", "confirmed", "ana")
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("UPDATE audit_log SET verdict = 'dismissed'")
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("DELETE FROM audit_log")


@pytest.mark.parametrize("name", ["", " ", "<script>", "a" * 65, "ana\nbob", "=cmd", "-x", "ana;drop"])
def test_bad_reviewer_names_are_refused(tmp_path, name):
    con = vdb.connect(tmp_path / "desk.sqlite")
    with pytest.raises(vdb.VerdictError):
        vdb.set_verdict(con, "ds", "a1", "confirmed", name)
    assert con.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == 0


def test_bad_verdicts_are_refused(tmp_path):
    con = vdb.connect(tmp_path / "desk.sqlite")
    for verdict in ("", "Confirmed", "bot", "confirmed'--"):
        with pytest.raises(vdb.VerdictError):
            vdb.set_verdict(con, "ds", "a1", verdict, "ana")


def test_database_verdicts_join_the_csv_reviews(tmp_path):
    csv_path = tmp_path / "reviews.csv"
    csv_path.write_text(
        "account_id,verdict,reviewer,note,date\na1,confirmed,ana,,2024-01-01\na2,dismissed,ana,,2024-01-01\n"
    )
    db_path = tmp_path / "desk.sqlite"
    con = vdb.connect(db_path)
    vdb.set_verdict(con, "ds", "a2", "confirmed", "ben", "it is a bot after all")  # newer than the CSV row
    vdb.set_verdict(con, "ds", "a3", "dismissed", "ben", "satire account")
    vdb.set_verdict(con, "other", "a1", "dismissed", "ben")  # another dataset: not read
    con.close()
    merged = merge_reviews(read_reviews(csv_path), read_reviews_db(db_path, "ds"))
    assert merged.set_index("account_id")["verdict"].to_dict() == {
        "a1": "confirmed",
        "a2": "confirmed",
        "a3": "dismissed",
    }
    assert review_exclusions(merged) == {"a3"}
    ranked = pd.DataFrame({"rank": [1, 2, 3, 4], "account_id": ["a3", "a1", "a4", "a2"], "score": [0.9, 0.8, 0.7, 0.6]})
    out = apply_reviews(ranked, merged)
    assert out["account_id"].tolist() == ["a1", "a4", "a2", "a3"]
    assert out.set_index("account_id")["review_status"].to_dict() == {
        "a1": "confirmed",
        "a4": "unreviewed",
        "a2": "confirmed",
        "a3": "dismissed",
    }


def test_missing_database_means_no_verdicts(tmp_path):
    assert read_reviews_db(tmp_path / "nope.sqlite", "ds").empty
    assert read_reviews_db(None, "ds").empty


def test_import_round_trips_the_csv_format(tmp_path):
    con = vdb.connect(tmp_path / "desk.sqlite")
    csv_path = tmp_path / "reviews.csv"
    csv_path.write_text("account_id,verdict,reviewer,note,date\na1,confirmed,ana,seen,2024-01-02\na2,unsure,,,\n")
    assert vdb.import_csv(con, "ds", read_reviews(csv_path)) == 2
    frame = vdb.verdicts_frame(con, "ds")
    assert frame["verdict"].tolist() == ["confirmed", "unsure"]
    assert frame["reviewer"].tolist() == ["ana", "import"]
    assert [h["action"] for h in vdb.history(con, "ds", "a1")] == ["import"]


def test_csv_cells_cannot_become_formulas():
    for cell in ('=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx"):
        assert neutralise(cell).startswith("'")
        assert unneutralise(neutralise(cell)) == cell
    assert neutralise("plain note") == "plain note"
    assert neutralise(None) == ""
