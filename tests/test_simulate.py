"""Tests of the synthetic platform generator (spreadwatch.simulate). Small configs only."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from spreadwatch.simulate import (
    ACCOUNT_KINDS,
    BOT_KINDS,
    SimulationConfig,
    planted_sources,
    simulate_platform,
    write_tables,
)

CFG = SimulationConfig(n_accounts=3000, days=5, seed=7)

REQUIRED = {
    "accounts": [
        "account_id",
        "screen_name",
        "name",
        "description",
        "location",
        "url",
        "lang",
        "created_at",
        "collected_at",
        "followers_count",
        "friends_count",
        "statuses_count",
        "favourites_count",
        "listed_count",
        "verified",
        "default_profile",
        "default_profile_image",
        "protected",
        "label",
        "label_source",
        "account_kind",
    ],
    "posts": ["post_id", "account_id", "created_at", "kind", "parent_post_id", "cascade_id", "text", "url", "domain"],
    "cascades": [
        "cascade_id",
        "root_post_id",
        "root_account_id",
        "created_at",
        "url",
        "domain",
        "title",
        "label",
        "is_misinformation",
        "label_source",
        "event_id",
    ],
    "engagements": [
        "engagement_id",
        "cascade_id",
        "parent_engagement_id",
        "parent_account_id",
        "parent_post_id",
        "child_account_id",
        "child_post_id",
        "kind",
        "time",
        "delay_s",
    ],
    "follows": ["follower_id", "followee_id"],
    "domains": ["domain", "credibility", "low_credibility", "rating_source"],
}
KEYS = {
    "accounts": "account_id",
    "posts": "post_id",
    "cascades": "cascade_id",
    "engagements": "engagement_id",
    "domains": "domain",
}
COUNTS = ["followers_count", "friends_count", "statuses_count", "favourites_count", "listed_count"]
FLAGS = ["verified", "default_profile", "default_profile_image", "protected"]
TIMES = {
    "accounts": ["created_at", "collected_at"],
    "posts": ["created_at"],
    "cascades": ["created_at"],
    "engagements": ["time"],
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return simulate_platform(CFG)


def _kind_of(tables):
    return tables["accounts"].set_index("account_id")["account_kind"]


# ------------------------------------------------------------------------------------- data model
def test_tables_follow_the_data_model(tables):
    assert set(tables) == set(REQUIRED)
    for name, cols in REQUIRED.items():
        df = tables[name]
        assert len(df) > 0, name
        missing = [c for c in cols if c not in df.columns]
        assert not missing, (name, missing)
        for c in cols:
            if c in COUNTS:
                assert str(df[c].dtype) == "Int64", (name, c)
                assert (df[c].dropna() >= 0).all(), (name, c)
            elif c in FLAGS or c in ("is_misinformation", "low_credibility"):
                assert str(df[c].dtype) == "boolean", (name, c)
            elif c in TIMES.get(name, []):
                assert str(df[c].dtype) == "datetime64[ns, UTC]", (name, c)
            elif c in ("delay_s", "credibility"):
                assert df[c].dtype == np.float64, (name, c)
            else:
                assert isinstance(df[c].dtype, pd.StringDtype), (name, c, df[c].dtype)
        assert df.index.equals(pd.RangeIndex(len(df))), name


def test_keys_unique_required_present_and_sorted(tables):
    for name, key in KEYS.items():
        s = tables[name][key]
        assert s.notna().all() and s.is_unique, name
        assert s.is_monotonic_increasing, name
    f = tables["follows"]
    assert not f.duplicated().any()
    assert (f.follower_id != f.followee_id).all()
    assert f.equals(f.sort_values(["follower_id", "followee_id"]).reset_index(drop=True))
    for name, cols in (("posts", ["account_id", "kind"]), ("engagements", ["cascade_id", "child_account_id", "kind"])):
        for c in cols:
            assert tables[name][c].notna().all(), (name, c)


def test_ids_are_numeric_strings_beyond_float_precision(tables):
    post_ids = tables["posts"].post_id
    assert post_ids.str.fullmatch(r"[0-9]+").all()
    assert (post_ids.astype("int64") > 2**53).all()  # would lose precision as floats
    assert tables["accounts"].account_id.str.fullmatch(r"[0-9]+").all()


def test_every_reference_resolves(tables):
    acc = set(tables["accounts"].account_id)
    posts = tables["posts"]
    post_ids = set(posts.post_id)
    casc = set(tables["cascades"].cascade_id)
    eng = tables["engagements"]
    eng_ids = set(eng.engagement_id)
    assert set(posts.account_id) <= acc
    assert set(posts.parent_post_id.dropna()) <= post_ids
    assert set(posts.cascade_id.dropna()) <= casc
    c = tables["cascades"]
    assert set(c.root_account_id) <= acc and set(c.root_post_id) <= post_ids
    assert set(eng.cascade_id) <= casc
    assert set(eng.parent_engagement_id.dropna()) <= eng_ids
    assert set(eng.parent_account_id.dropna()) <= acc
    assert set(eng.child_account_id) <= acc
    assert set(eng.child_post_id) <= post_ids and set(eng.parent_post_id) <= post_ids
    f = tables["follows"]
    assert set(f.follower_id) <= acc and set(f.followee_id) <= acc
    # domains of cascades are rated domains
    assert set(c.domain) <= set(tables["domains"].domain)


def test_engagements_form_trees_and_are_posts(tables):
    eng = tables["engagements"].set_index("engagement_id")
    posts = tables["posts"].set_index("post_id")
    casc = tables["cascades"].set_index("cascade_id")
    # every engagement is a post of the same kind, author, parent and cascade
    p = posts.loc[eng.child_post_id]
    assert (p.kind.to_numpy() == eng.kind.to_numpy()).all()
    assert (p.account_id.to_numpy() == eng.child_account_id.to_numpy()).all()
    assert (p.parent_post_id.to_numpy() == eng.parent_post_id.to_numpy()).all()
    assert (p.cascade_id.to_numpy() == eng.cascade_id.to_numpy()).all()
    # and every non-original post is an engagement
    assert (posts.kind != "original").sum() == len(eng)
    assert set(eng.kind) <= {"retweet", "reply", "quote"} and (eng.kind == "retweet").mean() > 0.5
    # tree: a parent engagement is in the same cascade, earlier, and its child post is our parent post
    has_par = eng.parent_engagement_id.notna()
    par = eng.loc[eng.parent_engagement_id[has_par]]
    child = eng[has_par]
    assert (par.cascade_id.to_numpy() == child.cascade_id.to_numpy()).all()
    assert (par.time.to_numpy() < child.time.to_numpy()).all()
    assert (par.child_post_id.to_numpy() == child.parent_post_id.to_numpy()).all()
    assert (par.child_account_id.to_numpy() == child.parent_account_id.to_numpy()).all()
    # root children hang from the root post and account
    roots = eng[~has_par]
    rc = casc.loc[roots.cascade_id]
    assert (rc.root_post_id.to_numpy() == roots.parent_post_id.to_numpy()).all()
    assert (rc.root_account_id.to_numpy() == roots.parent_account_id.to_numpy()).all()
    # one engagement per (cascade, account)
    assert not eng.duplicated(["cascade_id", "child_account_id"]).any()


def test_delays_nonnegative_and_consistent_with_times(tables):
    eng = tables["engagements"]
    c = tables["cascades"].set_index("cascade_id")
    assert (eng.delay_s >= 0).all()
    root_t = c.created_at.loc[eng.cascade_id].reset_index(drop=True)
    recomputed = (eng.time.reset_index(drop=True) - root_t).dt.total_seconds()
    assert np.allclose(recomputed.to_numpy(), eng.delay_s.to_numpy())
    # most engagement happens within hours
    assert (eng.delay_s < 6 * 3600).mean() > 0.6
    start = pd.Timestamp(CFG.start)
    end = start + pd.Timedelta(days=CFG.days)
    assert tables["posts"].created_at.between(start, end, inclusive="left").all()
    a = tables["accounts"]
    assert (a.created_at < start).all() and (a.collected_at >= end).all()


def test_engagements_follow_follow_edges_except_coordination(tables):
    eng = tables["engagements"]
    f = tables["follows"]
    edges = set(zip(f.follower_id, f.followee_id))
    along = np.array([(ch, pa) in edges for ch, pa in zip(eng.child_account_id, eng.parent_account_id)])
    assert along.all()


# ------------------------------------------------------------------------------------- determinism
def test_same_seed_identical_bytes_and_other_seed_differs(tmp_path):
    cfg = SimulationConfig(n_accounts=600, days=2, seed=11)
    t1, t2 = simulate_platform(cfg), simulate_platform(cfg)
    for name in t1:
        pd.testing.assert_frame_equal(t1[name], t2[name])
    p1 = write_tables(t1, tmp_path / "a")
    p2 = write_tables(t2, tmp_path / "b")
    assert set(p1) == set(REQUIRED)
    for name in p1:
        assert p1[name].name == f"{name}.parquet"
        assert p1[name].read_bytes() == p2[name].read_bytes(), name
    t3 = simulate_platform(SimulationConfig(n_accounts=600, days=2, seed=12))
    assert not t3["accounts"].account_id.equals(t1["accounts"].account_id)
    assert not t3["follows"].equals(t1["follows"])
    # parquet round trip keeps the canonical dtypes
    back = pd.read_parquet(p1["accounts"])
    assert isinstance(back.account_id.dtype, pd.StringDtype)
    assert str(back.followers_count.dtype) == "Int64" and str(back.verified.dtype) == "boolean"
    assert str(back.created_at.dtype).startswith("datetime64") and "UTC" in str(back.created_at.dtype)


# A golden digest of a small simulation, computed by the real code (before and after simulate.py became a
# package; see the commit that added it). It catches any change to the simulated data: a changed draw,
# column, dtype, order or text. The digest is over column names, dtypes and the CSV text of each table,
# so it does not depend on the Parquet writer's version. If you change the simulator on purpose, rerun
# this test, check that the change is the one you meant (e.g. compare old and new tables), paste the new
# digests printed in the failure message here, and say in the commit message why the data changed.
GOLDEN_CFG = SimulationConfig(n_accounts=300, days=2, seed=5)
GOLDEN = {
    "accounts": "d5025cc8324746f59da997eecf7400cb6a04193362de095f765fe02957d14c74",
    "cascades": "9f2ef2158b5623b2b7cdcd1377c75e6f2b876b754d07214b4706f13d594f6b7e",
    "domains": "d88e07f9a38e9ef95afeb98b6cc6232647ef81bbcacd618c8c0bf6d3d993c9b3",
    "engagements": "68c62afd4064a265f36a27dd345495d0b54fbca28914c6db959b21b6f21c087b",
    "follows": "a5d9a07f80a20e145e2df9f9426cdf989b395210b15e2fc0404c3216691f7475",
    "posts": "52b8d817319ee5f427dc66536b6ea230ba6fe5ae4623a732f9f5e00a62656c36",
}


def _table_digest(df: pd.DataFrame) -> str:
    h = hashlib.sha256()
    h.update(repr([(c, str(t)) for c, t in df.dtypes.items()]).encode())
    h.update(df.to_csv(index=False, lineterminator="\n").encode())
    return h.hexdigest()


def test_small_simulation_matches_golden_digest():
    tables = simulate_platform(GOLDEN_CFG)
    got = {name: _table_digest(frame) for name, frame in sorted(tables.items())}
    assert got == GOLDEN, f"simulated data changed; new digests: {got}"


def test_write_tables_sorts_by_key(tmp_path):
    t = simulate_platform(SimulationConfig(n_accounts=400, days=1, seed=2))
    shuffled = {k: v.sample(frac=1.0, random_state=0) for k, v in t.items()}
    p = write_tables(shuffled, tmp_path)
    for name in ("accounts", "posts", "follows"):
        pd.testing.assert_frame_equal(pd.read_parquet(p[name]), t[name], check_dtype=False)


# ------------------------------------------------------------------------------------- ground truth
def test_bot_kinds_present_and_bot_share(tables):
    a = tables["accounts"]
    kinds = set(a.account_kind)
    assert set(BOT_KINDS) <= kinds
    assert kinds <= set(ACCOUNT_KINDS)
    assert {"human", "news_reliable", "news_lowcred", "human_misinfo_seeder"} <= kinds
    assert abs((a.label == "bot").mean() - CFG.bot_share) < 0.01
    assert ((a.label == "bot") == a.account_kind.isin(BOT_KINDS)).all()
    assert (a.label_source == "synthetic").all()
    amp = a[a.account_kind == "amplifier_bot"]
    assert amp.coord_group.notna().all() and amp.coord_group.nunique() >= 2
    assert a.loc[a.account_kind != "amplifier_bot", "coord_group"].isna().all()
    other = simulate_platform(SimulationConfig(n_accounts=1000, days=1, seed=1, bot_share=0.3))["accounts"]
    assert abs((other.label == "bot").mean() - 0.3) < 0.01


def test_planted_sources_and_misinformation(tables):
    a, c, d = tables["accounts"], tables["cascades"], tables["domains"]
    src = planted_sources(a)
    assert src == set(a.account_id[a.account_kind.isin(["news_lowcred", "human_misinfo_seeder"])])
    assert set(c.label) == {"false", "true"}
    assert (c.is_misinformation == (c.label == "false")).all()
    assert (c.label_source == "synthetic").all()
    # stories: label-pure events of several cascades
    assert (c.groupby("event_id").label.nunique() == 1).all()
    assert c.groupby("event_id").size().median() >= 3
    false, true = c[c.is_misinformation], c[~c.is_misinformation]
    assert false.root_account_id.isin(src).mean() > 0.5 > true.root_account_id.isin(src).mean()
    low = set(d.domain[d.low_credibility])
    assert false.domain.isin(low).mean() > 0.6 > true.domain.isin(low).mean()
    assert d.credibility.between(0, 1).all()
    assert d.loc[d.low_credibility, "credibility"].mean() < d.loc[~d.low_credibility, "credibility"].mean()
    # some ordinary humans also share low-credibility content
    kind = _kind_of(tables)
    eng = tables["engagements"]
    ek = eng.child_account_id.map(kind)
    lowc = eng.cascade_id.isin(c.cascade_id[c.domain.isin(low)])
    assert ((ek == "human") & lowc).sum() > 0


def test_amplifiers_early_and_coordinated(tables):
    c = tables["cascades"].set_index("cascade_id")
    eng = tables["engagements"]
    kind = _kind_of(tables)
    groups = tables["accounts"].set_index("account_id").coord_group
    ek = eng.child_account_id.map(kind)
    mis = c.is_misinformation.loc[eng.cascade_id].to_numpy()
    amp_delay = eng.delay_s[(ek == "amplifier_bot").to_numpy() & mis]
    hum_delay = eng.delay_s[(ek == "human").to_numpy() & mis]
    assert len(amp_delay) > 20 and len(hum_delay) > 20
    assert amp_delay.median() < 600  # first minutes
    assert amp_delay.median() * 5 < hum_delay.median()
    # amplifiers concentrate on misinformation
    assert mis[(ek == "amplifier_bot").to_numpy()].mean() > 0.6
    assert (~mis[(ek == "amplifier_bot").to_numpy()]).sum() > 0  # mainstream content gets some too
    # coordination: members of one group retweet the same post within seconds of each other
    amp = eng[(ek == "amplifier_bot").to_numpy()].assign(g=lambda x: x.child_account_id.map(groups))
    window = []
    for _, grp in amp.groupby(["cascade_id", "g", "parent_post_id"]):
        if len(grp) >= 3:
            t = np.sort(grp.time.astype("int64").to_numpy()) / 1e9
            # size of the largest burst inside 60 seconds
            j = np.searchsorted(t, t + 60.0, side="right")
            window.append((j - np.arange(t.size)).max())
    assert len(window) >= 5
    assert np.median(window) >= 3
    # humans are not synchronised like that: same statistic over human engagements of one post
    hum = eng[(ek == "human").to_numpy()]
    hw = []
    for _, grp in hum.groupby(["cascade_id", "parent_post_id"]):
        if len(grp) >= 3:
            t = np.sort(grp.time.astype("int64").to_numpy()) / 1e9
            j = np.searchsorted(t, t + 60.0, side="right")
            hw.append((j - np.arange(t.size)).max() / t.size)
    assert not hw or np.median(hw) < 0.9


def test_spam_regular_humans_bursty(tables):
    posts = tables["posts"]
    kind = _kind_of(tables)
    o = posts[posts.kind == "original"].assign(k=lambda x: x.account_id.map(kind))
    o = o.sort_values(["account_id", "created_at"])
    iet = o.groupby("account_id").created_at.diff().dt.total_seconds()
    o = o.assign(iet=iet)

    def cv(s):
        s = s.dropna()
        return s.std() / s.mean() if len(s) >= 5 else np.nan

    cvs = o.groupby(["k", "account_id"]).iet.apply(cv).groupby("k").median()
    assert cvs["human"] > 1.2  # bursty
    assert cvs["spam_bot"] < 0.6  # schedule
    # spam bots post many URLs, humans few
    url_share = o.groupby("k").url.apply(lambda s: s.notna().mean())
    assert url_share["spam_bot"] > 0.7 and url_share["human"] < 0.2


def test_follower_graph_heavy_tailed_and_counts_consistent(tables):
    a = tables["accounts"].set_index("account_id")
    f = tables["follows"]
    indeg = f.followee_id.value_counts().reindex(a.index, fill_value=0)
    outdeg = f.follower_id.value_counts().reindex(a.index, fill_value=0)
    assert indeg.max() > 10 * max(indeg.median(), 1)
    assert (a.followers_count.to_numpy() >= indeg.to_numpy()).all()
    assert (a.friends_count.to_numpy() >= outdeg.to_numpy()).all()
    assert pd.Series(a.followers_count.to_numpy(float)).corr(pd.Series(indeg.to_numpy(float)), method="spearman") > 0.8
    n_posts = tables["posts"].account_id.value_counts().reindex(a.index, fill_value=0)
    assert (a.statuses_count.to_numpy() >= n_posts.to_numpy()).all()
    # fake followers follow many and are followed by few
    ff = a.account_kind == "fake_follower"
    hu = a.account_kind == "human"
    ratio = a.followers_count.astype(float) / (a.friends_count.astype(float) + 1)
    assert ratio[ff].median() < ratio[hu].median()
    # news outlets are among the most followed
    assert indeg[a.account_kind == "news_reliable"].median() > indeg[hu].quantile(0.9)


def test_profiles_varied_and_untrusted_text(tables):
    a = tables["accounts"]
    years = a.created_at.dt.year
    assert years.max() - years.min() >= 8
    assert a.screen_name.str.lower().is_unique
    assert a.description.nunique() > 200 and a.name.nunique() > 200
    text = pd.concat([a.name, a.description, a.location, tables["posts"].text]).dropna()
    for ch in ["<", "&", '"']:
        assert text.str.contains(ch, regex=False).any(), ch
    assert text.str.contains("[\U0001f300-\U0001faff]", regex=True).any()  # emoji
    # bots' texts are more repetitive than humans'
    posts = tables["posts"]
    kind = posts.account_id.map(_kind_of(tables))
    o = posts.kind == "original"
    bare = posts.text.str.replace(r"https?://\S+", "", regex=True)

    def uniq(k):
        sel = o & (kind == k)
        return bare[sel].nunique() / max(sel.sum(), 1)

    assert uniq("spam_bot") < uniq("human")


# ------------------------------------------------------------------------------------- separability
def profile_features(accounts: pd.DataFrame) -> pd.DataFrame:
    """Raw numeric profile columns of ``accounts`` plus a few derived ones (one row per account, same order).

    A measuring tool for the difficulty knobs only (the pipeline's features live in ``features.py``).
    """
    a = accounts
    out = pd.DataFrame(index=a.index)
    for col in ("followers_count", "friends_count", "statuses_count", "favourites_count", "listed_count"):
        out[col] = pd.to_numeric(a[col], errors="coerce").astype("Float64")
    for col in ("verified", "default_profile", "default_profile_image", "protected"):
        out[col] = a[col].astype("boolean").astype("Float64")
    out["account_age_days"] = ((a["collected_at"] - a["created_at"]).dt.total_seconds() / 86400.0).astype("Float64")
    out["statuses_per_day"] = out["statuses_count"] / out["account_age_days"].clip(lower=1.0)
    out["followers_friends_ratio"] = out["followers_count"] / (out["friends_count"] + 1.0)
    for col, name in (("description", "description_len"), ("name", "name_len"), ("screen_name", "screen_name_len")):
        out[name] = a[col].astype("string").str.len().fillna(0).astype("Float64")
    out["screen_name_digits"] = a["screen_name"].astype("string").str.count(r"[0-9]").fillna(0).astype("Float64")
    for col, name in (("url", "has_url"), ("location", "has_location")):
        out[name] = a[col].notna().astype("Float64")
    return out


def single_feature_aucs(accounts: pd.DataFrame) -> pd.Series:
    """ROC AUC of each ``profile_features`` column for bot vs human as ``max(auc, 1 - auc)``, descending."""
    from sklearn.metrics import roc_auc_score

    y = (accounts["label"] == "bot").to_numpy(dtype=bool)
    feats = profile_features(accounts)
    res = {}
    for col in feats.columns:
        x = feats[col].to_numpy(dtype=float, na_value=np.nan)
        ok = ~np.isnan(x)
        if ok.sum() < 2 or y[ok].all() or not y[ok].any():
            continue
        auc = float(roc_auc_score(y[ok], x[ok]))
        res[col] = max(auc, 1.0 - auc)
    return pd.Series(res, name="auc", dtype=float).sort_values(ascending=False)


def test_not_trivially_separable_at_default_difficulty(tables):
    aucs = single_feature_aucs(tables["accounts"])
    assert {
        "followers_count",
        "friends_count",
        "statuses_count",
        "account_age_days",
        "description_len",
        "default_profile",
    } <= set(aucs.index)
    assert aucs.between(0.5, 1.0).all()
    assert aucs.max() < 0.99
    assert aucs.max() > 0.6  # bots are still detectable


def _rf_auc(accounts) -> float:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    X = profile_features(accounts).to_numpy(dtype=float, na_value=np.nan)
    y = (accounts.label == "bot").to_numpy()
    rf = RandomForestClassifier(n_estimators=100, min_samples_leaf=2, random_state=0, n_jobs=1)
    p = cross_val_predict(rf, X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0), method="predict_proba")
    return roc_auc_score(y, p[:, 1])


def test_random_forest_on_profiles_is_good_not_perfect_and_difficulty_matters(tables):
    auc_mid = _rf_auc(tables["accounts"])
    assert 0.75 < auc_mid < 0.97
    easy = simulate_platform(SimulationConfig(n_accounts=2000, days=1, seed=7, difficulty=0.0))["accounts"]
    hard = simulate_platform(SimulationConfig(n_accounts=2000, days=1, seed=7, difficulty=1.0))["accounts"]
    assert _rf_auc(easy) > auc_mid > _rf_auc(hard)
    assert single_feature_aucs(easy).max() > single_feature_aucs(hard).max()


# ------------------------------------------------------------------------------------- config
@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_accounts": 10},
        {"days": 0},
        {"bot_share": 1.5},
        {"difficulty": -0.1},
        {"amplifier_group_size": (5, 2)},
        {"start": "2024-01-01"},
        {"camouflage": 2.0},
        {"bot_kind_weights": (0, 0, 0, 0)},
    ],
)
def test_invalid_config_rejected(kwargs):
    with pytest.raises(ValueError):
        SimulationConfig(**kwargs)


def test_project_validator_accepts_every_row(tables):
    schema = pytest.importorskip("spreadwatch.schema")
    report = schema.validate_tables(tables)
    assert len(report.rejected) == 0


def test_simulation_shows_its_steps_on_stderr_unless_turned_off(capfd, monkeypatch):
    cfg = SimulationConfig(n_accounts=200, days=1, seed=1)
    simulate_platform(cfg)
    err = capfd.readouterr().err
    assert "simulate" in err and "6/6" in err and "the other tables" in err
    monkeypatch.setenv("SPREADWATCH_PROGRESS", "0")
    simulate_platform(cfg)
    assert capfd.readouterr().err == ""
