"""Property-based tests (hypothesis, seeded): malformed tables and byte-mutated files through the readers
and the validator.

Properties, for every generated input: no exception other than ``InputFileError`` (an unusable file);
read = accepted + rejected per table; no accepted row with a dangling or cyclic reference or a value
outside its column's domain; no present value turned missing without its row being rejected.
``SPREADWATCH_FUZZ_EXAMPLES`` sets the number of examples per test (default 100 here; the issue's
1,000-example run: ``SPREADWATCH_FUZZ_EXAMPLES=1000 pytest tests/test_fuzz.py``).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spreadwatch.adapters.generic import load
from spreadwatch.ingest import combine_rejections
from spreadwatch.schema import (
    ID_FLOAT_REASON,
    TABLE_SPECS,
    InputFileError,
    validate_tables,
)

EXAMPLES = int(os.environ.get("SPREADWATCH_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
PROBE = "_probe"

# cell values a real file can hold, good and bad
CELLS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            " ",
            "1",
            "2",
            "3",
            "0",
            "-1",
            "4.5",
            "inf",
            "-inf",
            "nan",
            "NaN",
            "Infinity",
            "1e400",
            "99999999999999999999",
            "9223372036854775807",
            "9223372036854775808",
            "8.41E+17",
            "1.0e18",
            "1.5e300",
            "123456.0",
            "now",
            "today",
            "3 days ago",
            "1/2/2020",
            "13/02/2020",
            "2020-01-02",
            "2020-01-02T03:04:05Z",
            "2020-01-02T03:04:05+02:00",
            "Thu Jan 02 03:04:05 +0000 2020",
            "1577836800",
            "1577836800000",
            "1577836800000000",
            "0001-01-01",
            "9999-12-31",
            "9999999999",
            "1900-01-01",
            "2100-01-01",
            "-86400",
            "true",
            "false",
            "yes",
            "maybe",
            "bot",
            "human",
            "alien",
            "retweet",
            "reply",
            "quote",
            "like",
            "original",
            "a\x00b",
            "x\x1by",
            '=HYPERLINK("x")',
            "a,b",
            "é",
            "\u202e",
            "c1",
            "c2",
            "e1",
            "e2",
            "e3",
            "p1",
            "p2",
            "0.5",
            "1.5",
            "x.com",
        ]
    ),
    st.text(max_size=6),
)
ID_CELLS = st.sampled_from(["1", "2", "3", "4", None, "", "8.41E+17", "1.0e18", "a\x00", " 2 "])


def _table(columns: list[str], id_columns: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    row = st.fixed_dictionaries({c: id_columns.get(c, CELLS) for c in columns})
    return st.lists(row, min_size=0, max_size=8).map(lambda rows: pd.DataFrame(rows, columns=columns, dtype=object))


TABLES = st.fixed_dictionaries(
    {
        "accounts": _table(
            ["account_id", "name", "created_at", "collected_at", "followers_count", "verified", "label"],
            {"account_id": ID_CELLS},
        ),
        "cascades": _table(
            ["cascade_id", "root_account_id", "created_at", "label"],
            {"cascade_id": st.sampled_from(["c1", "c2", "c3", None, "c1 "]), "root_account_id": ID_CELLS},
        ),
        "engagements": _table(
            ["engagement_id", "cascade_id", "parent_engagement_id", "child_account_id", "kind", "time", "delay_s"],
            {
                "engagement_id": st.sampled_from(["e1", "e2", "e3", "e4", None]),
                "parent_engagement_id": st.sampled_from(["e1", "e2", "e3", "e4", "e9", None]),
                "cascade_id": st.sampled_from(["c1", "c2", "c3", "c9"]),
                "child_account_id": ID_CELLS,
            },
        ),
        "posts": _table(
            ["post_id", "account_id", "kind", "parent_post_id", "created_at"],
            {
                "post_id": st.sampled_from(["p1", "p2", "p3"]),
                "account_id": ID_CELLS,
                "parent_post_id": st.sampled_from(["p1", "p2", "p3", "p9", None]),
            },
        ),
        "domains": _table(
            ["domain", "credibility", "low_credibility"], {"domain": st.sampled_from(["x.com", "y.org", None])}
        ),
        "follows": _table(["follower_id", "followee_id"], {"follower_id": ID_CELLS, "followee_id": ID_CELLS}),
    }
)


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and np.isnan(value)) and str(value).strip() != ""


def check_report(raw: dict[str, pd.DataFrame], report, rejected=None, counts=None) -> None:
    """The properties every validation must satisfy."""
    rejected = report.rejected if rejected is None else rejected
    counts = report.counts if counts is None else counts
    for name, c in counts.items():
        assert c["read"] == c["accepted"] + c["rejected"], name
        assert (rejected["table"] == name).sum() == c["rejected"], name
    window = report.time_window
    start, end = pd.Timestamp(window["start"], tz="UTC"), pd.Timestamp(window["end"], tz="UTC")
    for name, table in report.tables.items():
        spec = TABLE_SPECS[name]
        assert counts[name]["accepted"] == len(table)
        for column in spec.columns:
            values = table[column.name]
            present = values.dropna()
            if column.required:
                assert values.notna().all(), (name, column.name)
            if column.allowed is not None:
                assert present.isin(column.allowed).all(), (name, column.name)
            if column.dtype in ("Int64", "float"):
                assert np.isfinite(present.astype("float64")).all(), (name, column.name)
                if column.min_value is not None:
                    assert (present >= column.min_value).all(), (name, column.name)
                if column.max_value is not None:
                    assert (present <= column.max_value).all(), (name, column.name)
            if column.dtype == "timestamp":
                assert str(values.dtype) == "datetime64[ns, UTC]"
                assert ((present >= start) & (present <= end)).all(), (name, column.name)
            if column.dtype == "string":
                assert not present.str.contains(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", regex=True).any()
                if column.is_id:
                    assert not present.str.fullmatch(r"[+-]?\d+(\.\d*)?[eE][+-]?\d+|\d+\.0*").any(), ID_FLOAT_REASON
        for ref in spec.references:
            target = report.tables.get(ref.table)
            values = table[ref.column].dropna()
            assert target is not None or values.empty
            if target is not None:
                assert values.isin(set(target[ref.target])).all(), (name, ref.column)
            if ref.table == name:  # every chain ends at a root: no cycles among accepted rows
                parent = dict(zip(table[ref.target], table[ref.column]))
                for start_key in parent:
                    seen, key = set(), start_key
                    while key is not None and not pd.isna(key):
                        assert key not in seen, (name, "cycle accepted")
                        seen.add(key)
                        key = parent.get(key)
        # no present value turned missing without a rejection
        if PROBE in table.columns and name in raw:
            source = raw[name]
            for probe, group in table.groupby(PROBE):
                original = source.iloc[int(probe)]
                row = group.iloc[0]
                for column in spec.columns:
                    if column.name in source.columns and _present(original[column.name]):
                        assert not pd.isna(row[column.name]), (name, column.name, original[column.name])


@FUZZ
@given(TABLES)
def test_generated_tables_never_crash_and_lose_nothing(tables):
    raw = {name: frame.assign(**{PROBE: np.arange(len(frame))}) for name, frame in tables.items()}
    try:
        report = validate_tables({k: v.copy() for k, v in raw.items()})
    except InputFileError:
        return
    check_report(raw, report)


SEED_FILES = {
    "accounts.csv": (
        b"account_id,name,created_at,followers_count,label\n1,Ann,2020-01-01T00:00:00Z,10,human\n"
        b'2,"B, ""quoted""\nname",2020-01-02,20,bot\n3,Cy,1577836800,5,human\n'
    ),
    "engagements.jsonl": (
        b'{"engagement_id": "e1", "cascade_id": "c1", "child_account_id": "1", "kind": "retweet", "delay_s": 5}\n'
        b'{"engagement_id": "e2", "cascade_id": "c1", "parent_engagement_id": "e1", "child_account_id": "2", '
        b'"kind": "reply", "time": "2020-01-01T00:00:09Z"}\n'
    ),
}
CASCADES = b"cascade_id,created_at\nc1,2020-01-01T00:00:00Z\n"
DANGEROUS = [
    b"\r",
    b"\n",
    b",",
    b'"',
    b"\x00",
    b"\xff",
    b"\xfe",
    b"\xef\xbb\xbf",
    b"{",
    b"[",
    b"\t",
    b"\x1f\x8b",
    b"PAR1",
    b"\xc3",
    b"e+17",
    b"inf",
    b"now",
    b"1/2/2020",
    b"   ",
]


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(SEED_FILES)))
    data = bytearray(SEED_FILES[name])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(DANGEROUS))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 12))]
        elif op == "truncate":
            del data[at:]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 40))]
    return name, bytes(data)


@FUZZ
@given(mutated(), st.sampled_from([None, "latin-1"]))
def test_byte_mutated_files_are_an_error_or_a_balanced_quarantine(tmp_path_factory, case, encoding):
    name, data = case
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / name).write_bytes(data)
    (folder / "cascades.csv").write_bytes(CASCADES)
    table = name.split(".")[0]
    files = {table: folder / name, "cascades": folder / "cascades.csv"}
    if table == "engagements":
        (folder / "accounts.csv").write_bytes(SEED_FILES["accounts.csv"])
        files["accounts"] = folder / "accounts.csv"
    try:
        result = load(files, {"encoding": encoding} if encoding else {})
        report = validate_tables(result.tables, result.source_files)
    except InputFileError as error:
        assert str(error)  # a message naming the file
        return
    rejected, counts = combine_rejections(result, report)
    check_report({}, report, rejected, counts)
    assert counts[table]["read"] == result.rows_read[table]


@pytest.mark.parametrize("depth", [1, 2, 7, 64, 300])
def test_missing_root_chain_is_rejected_whole_in_one_pass(depth):
    ids = [f"e{i}" for i in range(depth)]
    engagements = pd.DataFrame(
        {
            "engagement_id": ids,
            "cascade_id": "c1",
            "child_account_id": "1",
            "kind": "retweet",
            "delay_s": "1",
            "parent_engagement_id": ["missing"] + ids[:-1],
        }
    )
    report = validate_tables(
        {
            "accounts": pd.DataFrame({"account_id": ["1"]}),
            "cascades": pd.DataFrame({"cascade_id": ["c1"]}),
            "engagements": engagements,
        }
    )
    assert report.counts["engagements"] == {"read": depth, "accepted": 0, "rejected": depth}
    reasons = report.rejected.set_index("row")["reason"]
    assert reasons[1].startswith("does not resolve")
    assert (reasons.drop(1) == "an ancestor does not resolve (the chain has no root)").all()
