import pandas as pd
import pytest

from spreadwatch import ranking


def test_h_index():
    assert ranking.h_index([10, 8, 5, 4, 3]) == 4
    assert ranking.h_index([25, 8, 5, 3, 3]) == 3
    assert ranking.h_index([]) == 0
    assert ranking.h_index([0, 0]) == 0


def test_components_and_combined_ranking_on_a_toy_platform():
    cascades = pd.DataFrame(
        {
            "cascade_id": ["m1", "m2", "r1"],
            "root_account_id": ["src", "src", "news"],
            "domain": ["bad.example", "bad.example", "good.example"],
        }
    )
    engagements = pd.DataFrame(
        {
            "cascade_id": ["m1"] * 3 + ["m2"] * 2 + ["r1"] * 4,
            "child_account_id": ["b1", "b2", "h1", "b1", "b2", "h1", "h2", "h3", "h4"],
            "delay_s": [5, 6, 900, 4, 5, 100, 200, 300, 400],
        }
    )
    cascade_scores = pd.DataFrame({"cascade_id": ["m1", "m2", "r1"], "misinfo_probability": [0.9, 0.8, 0.1]})
    account_scores = pd.DataFrame(
        {
            "account_id": ["src", "news", "b1", "b2", "h1", "h2", "h3", "h4"],
            "bot_probability": [0.1, 0.05, 0.95, 0.9, 0.1, 0.1, 0.2, 0.1],
        }
    )
    coordination = pd.DataFrame({"account_a": ["b1"], "account_b": ["b2"], "n_cascades": [2]})
    comp = ranking.account_components(cascades, engagements, cascade_scores, account_scores, coordination)
    assert comp.loc["src", "fib_index"] == 2
    assert comp.loc["news", "fib_index"] == 0
    assert comp.loc["src", "bot_amplification"] > comp.loc["news", "bot_amplification"]
    # misinfo_degree: p summed over the reshare edges an account is an endpoint of (root credited as source)
    assert comp.loc["src", "misinfo_degree"] == pytest.approx(3 * 0.9 + 2 * 0.8)
    assert comp.loc["b1", "misinfo_degree"] == pytest.approx(0.9 + 0.8)
    assert comp.loc["h2", "misinfo_degree"] == pytest.approx(0.1)
    ranked = ranking.rank_accounts(comp)
    assert ranked.iloc[0]["account_id"] == "src"
    assert "FIB-index 2" in ranked.iloc[0]["top_reasons"]
    assert ranking.precision_at_k(ranked["account_id"].tolist(), {"src"}, ks=(1, 2)) == {"1": 1.0, "2": 0.5}
    domains = ranking.rank_domains(cascades, cascade_scores, engagements)
    assert domains.iloc[0]["domain"] == "bad.example"


def test_r_precision():
    assert ranking.r_precision(["a", "b", "c", "d"], {"a", "c"}) == 0.5
    assert ranking.r_precision(["a", "c", "b"], {"a", "c"}) == 1.0


def _two_window_platform():
    """Two windows of a toy platform: 'spreader' posts misinformation in both windows, 'news' posts
    popular true news in both; 'loud' posted popular true news only in window 1."""
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    cascades, engagements = [], []
    plan = [  # (cascade, root, misinformation, day, n reshares)
        ("m1", "spreader", True, 0, 6),
        ("n1", "news", False, 0, 8),
        ("l1", "loud", False, 0, 20),
        ("m2", "spreader", True, 10, 5),
        ("n2", "news", False, 10, 7),
    ]
    for cid, root, misinfo, day, n in plan:
        created = t0 + pd.Timedelta(days=day)
        cascades.append(
            {
                "cascade_id": cid,
                "root_account_id": root,
                "is_misinformation": misinfo,
                "created_at": created,
                "domain": "bad.example" if misinfo else "good.example",
                "label": "x",
            }
        )
        for i in range(n):
            engagements.append(
                {
                    "engagement_id": f"{cid}-{i}",
                    "cascade_id": cid,
                    "parent_account_id": root,
                    "parent_engagement_id": None,
                    "child_account_id": f"{cid}-fan{i}",
                    "time": created + pd.Timedelta(minutes=i + 1),
                    "delay_s": 60.0 * (i + 1),
                }
            )
    accounts = pd.DataFrame(
        {"account_id": sorted({c["root_account_id"] for c in cascades} | {e["child_account_id"] for e in engagements})}
    )
    accounts["followers_count"] = (
        accounts["account_id"].map({"loud": 1000, "news": 500, "spreader": 10}).astype("Int64")
    )
    return pd.DataFrame(cascades), pd.DataFrame(engagements), accounts


