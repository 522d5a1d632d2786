import networkx as nx
import numpy as np
import pandas as pd
import pytest

from spreadwatch import graphs


def _engagements():
    return pd.DataFrame(
        {
            "engagement_id": ["a", "b", "c", "d"],
            "cascade_id": ["k"] * 4,
            "parent_engagement_id": [None, None, "a", "c"],
            "parent_account_id": [None, None, "ua", "uc"],
            "child_account_id": ["ua", "ub", "uc", "ud"],
            "kind": ["retweet"] * 4,
            "delay_s": [5.0, 20.0, 30.0, 400.0],
        }
    )


def test_tree_structure_matches_hand_computed_values():
    tree = graphs.propagation_graph(_engagements(), root_account="root")
    assert nx.is_arborescence(tree)
    s = graphs.tree_structure(tree)
    # pairwise distances in the 5-node tree sum to 20 over 10 pairs
    assert s == {"size": 4.0, "depth": 3.0, "max_breadth": 2.0, "root_fanout_share": 0.5, "structural_virality": 2.0}


def test_structural_virality_agrees_with_networkx_wiener_index():
    tree = nx.random_labeled_tree(60, seed=1)
    directed = nx.bfs_tree(tree, 0)
    directed = nx.relabel_nodes(directed, {0: graphs.ROOT})
    n = directed.number_of_nodes()
    expected = nx.wiener_index(tree) / (n * (n - 1) / 2)
    assert graphs.tree_structure(directed)["structural_virality"] == pytest.approx(expected)


def test_engagement_with_unknown_parent_hangs_from_root():
    eng = _engagements()
    eng.loc[3, "parent_engagement_id"] = "cut-away"
    tree = graphs.propagation_graph(eng)
    assert list(tree.predecessors("d")) == [graphs.ROOT]


def test_retweet_network_uses_root_account_for_root_children_and_counts_weights():
    eng = _engagements()
    cascades = pd.DataFrame({"cascade_id": ["k"], "root_account_id": ["root"]})
    net = graphs.retweet_network(pd.concat([eng, eng.assign(engagement_id=lambda f: f.engagement_id + "2")]), cascades)
    assert net["root"]["ua"]["weight"] == 2
    assert net["ua"]["uc"]["weight"] == 2
    metrics = graphs.account_network_metrics(net).set_index("account_id")
    assert metrics.loc["root", "reshares_received"] == 4
    assert metrics.loc["root", "pagerank"] == metrics["pagerank"].max()


def test_co_engagement_pairs_respect_the_window():
    eng = pd.DataFrame(
        {
            "cascade_id": ["k1", "k1", "k1", "k2", "k2"],
            "child_account_id": ["x", "y", "z", "x", "y"],
            "delay_s": [10.0, 30.0, 500.0, 7.0, 8.0],
        }
    )
    pairs = graphs.co_engagement_pairs(eng, window_s=60)
    assert pairs.to_dict("records") == [{"account_a": "x", "account_b": "y", "n_cascades": 2}]


