"""Bot dataset adapters: exact quirk counts on tiny committed fixtures (always run) and the counts of
each SOURCE.md on the real files under ``../shared/data`` (skipped when that folder is absent)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pandas as pd
import pytest
import yaml

from spreadwatch.adapters import get_adapter
from spreadwatch.adapters.botrepo import dedupe_accounts
from spreadwatch.adapters.botrepo import load as load_botrepo
from spreadwatch.adapters.feature_tables import load_caverlee, load_gilani, load_hays
from spreadwatch.adapters.label_lists import load_id_labels, load_nbc_trolls, load_pronbots
from spreadwatch.adapters.twibot import load_twibot20, load_twibot22
from spreadwatch.schema import validate_tables

REPO = Path(__file__).resolve().parents[1]
FIX = Path(__file__).resolve().parent / "fixtures" / "bots"
DATA_ROOT = Path(os.environ.get("SPREADWATCH_DATA", REPO / ".." / "shared" / "data")).resolve()
REJECTED_COLUMNS = ["table", "file", "row", "column", "value", "reason"]


def q(result, name: str, table: str | None = None) -> int:
    """Count of the quirk whose name contains ``name`` (exactly one must match)."""
    hits = [x for x in result.quirks if name in x["quirk"] and (table is None or x["table"] == table)]
    assert len(hits) == 1, f"{name!r}: {[x['quirk'] for x in result.quirks]}"
    return hits[0]["count"]


def check_contract(result, reject_free: bool = True):
    """Shared invariants: string ids, canonical dtypes, sorted keys, quirk shape, validation passes."""
    for quirk in result.quirks:
        assert set(quirk) == {"table", "quirk", "count", "action"} and quirk["count"] >= 0
    assert result.rejected is not None and list(result.rejected.columns) == REJECTED_COLUMNS
    accounts = result.tables["accounts"]
    assert str(accounts["account_id"].dtype) == "string"
    assert accounts["account_id"].is_unique and accounts["account_id"].is_monotonic_increasing
    assert str(accounts["created_at"].dtype) == "datetime64[ns, UTC]"
    assert str(accounts["followers_count"].dtype) == "Int64"
    assert str(accounts["verified"].dtype) == "boolean"
    assert set(accounts["label"].dropna()) <= {"bot", "human"}
    report = validate_tables(result.tables, result.source_files)
    if reject_free:
        assert len(report.rejected) == 0, report.problems()
    for table, counts in report.counts.items():
        assert counts["accepted"] == len(result.tables[table])
    return report


# ------------------------------------------------------------------------------------------------
# fixtures (no shared data needed)
# ------------------------------------------------------------------------------------------------
def test_botrepo_fixture_quirks():
    result = load_botrepo(
        {"profiles": FIX / "botrepo_profiles.json", "labels": FIX / "botrepo_labels.tsv"},
        {"dataset": "fixture_botrepo"},
    )
    check_contract(result)
    a = result.tables["accounts"].set_index("account_id")
    assert list(a.index) == ["1100000000000000001", "12345", "4242", "555"]
    assert result.rows_read == {"accounts": 5}
    assert q(result, "id differs from id_str") == 1
    assert q(result, "duplicate profile ids") == 1
    assert q(result, "unparseable user created_at") == 1
    assert q(result, "profile without a label") == 1
    assert q(result, "labelled id without a profile") == 2  # 999 and 888 (777 is rejected: both labels)
    assert q(result, "conflicting labels", "labels") == 1
    assert q(result, "duplicate id lines", "labels") == 1
    assert q(result, "split on spaces", "labels") == 1
    # the latest probe of the duplicated id is kept; the older one is rejected with its row
    assert a.at["12345", "name"] == "Alice"
    assert a.at["12345", "url"] == "https://alice.example.org/"
    assert a.at["12345", "collected_at"] == pd.Timestamp("2019-05-15 16:00:19", tz="UTC")
    assert a.at["12345", "created_at"] == pd.Timestamp("2015-02-06 22:33:59", tz="UTC")
    assert pd.isna(a.at["555", "created_at"])
    assert a.at["1100000000000000001", "label"] == "bot"
    assert pd.isna(a.at["4242", "label"]) and pd.isna(a.at["4242", "label_source"])
    assert a.at["12345", "label_source"] == "fixture_botrepo" and a.at["12345", "account_kind"] == "human"
    rej = result.rejected
    accounts_rej = rej[rej["table"] == "accounts"]
    assert len(accounts_rej) == 1 and accounts_rej["row"].iloc[0] == 3
    assert rej[rej["table"] == "labels"]["reason"].str.contains("conflicting").sum() == 2


def test_botrepo_keep_unprofiled_and_gzip(tmp_path):
    profiles = tmp_path / "profiles.json"  # gzip content under a plain name: detected by magic bytes
    profiles.write_bytes(gzip.compress((FIX / "botrepo_profiles.json").read_bytes()))
    result = load_botrepo(
        {"profiles": profiles, "labels": FIX / "botrepo_labels.tsv"},
        {"dataset": "x", "keep_unprofiled": True, "account_kind": "retweeter"},
    )
    check_contract(result)
    a = result.tables["accounts"]
    assert len(a) == 6 and {"888", "999"} <= set(a["account_id"])
    assert set(a["account_kind"]) == {"retweeter"}


def test_missing_file_names_full_path(tmp_path):
    missing = tmp_path / "nope" / "profiles.json.gz"
    with pytest.raises(FileNotFoundError, match=str(missing)):
        load_botrepo({"profiles": missing}, {})
    with pytest.raises(FileNotFoundError, match="users.csv"):
        load_nbc_trolls({"users": tmp_path / "users.csv"}, {})


def test_twibot22_fixture_quirks():
    result = load_twibot22(
        {"profiles": FIX / "twibot22_users.jsonl", "labels": FIX / "twibot22_labels.csv"},
        {"dataset": "fixture_twibot22"},
    )
    check_contract(result)
    a = result.tables["accounts"].set_index("account_id")
    assert list(a.index) == ["1200000000000000001", "2000000001", "2000000002"]
    assert q(result, "'u'-prefixed user id", "accounts") == 3
    assert q(result, "'u'-prefixed user id", "labels") == 4
    assert q(result, "duplicate profile ids") == 1
    assert q(result, "unparseable created_at") == 1
    assert q(result, "pinned_tweet_id stored as a float") == 1
    assert q(result, "labelled id without a profile") == 1
    assert a.at["1200000000000000001", "created_at"] == pd.Timestamp(1579140175000, unit="ms", tz="UTC")
    assert a.at["1200000000000000001", "friends_count"] == 215
    assert a.at["1200000000000000001", "statuses_count"] == 3098
    assert a.at["1200000000000000001", "url"] == "https://www.example.org/"
    assert bool(a.at["2000000001", "default_profile_image"]) is True
    assert a.at["2000000001", "label"] == "bot" and a.at["2000000002", "label"] == "human"
    assert a["collected_at"].isna().all()


def test_twibot20_fixture_quirks():
    result = load_twibot20({"sample": FIX / "twibot20_sample.json"}, {})
    check_contract(result)
    a = result.tables["accounts"].set_index("account_id")
    assert len(a) == 4 and int(a["in_sample"].sum()) == 2
    assert q(result, "follow-edge endpoints outside the sample") == 2
    assert q(result, "duplicate follow edges") == 1
    assert q(result, "profile values padded") == 44
    assert a.at["10000001", "screen_name"] == "FixCeleb"
    assert a.at["10000001", "followers_count"] == 15349596
    assert bool(a.at["10000001", "verified"]) is True
    assert pd.isna(a.at["10000001", "lang"])  # 'None ' -> missing
    assert a.at["10000001", "url"] == "http://www.example.com"
    follows = result.tables["follows"]
    assert len(follows) == 4
    assert ("1290000000000000001", "10000001") in set(zip(follows["follower_id"], follows["followee_id"]))
    posts = result.tables["posts"].set_index("post_id")
    assert list(posts.index) == ["10000001:000", "10000001:001", "10000001:002"]
    assert list(posts["kind"]) == ["retweet", "original", "retweet"]
    assert posts.at["10000001:000", "rt_account_id"] == "1290000000000000001"  # case-insensitive match
    assert posts.at["10000001:002", "rt_account_id"] == "10000001"
    assert posts["created_at"].isna().all()
    assert not posts["text"].str.endswith("\n").any()
    assert q(result, "user with no tweet list") == 1


# Hand-made rows in the Caverlee 2011 layout (invented ids), written to a temporary folder at run time.
CAVERLEE_HEADER = (
    "UserID\tCreatedAt\tCollectedAt\tNumberOfFollowings\tNumberOfFollowers\tNumberOfTweets\t"
    "LengthOfScreenName\tLengthOfDescriptionInUserProfile\n"
)
HANDMADE_CAVERLEE = {
    "polluters": [
        "1001\t2006-09-18 01:07:50\t2010-01-17 20:38:25\t3269\t3071\t861\t8\t132",
        "1002\t2008-03-10 21:55:56\t2010-03-09 09:58:17\t48525\t48611\t27007\t12\t160",
        "1003\t2006-10-29 09:50:38\tnot-a-time\t1119\t9644\t38674\t12\t158",
    ],
    "legitimate": [
        "1004\t2006-07-13 15:30:05\t2009-11-20 23:56:21\t510\t350\t3265\t10\t34",
        "1002\t2008-03-10 21:55:56\t2009-11-18 01:38:06\t28985\t28793\t13653\t12\t160",
    ],
}


def test_caverlee_fixture_quirks(tmp_path):
    files = {}
    for name, rows in HANDMADE_CAVERLEE.items():
        files[name] = tmp_path / f"{name}.tsv"
        files[name].write_text(CAVERLEE_HEADER + "\n".join(rows) + "\n")
    result = load_caverlee(files, {})
    check_contract(result)
    a = result.tables["accounts"].set_index("account_id")
    assert list(a.index) == ["1001", "1003", "1004"]
    assert result.rows_read == {"accounts": 5}
    assert len(result.rejected) == 2 and set(result.rejected["value"]) == {"1002"}
    assert q(result, "in both the polluter and the legitimate file") == 1
    assert q(result, "unparseable CreatedAt/CollectedAt") == 1
    assert a.at["1001", "friends_count"] == 3269 and a.at["1001", "followers_count"] == 3071
    assert a.at["1001", "f_screen_name_length"] == 8 and a.at["1001", "f_description_length"] == 132
    assert a.at["1001", "collected_at"] == pd.Timestamp("2010-01-17 20:38:25", tz="UTC")
    assert a.at["1004", "label"] == "human" and a.at["1004", "account_kind"] == "legitimate_user"


def test_gilani_fixture_quirks():
    result = load_gilani({"features": FIX / "gilani_features.csv"}, {})
    check_contract(result)
    a = result.tables["accounts"].set_index("account_id")
    assert list(a.index) == ["fixbot_0001", "zz_human"]
    assert q(result, "screen_name in both") == 1 and len(result.rejected) == 2
    assert a.at["fixbot_0001", "f_tweet_frequency"] == pytest.approx(65.14)
    assert a.at["fixbot_0001", "f_popularity_band"] == 1e3 and a.at["zz_human", "account_kind"] == "human_100k"
    assert a.at["fixbot_0001", "source_identity"] == "[2]"
    assert set(a["id_kind"]) == {"screen_name"}


def test_hays_fixture_quirks():
    files = {
        "college_official_accounts": FIX / "hays_college.csv",
        "cresci2017_genuine_accounts": FIX / "hays_genuine.csv",
    }
    result = load_hays(files, {"dataset": "fixture_hays"})
    check_contract(result)
    a = result.tables["accounts"].set_index("account_id")
    assert list(a.index) == [
        "college_official_accounts:00001",
        "college_official_accounts:00002",
        "cresci2017_genuine_accounts:00001",
        "cresci2017_genuine_accounts:00002",
    ]
    assert set(a["label"]) == {"human"}
    assert len(result.rejected) == 1 and result.rejected["column"].iloc[0] == "status"
    assert q(result, "label text not bot/human") == 2
    assert q(result, "feature columns absent from a file") == 1  # url_mean missing from the college file
    assert q(result, "identical feature vectors") == 2
    assert q(result, "rows with missing feature values") == 3
    assert a.at["college_official_accounts:00001", "f_status"] == 900.0
    assert "source_group" not in a.columns and "f_group" not in a.columns
    only = load_hays(files, {"groups": ["cresci-2017 genuine_accounts"]})
    assert len(only.tables["accounts"]) == 2 and only.rows_read == {"accounts": 2}


def test_pronbots_fixture_quirks():
    files = {
        "screen_names": FIX / "pronbots_bots.txt",
        "ids": FIX / "pronbots_ids.json",
        "edges": FIX / "pronbots_edges.csv",
        "queried": FIX / "pronbots_queried.json",
    }
    result = load_pronbots(files, {})
    check_contract(result)
    a = result.tables["accounts"].set_index("account_id")
    assert len(a) == 4 and set(a["id_kind"]) == {"screen_name"}
    assert q(result, "made only of digits") == 1
    assert q(result, "blank lines") == 1
    assert int(a["pronbots_queried"].sum()) == 2
    assert len(result.tables["follows"]) == 2
    assert q(result, "self-loop") == 1 and q(result, "endpoint not in the bot list") == 1
    assert q(result, "duplicate edge") == 1
    assert q(result, "undocumented meaning") == 2
    ids = load_pronbots(files, {"key": "user_id"})
    check_contract(ids)
    assert len(ids.tables["accounts"]) == 3 and q(ids, "duplicate ids") == 1
    assert "follows" not in ids.tables


def test_id_label_lists_fixture_quirks(tmp_path):
    result = load_id_labels({"labels": FIX / "idlist.tsv"}, {"dataset": "fixture_ids"})
    check_contract(result)
    assert sorted(result.tables["accounts"]["account_id"]) == ["3000000001", "3000000002", "790000000000000001"]
    assert result.rows_read == {"accounts": 8}
    assert q(result, "conflicting labels") == 1 and q(result, "duplicate id lines") == 1
    assert len(result.rejected) == 5  # 2 conflict lines, 1 duplicate, 1 non-digit id, 1 unknown label
    assert q(result, "gzip content under a plain file name") == 0
    gz = tmp_path / "list.tsv"
    gz.write_bytes(gzip.compress((FIX / "idlist.tsv").read_bytes()))
    assert q(load_id_labels({"labels": gz}, {}), "gzip content under a plain file name") == 1
    varol = load_id_labels({"labels": FIX / "idlist_varol.dat"}, {})
    assert dict(zip(varol.tables["accounts"]["account_id"], varol.tables["accounts"]["label"])) == {
        "3000000003": "bot",
        "3000000004": "human",
    }
    kaggle = load_id_labels({"labels": FIX / "idlist_kaggle.csv"}, {})
    assert kaggle.rows_read == {"accounts": 2}
    assert set(kaggle.tables["accounts"]["label"]) == {"bot", "human"}


def test_nbc_fixture_quirks():
    result = load_nbc_trolls({"users": FIX / "nbc_users.csv"}, {})
    check_contract(result)
    a = result.tables["accounts"].set_index("account_id")
    assert list(a.index) == ["4000000001", "4000000002", "andrefixture"]
    assert a.at["andrefixture", "id_kind"] == "screen_name"
    assert q(result, "row without a user id") == 1 and q(result, "no profile fields") == 1
    assert q(result, "unparseable created_at") == 1 and len(result.rejected) == 1
    assert set(a["label"]) == {"bot"} and set(a["account_kind"]) == {"state_troll"}
    assert a.at["4000000001", "created_at"] == pd.Timestamp("2009-01-07 04:38:02", tz="UTC")


def test_dedupe_accounts_priority_and_conflicts():
    first = pd.DataFrame(
        {"account_id": ["1", "2", "3"], "label": ["bot", "human", "bot"], "label_source": "a", "id_kind": "user_id"}
    )
    second = pd.DataFrame(
        {
            "account_id": ["2", "3", "4"],
            "label": ["bot", "bot", "human"],
            "label_source": "b",
            "id_kind": "user_id",
            "followers_count": [5, 6, 7],
        }
    )
    third = pd.DataFrame({"account_id": ["4"], "label": ["human"], "label_source": "c", "id_kind": "screen_name"})
    out, quirks = dedupe_accounts([first, second, third])
    counts = {x["quirk"]: x["count"] for x in quirks}
    assert list(out["account_id"]) == ["1", "2", "3", "4"]
    assert counts["same account_id in several inputs"] == 3
    assert counts["ids with conflicting labels across inputs"] == 1
    assert counts["same account_id string with different id_kind"] == 1
    kept = out.set_index("account_id")
    assert kept.at["2", "label"] == "human" and kept.at["2", "duplicate_sources"] == "b"
    out, _ = dedupe_accounts([first, second], priority=["b", "a"], fill_missing=True)
    kept = out.set_index("account_id")
    assert kept.at["2", "label"] == "bot" and kept.at["2", "label_source"] == "b"
    out, _ = dedupe_accounts([second, first], fill_missing=True)
    assert out.set_index("account_id").at["2", "followers_count"] == 5


# ------------------------------------------------------------------------------------------------
# real data (../shared/data)
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def registry():
    if not (DATA_ROOT / "bots").is_dir():
        pytest.skip(
            f"real bot data not available: {DATA_ROOT / 'bots'} is absent "
            "(set SPREADWATCH_DATA to the shared data root)"
        )
    with open(REPO / "configs" / "datasets.yaml") as handle:
        return yaml.safe_load(handle)["datasets"]


def run(registry, name):
    entry = registry[name]
    files = {k: DATA_ROOT / v for k, v in entry["files"].items()}
    return get_adapter(entry["format"])(files, entry.get("options") or {})


def labels(result):
    return result.tables["accounts"]["label"].value_counts().to_dict()


@pytest.mark.shared_data
def test_real_cresci_rtbust(registry):
    r = run(registry, "cresci_rtbust_2019")
    check_contract(r)
    assert len(r.tables["accounts"]) == 693 and labels(r) == {"bot": 353, "human": 340}
    assert q(r, "labelled id without a profile") == 66
    assert q(r, "id differs from id_str") == 0 and q(r, "duplicate profile ids") == 0
    assert r.tables["accounts"]["created_at"].notna().all() and r.tables["accounts"]["collected_at"].notna().all()


@pytest.mark.shared_data
def test_real_botwiki(registry):
    r = run(registry, "botwiki_2019")
    check_contract(r)
    assert len(r.tables["accounts"]) == 698 and labels(r) == {"bot": 698}
    assert q(r, "labelled id without a profile") == 6


@pytest.mark.shared_data
def test_real_twibot22(registry):
    r = run(registry, "twibot22_sample_1000")
    check_contract(r)
    assert len(r.tables["accounts"]) == 1000 and labels(r) == {"human": 854, "bot": 146}
    assert q(r, "'u'-prefixed user id", "accounts") == 1000
    assert q(r, "pinned_tweet_id stored as a float") == 366


@pytest.mark.shared_data
def test_real_twibot20(registry):
    r = run(registry, "twibot20_sample")
    check_contract(r)
    a = r.tables["accounts"]
    assert int(a["in_sample"].sum()) == 100 and a["label"].isna().all()
    assert len(r.tables["posts"]) == 17372
    assert int((r.tables["posts"]["kind"] == "retweet").sum()) == 4546
    assert len(r.tables["follows"]) == 534 + 605
    assert q(r, "follow-edge endpoints outside the sample") == len(a) - 100 == 1068


@pytest.mark.shared_data
def test_real_caverlee(registry):
    r = run(registry, "caverlee_2011")
    check_contract(r)
    assert r.rows_read == {"accounts": 22223 + 19276}
    assert q(r, "in both the polluter and the legitimate file") == 44
    assert labels(r) == {"bot": 22223 - 44, "human": 19276 - 44}
    assert q(r, "collection windows do not overlap") == len(r.tables["accounts"])


@pytest.mark.shared_data
def test_real_gilani(registry):
    r = run(registry, "gilani_2017")
    check_contract(r)
    assert r.rows_read == {"accounts": 1492 + 1939}
    assert q(r, "screen_name in both") == 21
    assert labels(r) == {"bot": 1492 - 21, "human": 1939 - 21}


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "name,bots,humans",
    [
        ("cresci2017_features", 9263, 3474),
        ("varol2017_features", 636, 1232),
        ("verified2019_features", 0, 1953),
        ("vendor_purchased2019_features", 682, 0),
        ("college_official_features", 0, 3571),
    ],
)
def test_real_hays(registry, name, bots, humans):
    assert registry[name].get("feature_only") is True
    r = run(registry, name)
    check_contract(r)
    got = labels(r)
    assert (got.get("bot", 0), got.get("human", 0)) == (bots, humans)
    assert len([c for c in r.tables["accounts"].columns if c.startswith("f_")]) >= 47


@pytest.mark.shared_data
def test_real_pronbots(registry):
    r = run(registry, "pronbots_2018")
    check_contract(r)
    assert len(r.tables["accounts"]) == 80157 and len(r.tables["follows"]) == 80137
    ids = run(registry, "pronbots_2018_ids")
    check_contract(ids)
    assert ids.rows_read == {"accounts": 80157} and len(ids.tables["accounts"]) == 80157 - 12


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "name,bots,humans,conflicting_ids",
    [
        ("botometer_feedback_2019_ids", 143, 386, 1),
        ("gilani_2017_ids", 1130, 1522, 19),
        ("political_bots_2019_ids", 62, 0, 0),
        ("pronbots_2019_ids", 21964, 0, 0),
        ("cresci_stock_2018_ids", 18508, 7479, 0),
        ("varol_2017_ids", 826, 1747, 0),
        ("twitter_human_bots_ids", 12425, 25013, 0),
    ],
)
def test_real_id_label_lists(registry, name, bots, humans, conflicting_ids):
    r = run(registry, name)
    check_contract(r)
    assert r.rows_read == {"accounts": bots + humans}
    assert q(r, "conflicting labels") == conflicting_ids
    rejected_lines = int(r.rejected["reason"].str.contains("conflicting").sum())
    assert len(r.tables["accounts"]) + len(r.rejected) == bots + humans
    assert rejected_lines == 2 * conflicting_ids


@pytest.mark.shared_data
def test_real_nbc(registry):
    r = run(registry, "nbc_russian_trolls")
    check_contract(r)
    assert len(r.tables["accounts"]) == 454 and labels(r) == {"bot": 454}
    assert q(r, "row without a user id") == 61 and q(r, "no profile fields") == 70


@pytest.mark.shared_data
def test_real_cross_dataset_dedupe(registry):
    names = ["cresci_rtbust_2019", "botwiki_2019", "twibot22_sample_1000", "varol_2017_ids", "twitter_human_bots_ids"]
    frames = [run(registry, n).tables["accounts"] for n in names]
    out, quirks = dedupe_accounts(frames)
    counts = {x["quirk"]: x["count"] for x in quirks}
    assert len(out) == sum(len(f) for f in frames) - counts["same account_id in several inputs"]
    assert counts["same account_id in several inputs"] > 3000  # the Kaggle list re-uses Bot Repository sets
    assert out["account_id"].is_unique