def test_dismantling_curve_counts_edges_with_a_removed_endpoint():
    edges = pd.DataFrame(
        {"source": ["a", "a", "b", "c"], "target": ["x", "y", "a", "z"], "is_misinformation": [True, True, True, False]}
    )
    curve = ranking.dismantling_curve(edges, ["a", "c", "b"], ks=(1, 2, 3, 10)).set_index("k")
    assert curve.loc[1, "removed_share"] == 1.0  # a is an endpoint of all three misinformation edges
    curve = ranking.dismantling_curve(edges, ["c", "b", "a"], ks=(1, 2, 3)).set_index("k")
    assert curve.loc[1, "removed"] == 0 and curve.loc[2, "removed"] == 1 and curve.loc[3, "removed"] == 3


def test_two_window_ranks_on_window_one_and_measures_window_two():
    cascades, engagements, accounts = _two_window_platform()
    scores = pd.DataFrame({"account_id": accounts["account_id"], "bot_probability": 0.1})
    records = ranking.two_window_records(
        cascades,
        engagements,
        accounts,
        pd.DataFrame(columns=["cascade_id", "misinfo_probability"]),
        scores,
        truth={"spreader"},
        ks=(1, 2),
        select=False,
    )
    assert set(records) == set(ranking.TWO_WINDOW_RANKERS)
    # window 2 holds m2 (5 misinformation reshares of spreader) and n2; window 1 never sees them
    assert records["fib"]["n_test"] == 5
    assert records["fib"]["metrics"]["removed_share_at_k"]["1"] == 1.0
    assert records["fib"]["metrics"]["precision_at_k"]["1"] == 1.0
    # total retweets and followers put 'loud' first, who is silent in window 2
    assert records["total_retweets"]["metrics"]["removed_share_at_k"]["1"] == 0.0
    assert records["followers"]["metrics"]["removed_share_at_k"]["1"] == 0.0
    assert records["combined"]["metrics"]["removed_share_at_k"]["1"] == 1.0
    assert pd.Timestamp(records["combined"]["windows"]["boundary"]) <= pd.Timestamp("2024-01-11", tz="UTC")
    # the oracle ceiling knows window 2: removing 'spreader' alone removes every misinformation reshare
    assert records["combined"]["oracle_removed_share_at_k"]["1"] == 1.0


def test_reshare_credits_without_roots_credit_direct_sharers():
    cascades = pd.DataFrame({"cascade_id": ["c"], "root_account_id": [None]})
    engagements = pd.DataFrame(
        {
            "engagement_id": ["e1", "e2", "e3"],
            "cascade_id": ["c"] * 3,
            "parent_account_id": [None, None, None],
            "parent_engagement_id": [None, "e1", "e1"],
            "child_account_id": ["u1", "u2", "u3"],
        }
    )
    credits = ranking.reshare_credits(cascades, engagements).set_index("account_id")
    assert credits.loc["u1", "reshares"] == 2 and bool(credits.loc["u1", "seeded"])
    assert "u2" not in credits.index or credits.loc["u2", "reshares"] == 0


def test_domain_evaluation_agrees_with_a_matching_rating_list():
    ranked = pd.DataFrame(
        {
            "rank": [1, 2, 3, 4],
            "domain": ["bad.com", "meh.com", "ok.com", "unrated.com"],
            "score": [0.9, 0.5, 0.1, 0.05],
        }
    )
    ratings = pd.DataFrame(
        {"domain": ["bad.com", "meh.com", "ok.com"], "lin_pc1": [0.1, 0.5, 0.9], "iffy_plus": [True, False, False]}
    )
    records = ranking.domain_evaluation(ranked, ratings, ks=(1, 2))
    assert records["lin_pc1"]["metrics"]["spearman"] == 1.0
    assert records["lin_pc1"]["coverage"]["n_domains_rated"] == 3
    assert records["iffy_plus"]["metrics"]["precision_at_k"] == {"1": 1.0, "2": 0.5}


def test_reviews_are_validated_with_file_row_and_column(tmp_path):
    import pytest

    from spreadwatch import reviews

    bad = tmp_path / "reviews.csv"
    bad.write_text(
        "account_id,verdict,reviewer,note,date\na1,confirmed,ann,ok,2024-05-01\n,dismissed,bob,,\na3,maybe,bob,,not-a-date\n"
    )
    with pytest.raises(reviews.ReviewFileError) as error:
        reviews.read_reviews(bad)
    text = str(error.value)
    assert f"{bad}: row 3, column 'account_id'" in text
    assert f"{bad}: row 4, column 'verdict': 'maybe'" in text
    assert f"{bad}: row 4, column 'date'" in text
    missing = tmp_path / "missing_col.csv"
    missing.write_text("account_id,reviewer\na1,ann\n")
    with pytest.raises(reviews.ReviewFileError, match="verdict"):
        reviews.read_reviews(missing)
    assert reviews.read_reviews(tmp_path / "absent.csv").empty