def _random_engagements(seed: int, n: int = 3000) -> pd.DataFrame:
    """Random engagements with ties in time, big bursty cascades and repeat engagers (no fixed answer:
    the engines are checked against each other and networkx)."""
    rng = np.random.default_rng(seed)
    cascade = rng.choice([f"c{i:02d}" for i in range(12)], size=n, p=np.r_[[0.4], np.full(11, 0.6 / 11)])
    return pd.DataFrame(
        {
            "engagement_id": [f"e{i}" for i in range(n)],
            "cascade_id": cascade,
            "child_account_id": [f"u{i}" for i in rng.integers(0, 150, size=n)],
            "parent_account_id": [f"u{i}" if i >= 0 else None for i in rng.integers(-40, 150, size=n)],
            "delay_s": np.round(rng.exponential(600.0, size=n) / 10.0) * 10.0,  # many exact ties
        }
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_duckdb_co_engagement_pairs_equal_the_in_memory_engine(seed):
    eng = _random_engagements(seed)
    fast = graphs.co_engagement_pairs(eng, window_s=60.0, max_neighbours=30)
    slow = graphs.co_engagement_pairs(eng, window_s=60.0, max_neighbours=30, engine="numpy")
    assert len(fast) > 100
    pd.testing.assert_frame_equal(fast, slow)
    assert (fast["account_a"] < fast["account_b"]).all()


def test_sparse_network_metrics_equal_the_networkx_graph_metrics():
    eng = _random_engagements(3)
    cascades = pd.DataFrame(
        {"cascade_id": sorted(eng["cascade_id"].unique()), "root_account_id": [f"u{i}" for i in range(12)]}
    )
    edges = graphs.account_edges(eng, cascades)
    network = graphs.retweet_network(eng, cascades)
    from_edges = graphs.account_network_metrics_from_edges(edges).set_index("account_id")
    assert list(from_edges.index) == sorted(network.nodes)
    pagerank = nx.pagerank(network.reverse(copy=False), weight="weight", max_iter=200, tol=1e-8)
    assert from_edges["pagerank"].to_dict() == pytest.approx(pagerank, rel=1e-12, abs=0)
    strength = dict(network.out_degree(weight="weight"))
    assert from_edges["reshares_received"].to_dict() == strength
    for node in list(network.nodes)[:40]:
        succ, pred = set(network.successors(node)), set(network.predecessors(node))
        assert from_edges.loc[node, "n_amplifiers"] == len(succ)
        assert from_edges.loc[node, "reciprocity"] == pytest.approx(len(succ & pred) / len(succ | pred))
    pd.testing.assert_frame_equal(graphs.account_network_metrics(network), from_edges.reset_index())


def _random_forest_engagements(seed: int) -> pd.DataFrame:
    """Random propagation trees (parents drawn among earlier engagements, some missing or unknown), one
    cascade with a parent cycle and one with a repeated engagement id."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(25):
        size = int(rng.integers(0, 60))
        for i in range(size):
            r = rng.random()
            parent = None if (i == 0 or r < 0.3) else (f"x{c}" if r < 0.35 else f"c{c}e{int(rng.integers(0, i))}")
            rows.append((f"c{c}", f"c{c}e{i}", parent))
    rows += [
        ("cyc", "y1", "y2"),
        ("cyc", "y2", "y1"),
        ("cyc", "y3", None),
        ("dup", "z1", None),
        ("dup", "z1", None),
        ("dup", "z2", "z1"),
    ]
    return pd.DataFrame(rows, columns=["cascade_id", "engagement_id", "parent_engagement_id"]).assign(
        child_account_id="u", delay_s=1.0
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_vectorised_tree_metrics_equal_the_networkx_trees(seed):
    from spreadwatch.features import tree_shape

    eng = _random_forest_engagements(seed)
    cascades = pd.DataFrame({"cascade_id": sorted(set(eng["cascade_id"]) | {"empty"})}).assign(root_account_id="r")
    fast = graphs.tree_metrics(cascades, eng)
    trees = graphs.propagation_graphs(cascades, eng)
    slow = pd.DataFrame({c: {**graphs.tree_structure(t), **tree_shape(t)} for c, t in trees.items()}).T
    pd.testing.assert_frame_equal(fast, slow[fast.columns].astype(float), check_names=False, check_index_type=False)
    assert fast.loc["empty", "size"] == 0 and fast["depth"].max() > 3


def _generic_chain(with_column: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generic data naming only the parent engagement: root r <- u1 <- u2 <- u3, plus u4 under the root."""
    cascades = pd.DataFrame({"cascade_id": ["c"], "root_account_id": ["r"]})
    engagements = pd.DataFrame(
        {
            "engagement_id": ["e1", "e2", "e3", "e4"],
            "cascade_id": ["c"] * 4,
            "parent_engagement_id": [None, "e1", "e2", None],
            "child_account_id": ["u1", "u2", "u3", "u4"],
            "delay_s": [1.0, 2.0, 3.0, 4.0],
        }
    )
    if with_column:
        engagements["parent_account_id"] = pd.Series([None] * 4, dtype="string")
    return cascades, engagements


@pytest.mark.parametrize("with_column", [False, True])
def test_network_features_and_ranking_credit_the_same_accounts_without_parent_account_id(with_column):
    from spreadwatch import ranking

    cascades, engagements = _generic_chain(with_column)
    edges = graphs.account_edges(engagements, cascades)
    assert sorted(zip(edges["source"], edges["target"])) == [("r", "u1"), ("r", "u4"), ("u1", "u2"), ("u2", "u3")]
    network = graphs.account_network_metrics_from_edges(edges).set_index("account_id")["reshares_received"]
    credits = ranking.reshare_credits(cascades, engagements).set_index("account_id")["reshares"]
    # the same accounts are credited; below the root (credited with its whole cascade) with the same counts
    assert set(network[network > 0].index) == set(credits[credits > 0].index) == {"r", "u1", "u2"}
    assert network[["u1", "u2"]].tolist() == credits[["u1", "u2"]].tolist() == [1, 1]
    assert list(graphs.reshare_edges(cascades, engagements)["source"]) == ["r", "u1", "u2", "r"]


def test_ingest_fills_parent_account_once_and_keeps_given_ones():
    cascades, engagements = _generic_chain(with_column=True)
    engagements.loc[2, "parent_account_id"] = "given"
    filled, n = graphs.fill_parent_accounts(cascades, engagements)
    assert n == 3
    assert list(filled["parent_account_id"]) == ["r", "u1", "given", "r"]
    assert filled["parent_account_id"].dtype == engagements["parent_account_id"].dtype
    again, n_again = graphs.fill_parent_accounts(cascades, filled)
    assert n_again == 0 and again is filled


def test_generic_ingest_resolves_parent_accounts_and_the_graphs_stage_writes_the_same_edges(tmp_path):
    """Generic files naming only the parent engagement: ingest resolves parent_account_id once, and the
    graphs stage's edges, the network metrics and the ranking credit the same accounts."""
    from spreadwatch import ranking
    from spreadwatch.ingest import ingest_dataset, read_canonical
    from spreadwatch.pipeline.graphs import run_graphs

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "accounts.csv").write_text("account_id,label\nr,bot\nu1,human\nu2,human\nu3,human\nu4,human\n")
    (raw / "cascades.csv").write_text("cascade_id,root_account_id,created_at\nc,r,2020-01-01T00:00:00Z\n")
    (raw / "engagements.csv").write_text(
        "engagement_id,cascade_id,parent_engagement_id,child_account_id,kind,delay_s\n"
        "e1,c,,u1,retweet,1\ne2,c,e1,u2,retweet,2\ne3,c,e2,u3,retweet,3\ne4,c,,u4,retweet,4\n"
    )
    entry = {
        "format": "generic",
        "tasks": ["cascade"],
        "files": {t: f"{t}.csv" for t in ("accounts", "cascades", "engagements")},
    }
    canonical = tmp_path / "canonical"
    card = ingest_dataset("chain", entry, canonical, data_root=raw)
    assert {
        "table": "engagements",
        "quirk": "parent_account_id resolved",
        "count": 4,
        "action": "parent_account_id = account of parent_engagement_id, else the cascade's root account",
    } in card["quirks"]
    tables = read_canonical(canonical, ("cascades", "engagements"))
    assert list(tables["engagements"]["parent_account_id"]) == ["r", "u1", "u2", "r"]
    out = tmp_path / "graphs"
    run_graphs(
        canonical,
        out / "edges.parquet",
        out / "network.parquet",
        out / "pairs.parquet",
        reshares_out=out / "reshares.parquet",
    )
    reshares = pd.read_parquet(out / "reshares.parquet")
    assert list(zip(reshares["source"], reshares["target"])) == [("r", "u1"), ("u1", "u2"), ("u2", "u3"), ("r", "u4")]
    network = pd.read_parquet(out / "network.parquet").set_index("account_id")["reshares_received"]
    credits = ranking.reshare_credits(tables["cascades"], tables["engagements"], reshares).set_index("account_id")
    assert set(network[network > 0].index) == set(credits[credits["reshares"] > 0].index) == {"r", "u1", "u2"}
