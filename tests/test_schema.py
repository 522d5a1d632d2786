import pandas as pd
import pytest
from conftest import FIXTURES

from spreadwatch.adapters.generic import load
from spreadwatch.schema import InputFileError, validate_tables

GENERIC = FIXTURES / "generic"


def _validated():
    files = {t: GENERIC / f"{t}.csv" for t in ("accounts", "cascades", "engagements")}
    result = load(files)
    return validate_tables(result.tables, result.source_files)


def test_counts_reconcile_and_bad_rows_are_quarantined_with_reasons():
    report = _validated()
    assert report.counts["accounts"] == {"read": 8, "accepted": 3, "rejected": 5}
    assert report.counts["cascades"] == {"read": 3, "accepted": 2, "rejected": 1}
    assert report.counts["engagements"] == {"read": 7, "accepted": 2, "rejected": 5}
    for table, counts in report.counts.items():
        assert counts["read"] == counts["accepted"] + counts["rejected"]
        assert (report.rejected["table"] == table).sum() == counts["rejected"]
    rejected = report.rejected.set_index(["table", "row"])
    assert rejected.loc[("accounts", 4), "reason"] == "duplicate key (first kept)"
    assert rejected.loc[("accounts", 5), "column"] == "account_id"
    assert rejected.loc[("accounts", 6), "column"] == "created_at"
    assert rejected.loc[("accounts", 7), "column"] == "verified"
    assert rejected.loc[("accounts", 8), "column"] == "followers_count"
    assert rejected.loc[("cascades", 3), "reason"].startswith("does not resolve to accounts")
    assert rejected.loc[("engagements", 3), "column"] == "parent_engagement_id"
    assert rejected.loc[("engagements", 5), "column"] == "kind"
    assert rejected.loc[("engagements", 7), "column"] == "delay_s"
    assert set(report.rejected["file"]) <= {str(GENERIC / f"{t}.csv") for t in ("accounts", "cascades", "engagements")}


def test_problem_lines_name_file_row_and_column():
    lines = _validated().problems()
    assert any("accounts.csv: row 8, column 'followers_count': cannot parse as Int64" in line for line in lines)


def test_types_are_canonical():
    tables = _validated().tables
    accounts = tables["accounts"]
    assert list(accounts["account_id"]) == ["1001", "1002", "1003"]
    assert str(accounts["created_at"].dtype) == "datetime64[ns, UTC]"
    assert str(accounts["followers_count"].dtype) == "Int64"
    assert str(accounts["verified"].dtype) == "boolean"
    # the untrusted text is kept verbatim; escaping is the report's job
    assert accounts.loc[accounts["account_id"] == "1002", "description"].item() == "auto posts <b>news</b>"


def test_missing_required_column_raises_naming_file_and_column():
    with pytest.raises(InputFileError, match=r"engagements\.csv.*child_account_id"):
        validate_tables(
            {"engagements": pd.DataFrame({"engagement_id": ["e"], "cascade_id": ["c"], "kind": ["retweet"]})},
            {"engagements": "my/engagements.csv"},
        )


def test_float_ids_that_lost_precision_are_rejected_not_rounded():
    accounts = pd.DataFrame({"account_id": [12.0, 2.0**60, 3.5]})
    report = validate_tables({"accounts": accounts})
    assert list(report.tables["accounts"]["account_id"]) == ["12"]
    assert report.counts["accounts"]["rejected"] == 2
    assert report.rejected["reason"].str.contains("float").all()