def test_latest_review_wins_and_dismissed_accounts_leave_the_top(tmp_path):
    from spreadwatch import reviews as review_files

    path = tmp_path / "reviews.csv"
    path.write_text(
        "account_id,verdict,reviewer,note,date\n"
        "a,dismissed,ann,,2024-05-01\nb,unsure,ann,,2024-05-01\na,confirmed,bob,second look,2024-05-03\n"
        "c,dismissed,bob,,2024-05-02\n"
    )
    reviews = review_files.read_reviews(path).set_index("account_id")
    assert reviews.loc["a", "verdict"] == "confirmed" and reviews.loc["a", "reviewer"] == "bob"
    ranked = pd.DataFrame({"rank": [1, 2, 3, 4], "account_id": ["c", "a", "b", "d"], "score": [0.9, 0.8, 0.7, 0.1]})
    out = review_files.apply_reviews(ranked, review_files.read_reviews(path))
    assert out["account_id"].tolist() == ["a", "b", "d", "c"]
    assert out["rank"].tolist() == [1, 2, 3, 4]
    assert out.set_index("account_id")["review_status"].to_dict() == {
        "a": "confirmed",
        "b": "unsure",
        "d": "unreviewed",
        "c": "dismissed",
    }
    assert review_files.review_exclusions(review_files.read_reviews(path)) == {"c"}


def test_pseudonymised_export_hashes_ids_and_drops_free_text(tmp_path):
    import pytest

    from spreadwatch import export
    from spreadwatch.cli import main

    base = tmp_path / "results" / "ds"
    base.mkdir(parents=True)
    ranked = pd.DataFrame(
        {
            "rank": [1, 2],
            "account_id": ["123", "456"],
            "screen_name": ["alice", "bob"],
            "name": ["Alice A", "Bob B"],
            "score": [0.9, 0.2],
            "fib_index": [3, 0],
            "top_reasons": ["seeded 3 ...", "no strong signal"],
            "label": ["bot", "<script>"],
            "description": ["free text about alice", "x"],
        }
    )
    ranked.to_csv(base / "ranked_accounts.csv", index=False)
    assert (
        main(
            [
                "export",
                "--dataset",
                "ds",
                "--pseudonymise",
                "--salt",
                "short",
                "--results",
                str(tmp_path / "results"),
                "--out",
                str(tmp_path / "out"),
            ]
        )
        == 2
    )
    assert (
        main(
            [
                "export",
                "--dataset",
                "ds",
                "--pseudonymise",
                "--salt",
                "a-long-secret",
                "--results",
                str(tmp_path / "results"),
                "--out",
                str(tmp_path / "out"),
            ]
        )
        == 0
    )
    shared = (tmp_path / "out" / "ranked_accounts_pseudonymised.csv").read_text()
    for secret in ("123", "456", "alice", "bob", "Alice", "seeded", "free text", "<script>"):
        assert secret not in shared
    table = pd.read_csv(tmp_path / "out" / "ranked_accounts_pseudonymised.csv")
    assert table["account_pseudonym"].tolist() == [
        export.pseudonym("123", "a-long-secret", "a_"),
        export.pseudonym("456", "a-long-secret", "a_"),
    ]
    assert export.pseudonym("123", "another-secret") != export.pseudonym("123", "a-long-secret")
    assert table["fib_index"].tolist() == [3, 0] and table["label"].isna().tolist() == [False, True]
    with pytest.raises(ValueError):
        export.pseudonymise_ranked(ranked, "")


def test_two_window_without_engagement_times_writes_skipped_records(tmp_path):
    """FakeNewsNet share lists have no engagement times: every ranker's file is still written, saying why."""
    import json

    from spreadwatch.pipeline.two_window import run_two_window

    canonical = tmp_path / "canonical"
    canonical.mkdir()
    pd.DataFrame({"account_id": ["a"], "followers_count": [1]}).to_parquet(canonical / "accounts.parquet")
    pd.DataFrame({"cascade_id": ["c"], "root_account_id": ["a"], "is_misinformation": [True]}).to_parquet(
        canonical / "cascades.parquet"
    )
    pd.DataFrame(
        {"cascade_id": ["c"], "child_account_id": ["b"], "time": pd.Series([pd.NaT], dtype="datetime64[ns, UTC]")}
    ).to_parquet(canonical / "engagements.parquet")
    pd.DataFrame({"account_id": ["a"], "bot_probability": [0.1]}).to_parquet(tmp_path / "accounts_scores.parquet")
    run_two_window(
        canonical,
        tmp_path / "accounts_scores.parquet",
        tmp_path / "missing.parquet",
        tmp_path,
        ranking.TWO_WINDOW_RANKERS,
    )
    for name in ranking.TWO_WINDOW_RANKERS:
        record = json.loads((tmp_path / f"rank__two_window__{name}.json").read_text())
        assert "no time" in record["skipped"] and record["metrics"] == {}


