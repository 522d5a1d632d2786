import pandas as pd

from spreadwatch import ranking


def test_h_index():
    assert ranking.h_index([10, 8, 5, 4, 3]) == 4
    assert ranking.h_index([25, 8, 5, 3, 3]) == 3
    assert ranking.h_index([]) == 0
    assert ranking.h_index([0, 0]) == 0


def test_components_and_combined_ranking_on_a_toy_platform():
    cascades = pd.DataFrame({"cascade_id": ["m1", "m2", "r1"], "root_account_id": ["src", "src", "news"],
                             "domain": ["bad.example", "bad.example", "good.example"]})
    engagements = pd.DataFrame({
        "cascade_id": ["m1"] * 3 + ["m2"] * 2 + ["r1"] * 4,
        "child_account_id": ["b1", "b2", "h1", "b1", "b2", "h1", "h2", "h3", "h4"],
        "delay_s": [5, 6, 900, 4, 5, 100, 200, 300, 400],
    })
    cascade_scores = pd.DataFrame({"cascade_id": ["m1", "m2", "r1"], "misinfo_probability": [0.9, 0.8, 0.1]})
    account_scores = pd.DataFrame({"account_id": ["src", "news", "b1", "b2", "h1", "h2", "h3", "h4"],
                                   "bot_probability": [0.1, 0.05, 0.95, 0.9, 0.1, 0.1, 0.2, 0.1]})
    coordination = pd.DataFrame({"account_a": ["b1"], "account_b": ["b2"], "n_cascades": [2]})
    comp = ranking.account_components(cascades, engagements, cascade_scores, account_scores, coordination)
    assert comp.loc["src", "fib_index"] == 2
    assert comp.loc["news", "fib_index"] == 0
    assert comp.loc["src", "bot_amplification"] > comp.loc["news", "bot_amplification"]
    ranked = ranking.rank_accounts(comp)
    assert ranked.iloc[0]["account_id"] == "src"
    assert "FIB-index 2" in ranked.iloc[0]["top_reasons"]
    assert ranking.precision_at_k(ranked["account_id"].tolist(), {"src"}, ks=(1, 2)) == {"1": 1.0, "2": 0.5}
    domains = ranking.rank_domains(cascades, cascade_scores, engagements)
    assert domains.iloc[0]["domain"] == "bad.example"


def test_r_precision():
    assert ranking.r_precision(["a", "b", "c", "d"], {"a", "c"}) == 0.5
    assert ranking.r_precision(["a", "c", "b"], {"a", "c"}) == 1.0
