import numpy as np
import pandas as pd
import pytest

from spreadwatch import features


def test_leakage_guard_rejects_ids_labels_and_absolute_times():
    ok = pd.DataFrame({"log_followers_count": [1.0, 2.0]})
    features.assert_no_leaky_features(ok)
    for bad in (
        pd.DataFrame({"account_id": [1.0, 2.0]}),
        pd.DataFrame({"source_tweet_id": [1.0, 2.0]}),
        pd.DataFrame({"label": [0.0, 1.0]}),
        pd.DataFrame({"when": pd.to_datetime(["2020-01-01", "2020-01-02"], utc=True)}),
    ):
        with pytest.raises(ValueError, match="leaky"):
            features.assert_no_leaky_features(bad)


def test_profile_features_growth_rates_and_lengths():
    accounts = pd.DataFrame(
        {
            "account_id": pd.array(["1"], dtype="string"),
            "screen_name": pd.array(["bot1234"], dtype="string"),
            "name": pd.array(["Bot"], dtype="string"),
            "description": pd.array([pd.NA], dtype="string"),
            "created_at": pd.to_datetime(["2020-01-01"], utc=True),
            "collected_at": pd.to_datetime(["2020-01-11"], utc=True),
            **{c: pd.array([100], dtype="Int64") for c in features.COUNT_COLUMNS},
            **{c: pd.array([True], dtype="boolean") for c in features.FLAG_COLUMNS},
        }
    )
    row = features.profile_features(accounts).loc["1"]
    assert row["account_age_days"] == 10
    assert row["statuses_per_day"] == 10
    assert row["screen_name_digits"] == 4 and row["screen_name_length"] == 7
    # the table has no description at all: the feature is absent, not a zero that means "empty bio"
    assert "description_length" not in row.index
    assert row["followers_friends_ratio"] == 0


def test_account_and_cascade_features_on_simulated_platform(small_platform):
    t = small_platform
    from spreadwatch import graphs

    net = graphs.account_network_metrics(graphs.retweet_network(t["engagements"], t["cascades"]))
    pairs = graphs.co_engagement_pairs(t["engagements"])
    table = features.account_features(t["accounts"], t["posts"], net, pairs, t["engagements"])
    assert table.index.is_unique and len(table) == len(t["accounts"])
    assert {"log_followers_count", "burstiness", "hour_entropy", "coord_partners"} <= set(table.columns)
    full = features.cascade_features(t["cascades"], t["engagements"], table)
    early = features.cascade_features(t["cascades"], t["engagements"], table, cutoff_s=600)
    assert list(full.index) == sorted(t["cascades"]["cascade_id"])
    # cutting the cascade at 10 minutes can only shrink it
    assert (early["size"] <= full["size"] + 1e-12).all()
    assert (early["size"] < full["size"]).any()
    assert "growth_60min" not in early.columns and "growth_10min" in early.columns
    assert not np.isinf(full.to_numpy()).any()


def test_profile_features_absent_columns_give_absent_features_and_empty_bio_gives_zero():
    accounts = pd.DataFrame(
        {
            "account_id": pd.array(["1", "2"], dtype="string"),
            "screen_name": pd.array(["alice", "x9k2q7z1"], dtype="string"),
            "description": pd.array(["hi there", pd.NA], dtype="string"),
            "followers_count": pd.array([10, 0], dtype="Int64"),
        }
    )
    table = features.profile_features(accounts)
    assert list(table.loc["2", ["description_length", "description_words"]]) == [0.0, 0.0]
    assert table.loc["1", "description_words"] == 2
    # no created_at / friends / name columns: no age, no growth rates, no ratio, no name features
    for absent in ("account_age_days", "followers_per_day", "followers_friends_ratio", "name_length", "verified"):
        assert absent not in table.columns
    assert table.loc["2", "screen_name_digits"] == 4
    features.assert_no_leaky_features(table)


def test_text_features_embed_descriptions_and_posts_with_the_real_model(tmp_path):
    import numpy as np

    from spreadwatch.features import account_features, assert_no_leaky_features, text_features
    from spreadwatch.simulate import SimulationConfig, simulate_platform
    from spreadwatch.text import MiniLMEmbedder

    tables = simulate_platform(SimulationConfig(n_accounts=150, days=1, seed=3))
    accounts, posts = tables["accounts"], tables["posts"]
    embedder = MiniLMEmbedder(cache_dir=tmp_path / "cache")
    text = text_features(accounts, posts, embedder.embed, n_components=4)
    assert sorted(text.index) == sorted(accounts["account_id"].astype(str))
    assert [c for c in text.columns if c.startswith("desc_emb_")] == [f"desc_emb_0{i}" for i in range(4)]
    assert any(c.startswith("post_emb_") for c in text.columns)
    no_description = accounts.loc[accounts["description"].fillna("").str.strip() == "", "account_id"]
    if len(no_description):
        assert text.loc[no_description.astype(str), "desc_emb_00"].isna().all()
    # deterministic, and the cache gives the same vectors on a second pass
    again = text_features(accounts, posts, MiniLMEmbedder(cache_dir=tmp_path / "cache").embed, n_components=4)
    np.testing.assert_allclose(text.to_numpy(), again.to_numpy(), atol=1e-6)
    table = account_features(accounts, posts, text=text)
    assert "desc_emb_00" in table.columns
    assert_no_leaky_features(table)


def _entropy(counts: np.ndarray) -> float:
    """Reference: Shannon entropy (bits) of one row of counts, NaN when all are zero."""
    total = counts.sum()
    if total == 0:
        return np.nan
    p = counts[counts > 0] / total
    return float(-(p * np.log2(p)).sum())


def test_row_entropy_is_bit_for_bit_the_per_row_entropy():
    """The vectorised entropies of activity_features equal the per-account computation exactly (a last-bit
    difference changes gradient-boosting bins and so every downstream score)."""
    rng = np.random.default_rng(0)
    for bins in (16, 24):
        counts = rng.poisson(rng.uniform(0.05, 6, size=(5000, 1)), size=(5000, bins)).astype(float)
        counts[::97] = 0
        fast = features._row_entropy(counts)
        slow = np.array([_entropy(row) for row in counts])
        assert np.array_equal(fast, slow, equal_nan=True)
        assert np.isnan(fast[0]) and np.isfinite(fast[1:97]).all()
