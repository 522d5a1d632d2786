"""Hand-made malformed inputs (issue 14) through the readers and the validator, one case each.

Every case must end in either a clear ``InputFileError`` (unusable file, exit code 2) or a validation
whose bookkeeping holds (read = accepted + rejected) and whose rejected rows carry the expected reason.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import subprocess
import sys
import zipfile

import pandas as pd
import pytest

from spreadwatch.adapters.generic import load
from spreadwatch.ingest import combine_rejections
from spreadwatch.schema import InputFileError, validate_tables

ACC = "account_id,name,created_at,followers_count,label\n"
GOOD = "1,Ann,2020-01-01T00:00:00Z,10,human\n2,Bob,2020-01-02T00:00:00Z,20,bot\n"


def run_case(tmp_path, files: dict[str, tuple[str, bytes]], options: dict | None = None):
    """Write the files, read and validate them; return (report, rejected, counts)."""
    paths = {}
    for table, (name, content) in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        paths[table] = path
    options = options or {}
    result = load(paths, {k: v for k, v in options.items() if k == "encoding"})
    report = validate_tables(
        result.tables, result.source_files, options={k: v for k, v in options.items() if k != "encoding"}
    )
    rejected, counts = combine_rejections(result, report)
    for table, c in counts.items():
        assert c["read"] == c["accepted"] + c["rejected"], table
        assert (rejected["table"] == table).sum() == c["rejected"]
        if table in report.tables:
            assert len(report.tables[table]) == c["accepted"]
    return report, rejected, counts


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


ENG_HEAD = "engagement_id,cascade_id,parent_engagement_id,child_account_id,kind,time\n"
CASCADES = ("cascades.csv", b"cascade_id,created_at\nc1,2020-01-01T00:00:00Z\n")
ACCOUNTS = ("accounts.csv", (ACC + GOOD).encode())

# (case id, files, options, expected): expected is ("error", text) | ("ok", {table: accepted}) |
# ("reject", table, column, reason text, accepted count)
CASES = [
    ("utf8-bom", {"accounts": ("a.csv", b"\xef\xbb\xbf" + (ACC + GOOD).encode())}, None, ("ok", {"accounts": 2})),
    ("utf16-bom", {"accounts": ("a.csv", (ACC + GOOD).encode("utf-16"))}, None, ("ok", {"accounts": 2})),
    ("utf16le-no-bom", {"accounts": ("a.csv", (ACC + GOOD).encode("utf-16-le"))}, None, ("ok", {"accounts": 2})),
    ("utf16-jsonl", {"accounts": ("a.jsonl", '{"account_id": "1"}\n'.encode("utf-16"))}, None, ("ok", {"accounts": 1})),
    (
        "latin1-undeclared",
        {"accounts": ("a.csv", (ACC + "1,Jérôme,2020-01-01,1,human\n").encode("latin-1"))},
        None,
        ("error", "line 2: byte 0xe9"),
    ),
    (
        "latin1-declared",
        {"accounts": ("a.csv", (ACC + "1,Jérôme,2020-01-01,1,human\n").encode("latin-1"))},
        {"encoding": "latin-1"},
        ("ok", {"accounts": 1}),
    ),
    (
        "unknown-encoding",
        {"accounts": ("a.csv", (ACC + GOOD).encode())},
        {"encoding": "klingon"},
        ("error", "unknown encoding"),
    ),
    (
        "gzip-under-csv-name",
        {"accounts": ("a.csv", gzip.compress((ACC + GOOD).encode()))},
        None,
        ("ok", {"accounts": 2}),
    ),
    ("bz2-under-csv-name", {"accounts": ("a.csv", bz2.compress((ACC + GOOD).encode()))}, None, ("ok", {"accounts": 2})),
    ("xz", {"accounts": ("a.csv.xz", lzma.compress((ACC + GOOD).encode()))}, None, ("ok", {"accounts": 2})),
    (
        "zip-one-member",
        {"accounts": ("a.csv.zip", _zip("a.csv", (ACC + GOOD).encode()))},
        None,
        ("ok", {"accounts": 2}),
    ),
    ("plain-under-gz-name", {"accounts": ("a.csv.gz", (ACC + GOOD).encode())}, None, ("ok", {"accounts": 2})),
    (
        "truncated-gzip",
        {"accounts": ("a.csv.gz", gzip.compress((ACC + GOOD).encode())[:30])},
        None,
        ("error", "gzip data is corrupt or truncated"),
    ),
    ("empty-file", {"accounts": ("a.csv", b"")}, None, ("ok", {"accounts": 0})),
    ("whitespace-file", {"accounts": ("a.csv", b"\n \n")}, None, ("ok", {"accounts": 0})),
    ("empty-jsonl", {"accounts": ("a.jsonl", b"")}, None, ("ok", {"accounts": 0})),
    ("header-only", {"accounts": ("a.csv", ACC.encode())}, None, ("ok", {"accounts": 0})),
    (
        "jsonl-array-line",
        {"accounts": ("a.jsonl", b'{"account_id": "1"}\n[1, 2]\n')},
        None,
        ("reject", "accounts", "<record>", "line 2: is an array", 1),
    ),
    (
        "jsonl-scalar-line",
        {"accounts": ("a.jsonl", b'{"account_id": "1"}\n42\n')},
        None,
        ("reject", "accounts", "<record>", "line 2: is a number", 1),
    ),
    (
        "jsonl-null-line",
        {"accounts": ("a.jsonl", b'null\n{"account_id": "1"}\n')},
        None,
        ("reject", "accounts", "<record>", "line 1: is null", 1),
    ),
    (
        "jsonl-broken-line",
        {"accounts": ("a.jsonl", b'{"account_id": "1"}\n\n{"account_id": \n')},
        None,
        ("reject", "accounts", "<record>", "line 3: not valid JSON", 1),
    ),
    (
        "jsonl-infinity",
        {"accounts": ("a.jsonl", b'{"account_id": "1", "followers_count": Infinity}\n')},
        None,
        ("reject", "accounts", "followers_count", "not a finite number", 0),
    ),
    (
        "corrupt-parquet",
        {"accounts": ("a.parquet", b"PAR1 this is not really parquet")},
        None,
        ("error", "not a readable Parquet file"),
    ),
    (
        "truncated-parquet",
        {"accounts": ("a.parquet", _parquet(pd.DataFrame({"account_id": ["1", "2"]}))[:-20])},
        None,
        ("error", "not a readable Parquet file"),
    ),
    (
        "text-under-parquet-name",
        {"accounts": ("a.parquet", (ACC + GOOD).encode())},
        None,
        ("error", "not a readable Parquet file"),
    ),
    (
        "parquet-under-csv-name",
        {"accounts": ("a.csv", _parquet(pd.DataFrame({"account_id": ["1", "2"]})))},
        None,
        ("ok", {"accounts": 2}),
    ),
    (
        "csv-too-few-fields",
        {"accounts": ("a.csv", (ACC + GOOD + "3,Cy\n").encode())},
        None,
        ("reject", "accounts", "<record>", "line 4: 2 field(s) but the header has 5", 2),
    ),
    (
        "csv-too-many-fields",
        {"accounts": ("a.csv", (ACC + "3,Cy,2020-01-01,5,bot,extra\n" + GOOD).encode())},
        None,
        ("reject", "accounts", "<record>", "line 2: 6 field(s) but the header has 5", 2),
    ),
    (
        "csv-bare-cr-in-field",
        {"accounts": ("a.csv", (ACC + "1,An\rn,2020-01-01,10,human\n2,Bob,2020-01-02,20,bot\n").encode())},
        None,
        ("ok", {"accounts": 2}),
    ),
    (
        "csv-crlf-lines",
        {"accounts": ("a.csv", (ACC + GOOD).replace("\n", "\r\n").encode())},
        None,
        ("ok", {"accounts": 2}),
    ),
    (
        "csv-old-mac-lines",
        {"accounts": ("a.csv", (ACC + GOOD).replace("\n", "\r").encode())},
        None,
        ("ok", {"accounts": 2}),
    ),
    (
        "csv-quoted-newline",
        {"accounts": ("a.csv", (ACC + '1,"An\nn",2020-01-01,10,human\n2,Bob,2020-01-02,x,bot\n').encode())},
        None,
        ("reject", "accounts", "followers_count", "cannot parse as Int64", 1),
    ),
    (
        "csv-duplicate-header",
        {"accounts": ("a.csv", b"account_id,name,name\n1,a,b\n")},
        None,
        ("error", "more than once"),
    ),
    ("unsupported-suffix", {"accounts": ("a.xlsx", b"PK")}, None, ("error", "unsupported file type")),
    ("missing-required-column", {"accounts": ("a.csv", b"name\nx\n")}, None, ("error", "account_id")),
    # validator
    (
        "engagements-without-delay_s",
        {
            "accounts": ACCOUNTS,
            "cascades": CASCADES,
            "engagements": ("e.csv", (ENG_HEAD + "e1,c1,,1,retweet,2020-01-01T00:01:00Z\n").encode()),
        },
        None,
        ("ok", {"engagements": 1}),
    ),
    (
        "domains-without-credibility",
        {"domains": ("d.csv", b"domain,low_credibility\nx.com,true\n")},
        None,
        ("ok", {"domains": 1}),
    ),
    (
        "time-1900",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,1900-01-01,1,human\n").encode())},
        None,
        ("reject", "accounts", "created_at", "outside the plausible time window", 2),
    ),
    (
        "time-2100",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,2100-01-01,1,human\n").encode())},
        None,
        ("reject", "accounts", "created_at", "outside the plausible time window", 2),
    ),
    (
        "time-year-1",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,0001-01-01,1,human\n").encode())},
        None,
        ("reject", "accounts", "created_at", "outside the", 2),
    ),
    (
        "time-sentinel-9999999999",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,9999999999,1,human\n").encode())},
        None,
        ("reject", "accounts", "created_at", "outside the plausible time window", 2),
    ),
    (
        "time-negative-epoch",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,-86400,1,human\n").encode())},
        None,
        ("reject", "accounts", "created_at", "outside the plausible time window", 2),
    ),
    (
        "time-epoch-ms",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,1577836800000,1,human\n").encode())},
        None,
        ("ok", {"accounts": 3}),
    ),
    (
        "time-now",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,now,1,human\n").encode())},
        None,
        ("reject", "accounts", "created_at", "relative time", 2),
    ),
    (
        "time-today",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,Today,1,human\n").encode())},
        None,
        ("reject", "accounts", "created_at", "relative time", 2),
    ),
    (
        "time-days-ago",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,3 days ago,1,human\n").encode())},
        None,
        ("reject", "accounts", "created_at", "relative time", 2),
    ),
    (
        "time-day-month-ambiguous",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,1/2/2020,1,human\n").encode())},
        None,
        ("reject", "accounts", "created_at", "ambiguous day/month", 2),
    ),
    (
        "time-day-month-declared",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,1/2/2020,1,human\n").encode())},
        {"time_format": "%d/%m/%Y"},
        ("reject", "accounts", "created_at", "does not match time_format", 1),
    ),
    (
        "time-unparseable",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,not-a-date,1,human\n").encode())},
        None,
        ("reject", "accounts", "created_at", "cannot parse as a timestamp", 2),
    ),
    (
        "count-inf",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,2020-01-01,inf,human\n").encode())},
        None,
        ("reject", "accounts", "followers_count", "not a finite number", 2),
    ),
    (
        "count-nan-text",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,2020-01-01,nan,human\n").encode())},
        None,
        ("reject", "accounts", "followers_count", "cannot parse as Int64", 2),
    ),
    (
        "count-above-int64",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,2020-01-01,99999999999999999999,human\n").encode())},
        None,
        ("reject", "accounts", "followers_count", "int64 range", 2),
    ),
    (
        "count-negative",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,2020-01-01,-4,human\n").encode())},
        None,
        ("reject", "accounts", "followers_count", "below 0", 2),
    ),
    (
        "count-fraction",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C,2020-01-01,4.5,human\n").encode())},
        None,
        ("reject", "accounts", "followers_count", "not an integer", 2),
    ),
    (
        "delay-inf",
        {
            "accounts": ACCOUNTS,
            "cascades": CASCADES,
            "engagements": (
                "e.csv",
                b"engagement_id,cascade_id,child_account_id,kind,delay_s\ne1,c1,1,retweet,inf\ne2,c1,2,retweet,5\n",
            ),
        },
        None,
        ("reject", "engagements", "delay_s", "not a finite number", 1),
    ),
    (
        "credibility-above-1",
        {"domains": ("d.csv", b"domain,credibility\nx.com,1.5\ny.com,0.5\n")},
        None,
        ("reject", "domains", "credibility", "above 1.0", 1),
    ),
    (
        "id-exponent",
        {"accounts": ("a.csv", (ACC + GOOD + "8.41E+17,C,2020-01-01,1,human\n").encode())},
        None,
        ("reject", "accounts", "account_id", "spreadsheet", 2),
    ),
    (
        "id-float-1e18",
        {"accounts": ("a.csv", (ACC + GOOD + "1.0e18,C,2020-01-01,1,human\n").encode())},
        None,
        ("reject", "accounts", "account_id", "spreadsheet", 2),
    ),
    (
        "id-1.5e300",
        {"accounts": ("a.csv", (ACC + GOOD + "1.5e300,C,2020-01-01,1,human\n").encode())},
        None,
        ("reject", "accounts", "account_id", "spreadsheet", 2),
    ),
    (
        "id-trailing-.0",
        {"accounts": ("a.csv", (ACC + GOOD + "123456.0,C,2020-01-01,1,human\n").encode())},
        None,
        ("reject", "accounts", "account_id", "spreadsheet", 2),
    ),
    (
        "id-parquet-float",
        {"accounts": ("a.parquet", _parquet(pd.DataFrame({"account_id": [1.0, 8.41e17]})))},
        None,
        ("reject", "accounts", "account_id", "spreadsheet", 1),
    ),
    (
        "nul-in-name",
        {"accounts": ("a.csv", (ACC + GOOD + "3,C\x00x,2020-01-01,1,human\n").encode())},
        None,
        ("reject", "accounts", "name", "control characters", 2),
    ),
    (
        "escape-char-in-name",
        {"accounts": ("a.jsonl", b'{"account_id": "1", "name": "a\\u001bb"}\n')},
        None,
        ("reject", "accounts", "name", "control characters", 0),
    ),
    (
        "conflicting-labels",
        {"accounts": ("a.csv", (ACC + GOOD + "1,Ann,2020-01-01,10,bot\n").encode())},
        None,
        ("reject", "accounts", "label", "conflicting labels", 1),
    ),
    (
        "duplicate-same-label",
        {"accounts": ("a.csv", (ACC + GOOD + "1,Ann,2020-01-01,10,human\n").encode())},
        None,
        ("reject", "accounts", "account_id", "duplicate key (first kept)", 2),
    ),
    (
        "engagement-self-loop",
        {
            "accounts": ACCOUNTS,
            "cascades": CASCADES,
            "engagements": ("e.csv", (ENG_HEAD + "e1,c1,e1,1,retweet,2020-01-01T00:01:00Z\n").encode()),
        },
        None,
        ("reject", "engagements", "parent_engagement_id", "self-loop", 0),
    ),
    (
        "engagement-cycle",
        {
            "accounts": ACCOUNTS,
            "cascades": CASCADES,
            "engagements": (
                "e.csv",
                (
                    ENG_HEAD + "a,c1,b,1,retweet,2020-01-01T00:01:00Z\n"
                    "b,c1,a,2,retweet,2020-01-01T00:02:00Z\n"
                    "c,c1,,2,retweet,2020-01-01T00:02:00Z\n"
                ).encode(),
            ),
        },
        None,
        ("reject", "engagements", "parent_engagement_id", "cycle", 1),
    ),
    (
        "engagement-missing-root",
        {
            "accounts": ACCOUNTS,
            "cascades": CASCADES,
            "engagements": (
                "e.csv",
                (
                    ENG_HEAD + "a,c1,zz,1,retweet,2020-01-01T00:01:00Z\n"
                    "b,c1,a,2,retweet,2020-01-01T00:02:00Z\n"
                    "c,c1,b,2,retweet,2020-01-01T00:02:00Z\n"
                ).encode(),
            ),
        },
        None,
        ("reject", "engagements", "parent_engagement_id", "an ancestor does not resolve", 0),
    ),
    (
        "post-cycle",
        {
            "accounts": ACCOUNTS,
            "posts": (
                "p.csv",
                b"post_id,account_id,kind,parent_post_id\np1,1,reply,p2\np2,1,reply,p1\np3,1,original,\n",
            ),
        },
        None,
        ("reject", "posts", "parent_post_id", "cycle", 1),
    ),
]


@pytest.mark.parametrize("case_id, files, options, expected", CASES, ids=[c[0] for c in CASES])
def test_malformed_input_is_an_error_or_a_quarantine(tmp_path, case_id, files, options, expected):
    if expected[0] == "error":
        with pytest.raises(InputFileError, match=expected[1]):
            run_case(tmp_path, files, options)
        return
    report, rejected, counts = run_case(tmp_path, files, options)
    if expected[0] == "ok":
        assert rejected.empty, rejected.to_dict("records")
        for table, n in expected[1].items():
            assert counts[table]["accepted"] == n
        return
    _, table, column, reason, n_accepted = expected
    mine = rejected[(rejected["table"] == table) & (rejected["column"] == column)]
    assert mine["reason"].str.contains(reason, regex=False).any(), rejected.to_dict("records")
    assert counts[table]["accepted"] == n_accepted


def test_bare_cr_stays_inside_its_field(tmp_path):
    report, _, _ = run_case(tmp_path, {"accounts": ("a.csv", (ACC + "1,An\rn,2020-01-01,10,human\n").encode())})
    assert report.tables["accounts"]["name"].tolist() == ["An\rn"]


def test_latin1_declared_is_decoded(tmp_path):
    report, _, _ = run_case(
        tmp_path,
        {"accounts": ("a.csv", (ACC + "1,Jérôme,2020-01-01,1,human\n").encode("latin-1"))},
        {"encoding": "latin-1"},
    )
    assert report.tables["accounts"]["name"].tolist() == ["Jérôme"]


def test_day_month_format_is_applied(tmp_path):
    report, _, _ = run_case(
        tmp_path, {"accounts": ("a.csv", (ACC + "1,A,01/02/2020,1,human\n").encode())}, {"time_format": "%d/%m/%Y"}
    )
    assert report.tables["accounts"]["created_at"].tolist() == [pd.Timestamp("2020-02-01", tz="UTC")]


def test_epoch_units_by_magnitude_are_noted(tmp_path):
    report, _, _ = run_case(
        tmp_path, {"accounts": ("a.csv", (ACC + "1,A,1577836800,1,human\n2,B,1577836800000,1,bot\n").encode())}
    )
    assert report.tables["accounts"]["created_at"].nunique() == 1
    quirks = {q["quirk"]: q["count"] for q in report.notes}
    assert quirks == {"created_at given as epoch seconds": 1, "created_at given as epoch milliseconds": 1}


def test_time_window_comes_from_data_or_config_never_the_clock(tmp_path):
    report, _, _ = run_case(tmp_path, {"accounts": ACCOUNTS})
    assert report.time_window["end"] == "2020-01-03 00:00:00"
    assert "observed" in report.time_window["end_from"]
    report, rejected, _ = run_case(tmp_path, {"accounts": ACCOUNTS}, {"collected_at": "2020-01-01"})
    assert rejected["reason"].str.contains("plausible time window").sum() == 0
    report, rejected, _ = run_case(tmp_path, {"accounts": ACCOUNTS}, {"time_window": {"end": "2020-01-01T12:00:00"}})
    assert rejected["row"].tolist() == [2]


def test_cycle_and_self_loop_reasons_are_distinct(tmp_path):
    _, rejected, _ = run_case(
        tmp_path,
        {
            "accounts": ACCOUNTS,
            "cascades": CASCADES,
            "engagements": (
                "e.csv",
                (
                    ENG_HEAD + "a,c1,b,1,retweet,2020-01-01T00:01:00Z\nb,c1,a,2,retweet,2020-01-01T00:02:00Z\n"
                    "s,c1,s,2,retweet,2020-01-01T00:02:00Z\nt,c1,a,2,retweet,2020-01-01T00:03:00Z\n"
                    "m,c1,nope,2,retweet,2020-01-01T00:03:00Z\n"
                ).encode(),
            ),
        },
    )
    reasons = dict(zip(rejected["row"], rejected["reason"]))
    assert reasons[1] == reasons[2] == "the parent chain forms a cycle"
    assert reasons[3] == "refers to itself (self-loop)"
    assert reasons[4] == "the parent chain forms a cycle"  # hangs from a cycle: never reaches a root
    assert reasons[5].startswith("does not resolve")


# ---- the command line: exit codes and a single error message ------------------------------------------
def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "spreadwatch", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_exit_codes_clean_rejected_unusable(tmp_path):
    clean = tmp_path / "clean.csv"
    clean.write_text(ACC + GOOD)
    assert _cli("validate", "--accounts", str(clean)).returncode == 0
    rejected = tmp_path / "rejected.csv"
    rejected.write_text(ACC + GOOD + "3,C,now,1,human\n")
    run = _cli("validate", "--accounts", str(rejected))
    assert run.returncode == 1 and "relative time" in run.stdout
    unusable = tmp_path / "latin.csv"
    unusable.write_bytes((ACC + "1,Jérôme,2020-01-01,1,human\n").encode("latin-1"))
    run = _cli("validate", "--accounts", str(unusable))
    assert run.returncode == 2
    assert run.stderr.count(str(unusable)) == 1 and "Traceback" not in run.stderr
    assert "encoding" in run.stderr
    run = _cli("validate", "--accounts", str(unusable), "--encoding", "latin-1")
    assert run.returncode == 0, run.stderr


def test_cli_internal_error_has_its_own_code_and_one_message(tmp_path, monkeypatch, capsys):
    import spreadwatch.schema
    from spreadwatch.cli import EXIT_BUG, main

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    clean = tmp_path / "clean.csv"
    clean.write_text(ACC + GOOD)
    monkeypatch.setattr(spreadwatch.schema, "validate_tables", broken)
    assert main(["validate", "--accounts", str(clean)]) == EXIT_BUG
    err = capsys.readouterr().err
    assert err.count("internal error") == 1 and "Traceback" not in err
    log_path = err.split("the traceback is in ")[1].split(";")[0]
    assert "ZeroDivisionError" in open(log_path, encoding="utf-8").read()


# ---- safe outputs ------------------------------------------------------------------------------------
def test_csv_cells_that_start_a_formula_are_neutralised(tmp_path):
    from spreadwatch.safe_csv import write_csv

    frame = pd.DataFrame(
        {
            "account_id": ["1", "2", "3", "4", "5", "6", "7"],
            "screen_name": ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "ok"],
            "score": [-0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    path = write_csv(frame, tmp_path / "out.csv")
    back = pd.read_csv(path, dtype={"account_id": str})
    assert back["screen_name"].tolist()[:6] == ["'" + v for v in frame["screen_name"][:6]]
    assert back["screen_name"].tolist()[6] == "ok"
    assert back["score"].tolist() == frame["score"].tolist()  # numbers stay numbers
    for line in path.read_text().splitlines():
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "@")), cell


def test_every_csv_writer_goes_through_safe_csv():
    from conftest import REPO

    offenders = []
    for path in sorted((REPO / "src").rglob("*.py")) + sorted((REPO / "workflow" / "scripts").glob("*.py")):
        if path.name != "safe_csv.py" and ".to_csv(" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_export_checks_salt_and_name_before_writing_anything(tmp_path):
    from spreadwatch.export import run_export

    base = tmp_path / "results" / "ds"
    base.mkdir(parents=True)
    pd.DataFrame({"account_id": ["1"], "screen_name": ["same"], "name": ["same"], "rank": [1], "score": [0.5]}).to_csv(
        base / "ranked_accounts.csv", index=False
    )
    out = tmp_path / "exports" / "ds"
    with pytest.raises(ValueError, match="salt"):
        run_export(tmp_path / "results", "ds", "short", out)
    assert not (tmp_path / "exports").exists()
    with pytest.raises(ValueError, match="must match"):
        run_export(tmp_path / "results", "../ds", "a-long-secret", out)
    assert not (tmp_path / "exports").exists()
    run_export(tmp_path / "results", "ds", "a-long-secret", out)
    shared = pd.read_csv(out / "ranked_accounts_pseudonymised.csv")
    # one key and prefix per field: the same text as screen name and as name gives unrelated pseudonyms
    assert shared["screen_name_pseudonym"][0].startswith("s_") and shared["name_pseudonym"][0].startswith("n_")
    assert shared["screen_name_pseudonym"][0][2:] != shared["name_pseudonym"][0][2:]


def test_registry_dataset_names_must_be_safe(tmp_path):
    from spreadwatch.ingest import load_registry

    registry = tmp_path / "datasets.yaml"
    registry.write_text("datasets:\n  ../../x: {format: generic, tasks: [bot]}\n")
    with pytest.raises(InputFileError, match="must match"):
        load_registry(registry)
