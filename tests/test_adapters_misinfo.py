"""Misinformation adapters (Twitter15/16, UPFD, FakeNewsNet, CoAID, credibility lists).

Fast tests run each adapter on tiny hand-written fixtures (``tests/fixtures/misinfo``) that contain every
quirk once or twice and check the quirk counts exactly. Real-data tests run the registry entries of
``configs/datasets.yaml`` on ``../shared/data`` and check the counts that each SOURCE.md states; they are
skipped when that folder is absent.
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from spreadwatch.adapters import get_adapter
from spreadwatch.adapters.credibility import is_shortener, normalise_domain, normalise_domains
from spreadwatch.adapters.twitter1516 import read_archive, rvnn_folds, snowflake_to_utc
from spreadwatch.schema import validate_tables

REPO = Path(__file__).resolve().parents[1]
FIX = REPO / "tests" / "fixtures" / "misinfo"
DATA_ROOT = Path(os.environ.get("SPREADWATCH_DATA") or (REPO.parent / "shared" / "data"))
MISINFO = DATA_ROOT / "misinfo"


def quirk_counts(result) -> dict[str, int]:
    return {q["quirk"]: q["count"] for q in result.quirks}


# Hand-made Twitter15 label lines (invented ids), written next to the committed hand-made trees at run time.
HANDMADE_T15_LABELS = """false:600000000000000000
true:600000000000300000
unverified:600000000000400000
non-rumor:600000000000900000
"""
HANDMADE_LABEL_ALL = """false\tevent-a\t600000000000000000\t10\t99\t148\t143\tsnopes\t0.33
true\tevent-a\t600000000000300000\t11\t84\t104\t89\tsnopes\t0.19
non-rumor\tnewsdesk\t600000000000900000\t88\t173\t675\t588\tnews_account\t0.74
"""


def t15_fixture_files(folder: Path) -> dict[str, Path]:
    """The hand-made Twitter15 inputs in ``folder``: trees archive (committed trees + label lines) and label_All."""
    import shutil

    source = folder / "src"
    shutil.copytree(FIX / "twitter15_16" / "twitter15" / "tree", source / "twitter15" / "tree")
    (source / "twitter15" / "label.txt").write_text(HANDMADE_T15_LABELS)
    (folder / "label_all.txt").write_text(HANDMADE_LABEL_ALL)
    return {
        "trees_archive": pack(source, folder / "trees.tar.gz", ["twitter15"]),
        "label_all": folder / "label_all.txt",
    }


def pack(src: Path, out: Path, members: list[str]) -> Path:
    """tar.gz of the given folders of ``src`` (the adapters read archives, never extracted folders)."""
    with tarfile.open(out, "w:gz") as tar:
        for name in members:
            tar.add(src / name, arcname=name)
    return out


def assert_valid(result) -> None:
    """Every table passes the canonical validator without a single rejected row."""
    report = validate_tables(result.tables, result.source_files)
    assert len(report.rejected) == 0, report.problems()
    for name, table in result.tables.items():
        assert report.counts[name]["accepted"] == len(table), name


def assert_canonical_types(result) -> None:
    for name, table in result.tables.items():
        for col in table.columns:
            if col.endswith("_id") or col in ("domain", "label", "kind"):
                assert str(table[col].dtype) == "string", (name, col, table[col].dtype)
            if col in ("created_at", "time"):
                assert str(table[col].dtype) == "datetime64[ns, UTC]", (name, col, table[col].dtype)


# --------------------------------------------------------------------------- helpers
def test_snowflake_decoding_is_exact_and_rejects_non_snowflakes():
    times = snowflake_to_utc(pd.Series(["265953285247209472", "12345678", "abc", None, "99999999999999999999"]))
    assert times.iloc[0] == pd.Timestamp("2012-11-06 23:06:19.033", tz="UTC")
    assert times.iloc[1:].isna().all()  # pre-snowflake, not a number, missing, beyond int64
    assert str(times.dtype) == "datetime64[ns, UTC]"


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("https://WWW.Example.com:443/a?b=1", "example.com"),
        ("politics2020.info/index.php/2018/03/13/x/", "politics2020.info"),
        ("https://web.archive.org/web/20171027105356/http://www.religionmind.com:80/2017/x.html", "religionmind.com"),
        ("http://user@Host.COM./path", "host.com"),
        ("www1.cbn.com", "www1.cbn.com"),
        ("bit.ly/abc", "bit.ly"),
        ("", ""),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_normalise_domain(raw, expected):
    assert normalise_domain(raw) == expected


def test_normalise_domains_vectorised_and_shorteners():
    out = normalise_domains(pd.Series(["https://www.BBC.co.uk/news", None, ""]))
    assert out.iloc[0] == "bbc.co.uk" and out.iloc[1:].isna().all() and str(out.dtype) == "string"
    assert is_shortener("https://t.co/xyz") and not is_shortener("reuters.com")


def test_missing_file_names_full_path_and_registry_key(tmp_path):
    missing = tmp_path / "nope.tar.gz"
    with pytest.raises(FileNotFoundError) as err:
        get_adapter("twitter15_16")({"trees_archive": missing, "label_all": missing}, {"subset": "twitter15"})
    assert str(missing.resolve()) in str(err.value) and "files.trees_archive" in str(err.value)
    for fmt, files in [
        ("upfd", {"edges": missing}),
        ("fakenewsnet", {"fake": missing}),
        ("coaid", {"archive": missing}),
        ("source_credibility", {"lin_pc1": missing}),
    ]:
        with pytest.raises(FileNotFoundError, match="files\\."):
            get_adapter(fmt)(files, {})


# --------------------------------------------------------------------------- fixtures: Twitter15/16
@pytest.fixture(scope="module")
def t15_fixture(tmp_path_factory):
    return get_adapter("twitter15_16")(t15_fixture_files(tmp_path_factory.mktemp("t15")), {"subset": "twitter15"})


def test_twitter1516_fixture_quirk_counts(t15_fixture):
    q = quirk_counts(t15_fixture)
    assert t15_fixture.rows_read["engagements"] == 18  # 12 + 4 + 2 non-blank lines
    expected = {
        "duplicate edge lines": 1,
        "self-loop edge (parent node == child node)": 1,
        "edge pointing back to the source node": 1,
        "malformed tree lines": 1,
        "blank tree lines": 1,
        "negative delay": 2,
        "child earlier than its parent": 2,
        "parent node never seen as a child": 1,
        "node created by more than one edge (several parents)": 1,
        "ROOT links to a tweet other than the labelled source tweet (file name)": 1,
        "cascade without an event id in label_All": 1,
        "label without a tree file": 1,
        "tree file without a ROOT line": 0,
        "extra ROOT lines in a tree": 0,
        "parent links forming a cycle": 0,
        "label.txt and label_All disagree": 0,
    }
    assert {k: q[k] for k in expected} == expected
    # lines read = engagements + ROOT lines + duplicates + dropped (self-loop, back edge, malformed)
    assert 18 == len(t15_fixture.tables["engagements"]) + 3 + 1 + 1 + 1 + 1
    assert sorted(t15_fixture.rejected["reason"]) == sorted(
        [
            "edge points back to the source node",
            "self-loop edge: parent node equals child node",
            "line does not match ['uid', 'tweet_id', 'delay']->['uid', 'tweet_id', 'delay']",
        ]
    )


def test_twitter1516_fixture_tables(t15_fixture):
    t = t15_fixture.tables
    assert_valid(t15_fixture)
    assert_canonical_types(t15_fixture)
    e = t["engagements"].set_index("engagement_id")
    assert len(e) == 11 and e.index.is_unique and list(e.index) == sorted(e.index)
    src = "600000000000000000"
    # retweet node carries the source id; reply has its own id; a reply's child hangs from the reply
    assert e.loc[f"{src}:000002", "kind"] == "retweet" and pd.isna(e.loc[f"{src}:000002", "child_post_id"])
    assert e.loc[f"{src}:000004", "kind"] == "reply" and e.loc[f"{src}:000004", "child_post_id"] == "600000000000100000"
    assert e.loc[f"{src}:000005", "parent_engagement_id"] == f"{src}:000004"
    assert e.loc[f"{src}:000010", "parent_engagement_id"] == f"{src}:000005"
    # node 16 has two parents: both edges kept, the second is marked
    assert e.loc[f"{src}:000011", "parent_engagement_id"] == f"{src}:000002"
    assert not e.loc[f"{src}:000011", "node_first_edge"] and e.loc[f"{src}:000010", "node_first_edge"]
    # root children and the orphan hang from the root; the orphan keeps its parent account
    assert (
        pd.isna(e.loc[f"{src}:000002", "parent_engagement_id"]) and e.loc[f"{src}:000002", "parent_account_id"] == "10"
    )
    assert (
        pd.isna(e.loc[f"{src}:000007", "parent_engagement_id"]) and e.loc[f"{src}:000007", "parent_account_id"] == "99"
    )
    # negative delay: clipped in delay_s, raw kept
    assert e.loc[f"{src}:000006", "delay_s"] == 0.0 and e.loc[f"{src}:000006", "delay_raw_s"] == -180.0
    assert e.loc[f"{src}:000004", "delay_s"] == 120.0
    c = t["cascades"].set_index("cascade_id")
    assert len(c) == 4
    assert c.loc[src, "label"] == "false" and c.loc[src, "is_misinformation"]
    assert c.loc["600000000000400000", "label"] == "unverified" and pd.isna(
        c.loc["600000000000400000", "is_misinformation"]
    )
    assert not c.loc["600000000000900000", "is_misinformation"]  # non-rumor
    assert c.loc[src, "event_id"] == "event-a" and pd.isna(c.loc["600000000000400000", "event_id"])
    assert c.loc[src, "created_at"] == snowflake_to_utc(pd.Series([src])).iloc[0]
    # ROOT links to an earlier tweet: cascade keyed by the file name, root = the ROOT child
    mism = c.loc["600000000000300000"]
    assert mism["root_post_id"] == "600000000000250000" and mism["root_account_id"] == "20"
    e2 = e[e["cascade_id"] == "600000000000300000"]
    assert list(e2["kind"]) == ["reply", "retweet", "retweet"]
    assert sorted(t["accounts"]["account_id"]) == sorted(
        ["10", "11", "12", "13", "14", "15", "16", "99", "20", "21", "22", "23", "30", "31"]
    )
    p = t["posts"].set_index("post_id")
    assert set(p.index) == {src, "600000000000100000", "600000000000250000", "600000000000260000", "600000000000400000"}
    assert p.loc["600000000000100000", "parent_post_id"] == src and p.loc[src, "kind"] == "original"


def test_twitter1516_fixture_is_deterministic(t15_fixture, tmp_path):
    again = get_adapter("twitter15_16")(t15_fixture_files(tmp_path), {"subset": "twitter15"})
    for name, table in t15_fixture.tables.items():
        pd.testing.assert_frame_equal(table, again.tables[name])


def eventsep_files(folder: Path) -> dict[str, Path]:
    """Wu & Hooi-style source-text and split files (invented rows) for the hand-made Twitter15 trees."""
    rows = {
        "600000000000000000": ("10", "breaking: a claim about x URL", "false", "train"),
        "600000000000300000": ("20", "another claim about y", "true", "dev"),
        "600000000000900000": ("30", "news desk story URL URL", "non-rumor", "test"),
        "600000000000999999": ("40", "a tweet with no tree", "false", "test"),
    }
    files = {"source_texts": folder / "Twitter15.txt"}
    files["source_texts"].write_text(
        "\n".join("\t".join((u, i, t, label)) for i, (u, t, label, _) in rows.items()), encoding="utf-8"
    )  # no final newline, as in the real file
    for split in ("train", "dev", "test"):
        path = folder / f"Twitter15_eventsep.{split}"
        path.write_text(
            "".join("\t".join((u, i, t, label)) + "\n" for i, (u, t, label, s) in rows.items() if s == split),
            encoding="utf-8",
        )
        files[f"eventsep_{split}"] = path
    return files


def test_twitter1516_reads_source_texts_and_the_event_separated_split(tmp_path, t15_fixture):
    files = t15_fixture_files(tmp_path) | eventsep_files(tmp_path)
    result = get_adapter("twitter15_16")(files, {"subset": "twitter15"})
    assert_valid(result)
    c = result.tables["cascades"].set_index("cascade_id")
    assert c.loc["600000000000000000", "split"] == "train" and c.loc["600000000000300000", "split"] == "dev"
    assert c.loc["600000000000900000", "split"] == "test" and pd.isna(c.loc["600000000000400000", "split"])
    p = result.tables["posts"].set_index("post_id")
    assert p.loc["600000000000000000", "text"] == "breaking: a claim about x URL"
    # the ROOT of this tree links to an earlier tweet: that root post carries the labelled tweet's text
    assert p.loc["600000000000250000", "text"] == "another claim about y"
    assert p.loc["600000000000100000", "kind"] == "reply" and pd.isna(p.loc["600000000000100000", "text"])
    q = quirk_counts(result)
    assert q["source-tweet texts found (twitter15_16_eventsep)"] == 3
    assert q["source text for a tweet without a tree or label"] == 1
    assert q["event-separated split assigned (Wu & Hooi)"] == 3
    assert q["label in the source-text file disagrees with label.txt"] == 0
    # every count the trees give is unchanged by the optional files
    assert result.rows_read == t15_fixture.rows_read
    for name in ("engagements", "accounts"):
        pd.testing.assert_frame_equal(result.tables[name], t15_fixture.tables[name])
    assert len(result.tables["posts"]) == len(t15_fixture.tables["posts"])
    assert t15_fixture.tables["cascades"]["split"].isna().all()
    assert quirk_counts(t15_fixture)["source-tweet texts found (twitter15_16_eventsep)"] == 0


def test_optional_registry_files_are_used_only_when_present(tmp_path):
    from spreadwatch.ingest import resolve_files

    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b.txt").write_text("y")
    entry = {"files": {"a": "a.txt"}, "optional_files": {"b": "b.txt", "c": "missing.txt"}}
    assert resolve_files("d", entry, tmp_path) == {"a": tmp_path / "a.txt", "b": tmp_path / "b.txt"}


# --------------------------------------------------------------------------- fixtures: UPFD, FakeNewsNet, CoAID, lists
def _upfd_files(root: Path, fnn: Path, gz: bool = False) -> dict[str, Path]:
    return {
        "edges": root / "raw" / "A.txt",
        "nodes": root / ("nodes.tsv.gz" if gz else "nodes.tsv"),
        "graphs": root / "graphs.tsv",
        "fakenewsnet_fake": fnn / ("politifact_fake.csv.gz" if gz else "politifact_fake.csv"),
        "fakenewsnet_real": fnn / ("politifact_real.csv.gz" if gz else "politifact_real.csv"),
    }


def test_upfd_fixture():
    r = get_adapter("upfd")(_upfd_files(FIX / "upfd", FIX / "fakenewsnet"), {})
    q = quirk_counts(r)
    expected = {
        "duplicate edge": 1,
        "edge crossing two graphs": 1,
        "edge to or from an unknown node": 1,
        "node with more than one in-edge": 1,
        "non-root node without an in-edge": 1,
        "node without a timestamp": 1,
        "child earlier than its parent": 1,
        "same user more than once in one cascade": 1,
        "news id on both FakeNewsNet lists": 1,
        "Wayback Machine URL": 1,
        "parent links forming a cycle": 0,
    }
    assert {k: q[k] for k in expected} == expected
    e = r.tables["engagements"].set_index("node_id")
    assert len(e) == 7 and r.rows_read["nodes"] == 9
    assert pd.isna(e.loc[1, "parent_engagement_id"]) and pd.isna(e.loc[1, "parent_account_id"])
    assert e.loc[3, "parent_engagement_id"] == "politifact1:00002" and e.loc[3, "parent_account_id"] == "101"
    assert pd.isna(e.loc[4, "parent_engagement_id"])  # no in-edge: attached to the root
    assert e.loc[8, "parent_engagement_id"] == "politifact2:00006"  # first in-edge kept
    assert e.loc[3, "delay_s"] == 50.0 and e.loc[1, "share_kind"] == "tweet" and e.loc[3, "share_kind"] == "retweet"
    c = r.tables["cascades"].set_index("cascade_id")
    assert c.loc["politifact1", "label"] == "fake" and c.loc["politifact1", "domain"] == "fakesite.com"
    assert c.loc["politifact2", "label"] == "real" and c.loc["politifact2", "domain"] == "realnews.org"
    assert c.loc["politifact1", "created_at"] == pd.Timestamp(1500000000, unit="s", tz="UTC")
    assert c.loc["politifact1", "event_id"] == "politifact1"
    assert len(r.tables["accounts"]) == 6
    assert set(r.rejected["reason"]) == {
        "edge crosses two graphs",
        "edge end is not a known node",
        "node has a second in-edge (first kept)",
    }
    # node 7 has no time: the validator rejects exactly that row (needs a time or a delay)
    report = validate_tables(r.tables, r.source_files)
    assert list(report.rejected["reason"]) == ["needs a time or a delay_s"]


def test_fakenewsnet_fixture():
    r = get_adapter("fakenewsnet")(
        {"fake": FIX / "fakenewsnet" / "politifact_fake.csv", "real": FIX / "fakenewsnet" / "politifact_real.csv"},
        {"source": "politifact"},
    )
    q = quirk_counts(r)
    expected = {
        "news id on both the fake and the real list": 1,
        "tweet id listed twice for the same news item": 2,
        "pre-snowflake tweet id (before Nov 2010): time unknown": 1,
        "tweet listed under several news items": 1,
        "news item without any dated tweet": 1,
        "Wayback Machine URL": 1,
        "URL on a shortener domain": 1,
        "author unknown (lists carry no user ids)": 5,
        "no propagation structure in the lists": 0,
    }
    assert {k: q[k] for k in expected} == expected
    assert r.rows_read["cascades"] == 5 and r.rows_read["posts"] == 8
    assert "engagements" not in r.tables
    c = r.tables["cascades"].set_index("cascade_id")
    assert c["label"].to_dict() == {
        "politifact1": "fake",
        "politifact2": "conflicting",
        "politifact3": "fake",
        "politifact4": "real",
    }
    assert pd.isna(c.loc["politifact2", "is_misinformation"]) and c.loc["politifact1", "is_misinformation"]
    assert c.loc["politifact1", "title"] == "Fake, story" and c.loc["politifact2", "n_tweets"] == 2
    p = r.tables["posts"].set_index("post_id")
    assert len(p) == 5 and set(p["account_id"]) == {"unknown"} and pd.isna(p.loc["12345678", "created_at"])
    assert p.loc["600000000000000002", "cascade_id"] == "politifact1"  # shared: lowest news id
    assert list(r.tables["accounts"]["account_id"]) == ["unknown"]
    assert_valid(r)
    assert_canonical_types(r)


def test_coaid_fixture(tmp_path):
    archive = pack(FIX / "coaid", tmp_path / "coaid.tar.gz", ["05-01-2020", "07-01-2020"])
    r = get_adapter("coaid")({"archive": archive}, {})
    q = quirk_counts(r)
    expected = {
        "item repeated in a later snapshot (same kind, id, url)": 1,
        "item id reused for a different item (other url) in a later snapshot": 1,
        "tweet listed twice for the same item (e.g. in two snapshots)": 1,
        "duplicate reply rows": 1,
        "reply id equals its tweet id": 1,
        "reply older than the tweet it hangs from": 1,
        "reply before the item's first tweet (negative delay)": 1,
        "tweet shared under several items": 1,
        "reply id that is also a sharing tweet": 1,
        "empty news URL": 1,
        "item without any tweet": 1,
        "author unknown (CoAID has no user ids)": 8,
    }
    assert {k: q[k] for k in expected} == expected
    assert (r.rows_read["items"], r.rows_read["tweets"], r.rows_read["replies"]) == (6, 7, 6)
    c = r.tables["cascades"].set_index("cascade_id")
    assert sorted(c.index) == ["ClaimReal:100000", "NewsFake:0", "NewsFake:1", "NewsFake:1@07-01-2020", "NewsFake:2"]
    assert (
        c.loc["NewsFake:0", "domain"] == "facebook.com" and c.loc["NewsFake:1@07-01-2020", "domain"] == "otherfake.net"
    )
    assert c.loc["ClaimReal:100000", "label"] == "real" and c.loc["ClaimReal:100000", "item_kind"] == "claim"
    assert c.loc["NewsFake:1@07-01-2020", "n_tweets"] == 1 and c.loc["NewsFake:0", "n_tweets"] == 2
    e = r.tables["engagements"]
    assert len(e) == 4 and set(e["kind"]) == {"reply"} and set(e["child_account_id"]) == {"unknown"}
    assert (e["delay_s"] >= 0).all() and (e["delay_raw_s"] < 0).sum() == 1
    assert e.set_index("child_post_id").loc["1260000000000000005", "cascade_id"] == "NewsFake:1@07-01-2020"
    p = r.tables["posts"].set_index("post_id")
    assert len(p) == 8 and p.loc["1250000000000000002", "kind"] == "original"
    assert p.loc["1250000000000000010", "parent_post_id"] == "1250000000000000001"
    assert_valid(r)
    assert_canonical_types(r)


def test_credibility_fixture():
    d = FIX / "source_credibility"
    r = get_adapter("source_credibility")(
        {
            "lin_pc1": d / "lin_pc1.csv",
            "iffy_plus": d / "iffy_plus.csv",
            "iffy_2024": d / "iffy_2024.txt",
            "iffy_2023": d / "iffy_2023.txt",
        },
        {},
    )
    q = quirk_counts(r)
    expected = {
        "Lin entry names a section (domain/path)": 1,
        "Lin domains equal after normalisation (e.g. www.x.com and x.com)": 1,
        "Lin domain changed by normalisation (case, www.)": 2,
        "Iffy+ `iffy` column blank": 1,
        "iffy_2024 pattern with a path": 1,
        "iffy_2024 patterns with the same host": 1,
        "domain is a URL shortener": 1,
    }
    assert {k: q[k] for k in expected} == expected
    t = r.tables["domains"].set_index("domain")
    assert sorted(t.index) == sorted(
        [
            "reuters.com",
            "xinhuanet.com",
            "facebook.com/news",
            "facebook.com",
            "badsite.com",
            "bit.ly",
            "fakenews.net",
            "badsite2.com",
            "badsite3.com",
            "mixedsite.org",
        ]
    )
    assert t.loc["xinhuanet.com", "credibility"] == 0.31  # the entry already in normal form wins
    assert t.loc["facebook.com", "credibility"] == 0.41 and t.loc["facebook.com/news", "credibility"] == 0.83
    assert t["low_credibility"].sum() == 3 and t["iffy_plus"].sum() == 3
    assert t.loc["badsite.com", "iffy_plus_index"] == 1 and pd.isna(t.loc["fakenews.net", "iffy_plus_index"])
    assert t["iffy_2024"].sum() == 2 and t["iffy_2023_mixed"].sum() == 2 and t.loc["bit.ly", "is_shortener"]
    assert t.loc["badsite.com", "rating_source"] == "lin2023;iffy+2020;iffy2024;iffy2023"
    assert pd.isna(t.loc["badsite3.com", "credibility"]) and not t.loc["badsite3.com", "low_credibility"]
    r24 = get_adapter("source_credibility")(
        {"lin_pc1": d / "lin_pc1.csv", "iffy_plus": d / "iffy_plus.csv", "iffy_2024": d / "iffy_2024.txt"},
        {"low_credibility_list": "iffy_2024"},
    )
    t24 = r24.tables["domains"].set_index("domain")
    assert t24["low_credibility"].sum() == 2 and t24["iffy_2023_mixed"].isna().all()
    assert_valid(r)


# --------------------------------------------------------------------------- real data (../shared/data)
def _registry() -> dict:
    with open(REPO / "configs" / "datasets.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["datasets"]


def _load_real(name: str):
    entry = _registry()[name]
    files = {k: DATA_ROOT / v for k, v in entry["files"].items()}
    missing = [str(p) for p in files.values() if not p.exists()]
    if missing:
        pytest.skip(f"real data for {name!r} not available (missing {missing}); set SPREADWATCH_DATA")
    files |= {k: DATA_ROOT / v for k, v in (entry.get("optional_files") or {}).items() if (DATA_ROOT / v).exists()}
    return get_adapter(entry["format"])(files, dict(entry.get("options") or {}))


@pytest.fixture(scope="module")
def real_t15():
    return _load_real("twitter15")


@pytest.fixture(scope="module")
def real_t16():
    return _load_real("twitter16")


@pytest.mark.shared_data
def test_real_twitter15_counts(real_t15):
    r = real_t15
    c = r.tables["cascades"]
    assert len(c) == 1490 and c["cascade_id"].is_unique
    assert c["label"].value_counts().to_dict() == {"non-rumor": 374, "false": 370, "true": 372, "unverified": 374}
    assert c["event_id"].nunique() == 298 and c["event_id"].notna().all()
    assert r.rows_read["engagements"] == 624_458
    q = quirk_counts(r)
    assert q["duplicate edge lines"] == 17_169
    assert q["label.txt and label_All disagree"] == 0 and q["malformed tree lines"] == 0
    e = r.tables["engagements"]
    dropped = q["self-loop edge (parent node == child node)"] + q["edge pointing back to the source node"]
    assert r.rows_read["engagements"] == len(e) + 1490 + q["duplicate edge lines"] + dropped
    assert e["engagement_id"].is_unique and (e["delay_s"] >= 0).all()
    assert (e["kind"] == "retweet").sum() > 0.85 * len(e)
    assert c["is_misinformation"].sum() == 370 and c["is_misinformation"].isna().sum() == 374
    assert_canonical_types(r)
    if (MISINFO / "twitter15_16_eventsep" / "twitter15" / "Twitter15.txt").exists():  # SOURCE.md counts
        assert quirk_counts(r)["source-tweet texts found (twitter15_16_eventsep)"] == 1490
        assert c["split"].value_counts().to_dict() == {"train": 1004, "dev": 149, "test": 337}
        events = c.groupby("split")["event_id"].nunique().to_dict()
        assert events == {"train": 252, "dev": 10, "test": 36}


@pytest.mark.shared_data
def test_real_twitter15_raw_quirks_match_source_md():
    """SOURCE.md counts negative delays (663) and children earlier than their parent (7,017) over all edge
    lines, duplicates included; the adapter counts them over the kept engagements."""
    archive = MISINFO / "twitter15_16" / "twitter15_16_trees.tar.gz"
    if not archive.exists():
        pytest.skip(f"{archive} not available")
    edges, _, bad, counts = read_archive(archive, "twitter15")
    assert counts["trees"] == 1490 and len(edges) == 624_458 and not bad
    child = pd.to_numeric(edges["c_delay"])
    parent = pd.to_numeric(edges["p_delay"].where(edges["p_uid"] != "ROOT", "0"))
    not_root = edges["p_uid"] != "ROOT"
    assert int((child[not_root] < 0).sum()) == 663
    assert int((child[not_root] < parent[not_root]).sum()) == 7_017
    assert int(((edges["c_tid"] == edges["cascade_id"]) & not_root).sum()) == 551_968  # retweet-type edges


@pytest.mark.shared_data
def test_real_twitter16_counts(real_t16):
    r = real_t16
    c = r.tables["cascades"]
    assert len(c) == 818
    assert c["label"].value_counts().to_dict() == {"non-rumor": 205, "false": 205, "true": 207, "unverified": 201}
    assert c["event_id"].nunique() == 182
    assert r.rows_read["engagements"] == 363_536
    assert quirk_counts(r)["duplicate edge lines"] == 10_549
    assert_valid(r)
    if (MISINFO / "twitter15_16_eventsep" / "twitter16" / "Twitter16.txt").exists():  # SOURCE.md counts
        assert quirk_counts(r)["source-tweet texts found (twitter15_16_eventsep)"] == 818
        assert c["split"].value_counts().to_dict() == {"train": 548, "dev": 83, "test": 187}
        assert c.groupby("split")["event_id"].nunique().to_dict() == {"train": 140, "dev": 19, "test": 23}


@pytest.mark.shared_data
def test_real_rvnn_folds():
    folder = MISINFO / "twitter15_16" / "rvnn_nfold_splits"
    if not folder.exists():
        pytest.skip(f"{folder} not available")
    folds = rvnn_folds(folder, "twitter15")
    assert [(len(a), len(b)) for a, b in folds] == [(1194, 296)] * 5
    tests = [set(b) for _, b in folds]
    assert all(not (tests[i] & tests[j]) for i in range(5) for j in range(i + 1, 5))
    assert [(len(a), len(b)) for a, b in rvnn_folds(folder, "twitter16")] == [(655, 163)] * 5


@pytest.mark.shared_data
def test_real_upfd_counts():
    r = _load_real("upfd_politifact")
    c, e = r.tables["cascades"], r.tables["engagements"]
    assert len(c) == 314 and (c["label"] == "fake").sum() == 157 and c["is_misinformation"].sum() == 157
    assert len(e) == 40_740 and r.rows_read["nodes"] == 41_054 == len(c) + len(e)
    assert len(r.tables["accounts"]) == 30_812
    q = quirk_counts(r)
    assert q["news id on both FakeNewsNet lists"] == 1 and q["news id on no FakeNewsNet list"] == 0
    assert q["UPFD label differs from the FakeNewsNet list"] == 0 and q["child earlier than its parent"] == 0
    assert c["url"].notna().all() and c["domain"].notna().all()
    assert (e["delay_s"] >= 0).all() and e["parent_engagement_id"].isna().sum() == (e["share_kind"] == "tweet").sum()
    assert_valid(r)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "name,fake_rows,real_rows", [("fakenewsnet_politifact", 158, 157), ("fakenewsnet_gossipcop", 2732, 2732)]
)
def test_real_fakenewsnet_counts(name, fake_rows, real_rows):
    r = _load_real(name)
    c = r.tables["cascades"]
    assert r.rows_read["cascades"] == fake_rows + real_rows
    both = quirk_counts(r)["news id on both the fake and the real list"]
    assert len(c) == fake_rows + real_rows - both
    assert (c["label"] == "fake").sum() == fake_rows - both and (c["label"] == "real").sum() == real_rows - both
    assert r.tables["posts"]["post_id"].is_unique
    if name == "fakenewsnet_politifact":
        assert both == 1 and c.set_index("cascade_id").loc["politifact14940", "label"] == "conflicting"
        assert_valid(r)


@pytest.mark.shared_data
def test_real_coaid_counts():
    r = _load_real("coaid")
    source_md = {
        "NewsFake": (925, 10_443, 7_477),
        "NewsReal": (4_532, 141_845, 115_116),
        "ClaimFake": (28, 484, 626),
        "ClaimReal": (490, 8_103, 12_658),
    }
    for kind, (items, tweets, replies) in source_md.items():
        assert (r.rows_read[f"items:{kind}"], r.rows_read[f"tweets:{kind}"], r.rows_read[f"replies:{kind}"]) == (
            items,
            tweets,
            replies,
        ), kind
    c = r.tables["cascades"]
    q = quirk_counts(r)
    assert len(c) == 5_975 - q["item repeated in a later snapshot (same kind, id, url)"]
    assert q["item id reused for a different item (other url) in a later snapshot"] == 36
    assert r.tables["engagements"]["engagement_id"].is_unique
    assert_valid(r)


@pytest.mark.shared_data
def test_real_credibility_counts():
    r = _load_real("source_credibility")
    d = r.tables["domains"]
    q = quirk_counts(r)
    assert r.rows_read["lin_pc1"] == 11_520 and r.rows_read["iffy_plus"] == 779
    collisions = q["Lin domains equal after normalisation (e.g. www.x.com and x.com)"]
    assert collisions == 1  # www.xinhuanet.com and xinhuanet.com
    assert d["lin_pc1"].notna().sum() == 11_520 - collisions
    assert d["iffy_plus"].sum() == 779 and d["low_credibility"].sum() == 779
    assert d["iffy_plus_index"].value_counts().to_dict() == {1: 434, 0: 99}
    assert d["domain"].is_unique and d["credibility"].dropna().between(0, 1).all()
    assert_valid(r)