def test_components_of_a_dataset_without_engagements():
    """FakeNewsNet share lists: cascades and scores but no engagements; every component is 0, no error."""
    cascades = pd.DataFrame(
        {
            "cascade_id": pd.array(["n1", "n2"], dtype="string"),
            "root_account_id": pd.array([None, None], dtype="string"),
        }
    )
    engagements = pd.DataFrame(
        {
            c: pd.array([], dtype="string")
            for c in ("engagement_id", "cascade_id", "parent_engagement_id", "parent_account_id", "child_account_id")
        }
    )
    engagements["delay_s"] = pd.Series([], dtype=float)
    cascade_scores = pd.DataFrame({"cascade_id": ["n1", "n2"], "misinfo_probability": [0.9, 0.1]})
    account_scores = pd.DataFrame({"account_id": ["a"], "bot_probability": [0.2]})
    coordination = pd.DataFrame(columns=["account_a", "account_b", "n_cascades"])
    comp = ranking.account_components(cascades, engagements, cascade_scores, account_scores, coordination)
    assert list(comp.index) == ["a"]
    assert comp.loc["a", "misinfo_reach"] == 0.0 and comp.loc["a", "misinfo_degree"] == 0.0


def test_likely_bots_is_rank_based_so_low_prior_scores_still_flag_the_expected_count():
    # shipped-model scores at prior 0.15 never reach 0.5; the rule flags round(sum p) = 2 accounts
    p = pd.Series([0.45, 0.40, 0.30, 0.25, 0.2, 0.1, 0.1, 0.1, None], index=list("abcdefghi"), dtype="Float64")
    flags = ranking.likely_bots(p)
    assert flags[flags].index.tolist() == ["a", "b"]
    assert not flags["i"]  # not scored is never a likely bot
    # a confident in-domain model: the same rule keeps p >= 0.5 accounts
    sharp = pd.Series([0.98, 0.97, 0.02, 0.01, 0.02])
    assert ranking.likely_bots(sharp).tolist() == [True, True, False, False, False]
    assert not ranking.likely_bots(pd.Series([None, None], dtype="Float64")).any()


def test_missing_bot_probability_is_not_scored_not_zero():
    cascades = pd.DataFrame({"cascade_id": ["m1", "m2"], "root_account_id": ["a", "b"]})
    engagements = pd.DataFrame(
        {
            "cascade_id": ["m1", "m1", "m2", "m2"],
            "child_account_id": ["x", "y", "x", "y"],
            "delay_s": [5.0, 6.0, 5.0, 6.0],
        }
    )
    cascade_scores = pd.DataFrame({"cascade_id": ["m1", "m2"], "misinfo_probability": [0.9, 0.9]})
    # 'a' and 'b' have the same spreading evidence; 'a' has no bot score, 'b' the lowest one
    account_scores = pd.DataFrame({"account_id": ["a", "b", "c", "d"], "bot_probability": [None, 0.01, 0.6, 0.7]})
    none = pd.DataFrame(columns=["account_id_a", "account_b", "n_cascades"]).rename(
        columns={"account_id_a": "account_a"}
    )
    comp = ranking.account_components(cascades, engagements, cascade_scores, account_scores, none)
    assert pd.isna(comp.loc["a", "bot_probability"]) and pd.isna(comp.loc["x", "bot_probability"])
    # x and y (early engagers of a and b) have no bot score: amplification unknown, not 0
    assert pd.isna(comp.loc["a", "bot_amplification"]) and pd.isna(comp.loc["b", "bot_amplification"])
    assert comp.loc["c", "bot_amplification"] == 0.0  # no early engagers at all: no evidence = 0
    score = ranking.combine(comp)
    # 'a' is combined over the components it has: the same as b without b's bot-probability share
    weights = {k: v for k, v in ranking.DEFAULT_WEIGHTS.items() if k not in ("bot_probability", "bot_amplification")}
    assert score["a"] == pytest.approx(
        ranking.combine(comp.drop(columns=["bot_probability", "bot_amplification"]), weights)["a"]
    )
    assert score["a"] > 0
    ranked = ranking.rank_accounts(comp).set_index("account_id")
    assert "bot probability and bot amplification not scored" in ranked.loc["a", "top_reasons"]
    assert "not scored" not in ranked.loc["d", "top_reasons"]
    assert "bot probability 0.70" in ranked.loc["d", "top_reasons"]  # round(1.31) = 1 likely bot: d
    assert "bot probability" not in ranked.loc["c", "top_reasons"]
