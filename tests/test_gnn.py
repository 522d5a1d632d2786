"""Torch graph models (spreadwatch.models.gnn): tree building, fold safety, learning on seeded toys, safe persistence.

Real-data accuracy is measured by ``bench/gnn_eval.py`` (results/bench/gnn_eval.json), not asserted here.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")

from spreadwatch import features, graphs, models  # noqa: E402
from spreadwatch.evaluation.truth import cascade_target  # noqa: E402
from spreadwatch.models import gnn  # noqa: E402
from spreadwatch.pipeline.evaluate import run_evaluate  # noqa: E402


def _toy_trees(n=60, seed=0):
    """Stars (every engagement hangs from the root) vs chains (each hangs from the previous one), same
    sizes and delays, so only the tree shape tells the classes apart. Accounts are all distinct."""
    rng = np.random.default_rng(seed)
    cascades, rows = [], []
    for i in range(n):
        cid, shape = f"c{i:03d}", ("star" if i % 2 else "chain")
        cascades.append({"cascade_id": cid, "root_account_id": f"r{i}", "label": shape})
        size = int(rng.integers(6, 15))
        delays = np.sort(rng.exponential(600.0, size))
        for k in range(size):
            parent = None if (shape == "star" or k == 0) else f"{cid}:{k - 1}"
            rows.append(
                {
                    "engagement_id": f"{cid}:{k}",
                    "cascade_id": cid,
                    "parent_engagement_id": parent,
                    "child_account_id": f"a{i}_{k}",
                    "kind": "retweet",
                    "delay_s": delays[k],
                }
            )
    return pd.DataFrame(cascades), pd.DataFrame(rows)


@pytest.fixture(scope="module")
def toy():
    cascades, engagements = _toy_trees()
    return cascades, engagements, gnn.cascade_graphs(cascades, engagements)


def test_trees_match_networkx_propagation_graphs(small_platform):
    cascades, engagements = small_platform["cascades"], small_platform["engagements"]
    batched = gnn.cascade_graphs(cascades, engagements, max_nodes=10_000)
    nx_trees = graphs.propagation_graphs(cascades, engagements)
    assert list(batched.cascade_ids) == sorted(nx_trees)
    for g, cid in enumerate(batched.cascade_ids[:40]):
        start, end = batched.start[g], batched.start[g + 1]
        assert end - start == nx_trees[cid].number_of_nodes()
        assert batched.parent[start] == -1 and (batched.parent[start + 1 : end] >= start).all()
        depth = graphs.tree_structure(nx_trees[cid])["depth"]
        depth_log = batched.features[start:end, batched.feature_names.index("depth_log")]
        assert np.isclose(np.expm1(depth_log.max()), depth, atol=1e-4)


def test_tree_cap_keeps_the_earliest_engagements(toy):
    cascades, engagements, _ = toy
    capped = gnn.cascade_graphs(cascades, engagements, max_nodes=4)
    assert (np.diff(capped.start) <= 4).all()
    # chains cut after 3 engagements keep their first three links
    g = list(capped.cascade_ids).index("c000")
    s = capped.start[g]
    assert list(capped.parent[s : s + 4]) == [-1, s, s + 1, s + 2]


def test_node_inputs_are_relative_only(toy):
    _, _, trees = toy
    features.assert_no_leaky_features(pd.DataFrame(trees.features, columns=trees.feature_names))
    assert not any("time" == n or n.endswith("_id") for n in trees.feature_names)


def test_bigcn_learns_tree_shape_above_chance(toy):
    cascades, _, trees = toy
    y = cascades.set_index("cascade_id")["label"]
    record, _ = models.evaluate(
        pd.DataFrame(index=y.index),
        y,
        task="cascade",
        protocol="random_5fold",
        model="bigcn",
        seeds=[0],
        make_classifier=lambda seed: gnn.BiGCNClassifier(account_history=False, max_epochs=20, random_state=seed),
        fit_params={"graphs": trees},
    )
    assert record["metrics"]["accuracy"]["mean"] > 0.8
    assert record["metrics"]["accuracy"]["n"] == 5


def test_shuffled_labels_stay_near_chance(toy):
    cascades, _, trees = toy
    y = cascades.set_index("cascade_id")["label"]
    shuffled = pd.Series(np.random.default_rng(3).permutation(y.to_numpy()), index=y.index)
    record, _ = models.evaluate(
        pd.DataFrame(index=y.index),
        shuffled,
        task="cascade",
        protocol="random_5fold",
        model="bigcn",
        seeds=[0],
        make_classifier=lambda seed: gnn.BiGCNClassifier(account_history=False, max_epochs=20, random_state=seed),
        fit_params={"graphs": trees},
    )
    assert record["metrics"]["accuracy"]["mean"] < 0.7


def test_validation_and_history_come_from_the_training_rows_only(small_platform):
    cascades, engagements = small_platform["cascades"], small_platform["engagements"]
    trees = gnn.cascade_graphs(cascades, engagements)
    y = cascade_target(cascades, "is_misinformation").dropna().astype(str)
    split = models.make_splits("random_5fold", y.to_numpy(), seed=0)[0]
    train, test = y.index[split.train], y.index[split.test]
    model = gnn.BiGCNClassifier(max_epochs=3, random_state=0).fit(pd.DataFrame(index=train), y[train], graphs=trees)
    assert len(model.val_ids_) > 0
    assert set(model.val_ids_) | set(model.fit_ids_) == set(train)
    assert not set(model.val_ids_) & set(model.fit_ids_)
    assert not (set(model.val_ids_) | set(model.fit_ids_)) & set(test)
    # account history counts exactly the distinct (fit cascade, account) pairs
    fit = engagements[engagements["cascade_id"].isin(model.fit_ids_)]
    pairs = set(zip(fit["cascade_id"], fit["child_account_id"].astype(str)))
    roots = cascades[cascades["cascade_id"].isin(model.fit_ids_)].dropna(subset=["root_account_id"])
    pairs |= set(zip(roots["cascade_id"], roots["root_account_id"].astype(str)))
    assert np.diff(trees.start).max() < 200  # no small-platform tree is cut by the node cap
    assert model.account_counts_.to_numpy().sum() == len(pairs)
    proba = model.predict_proba(pd.DataFrame(index=test))
    assert proba.shape == (len(test), len(model.classes_)) and np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)


def test_leave_one_out_history_equals_history_without_the_tree(toy):
    cascades, _, trees = toy
    y = np.searchsorted(["chain", "star"], cascades.sort_values("cascade_id")["label"].to_numpy())
    # make accounts recur: tree 0 and 1 share account a0_0
    shared = trees.account.copy()
    s0, s1 = trees.start[0] + 1, trees.start[1] + 1
    shared[s1] = shared[s0]
    trees = gnn.CascadeGraphs(trees.cascade_ids, trees.start, trees.parent, shared, trees.accounts, trees.features)
    prior = np.array([0.5, 0.5])
    everything = np.arange(len(y))
    own = y.copy()
    counts_all = gnn.account_class_counts(trees, everything, y, 2)
    loo = gnn.account_history_features(trees, counts_all, prior, own_label=own)
    without_0 = gnn.account_class_counts(trees, everything[1:], y[1:], 2)
    plain = gnn.account_history_features(trees, without_0, prior)
    nodes = slice(trees.start[0], trees.start[1])
    assert np.allclose(loo[nodes], plain[nodes])
    assert loo[s0, 0] > 0  # the shared account brings tree 1's label into tree 0


@pytest.fixture(scope="module")
def account_inputs(small_platform):
    """(account feature table, labels) of the small platform."""
    tables = small_platform
    edges = graphs.retweet_network(tables["engagements"], tables["cascades"])
    table = features.account_features(
        tables["accounts"],
        tables["posts"],
        network_metrics=graphs.account_network_metrics(edges),
        coordination=graphs.co_engagement_pairs(tables["engagements"]),
        engagements=tables["engagements"],
    )
    labels = tables["accounts"].set_index("account_id")["label"].reindex(table.index).dropna().astype(str)
    return table, labels


def test_botrgcn_learns_bots_and_uses_train_labels_only(small_platform, account_inputs):
    table, labels = account_inputs
    graph = gnn.account_graph(
        table, small_platform["follows"], small_platform["engagements"], small_platform["cascades"]
    )
    assert len(graph.relations["follow"][0]) > 0 and len(graph.relations["retweet"][0]) > 0
    split = models.make_splits("stratified_5fold", labels.to_numpy(), seed=0)[0]
    train, test = labels.index[split.train], labels.index[split.test]
    model = gnn.BotRGCNClassifier(max_epochs=40, random_state=0).fit(
        pd.DataFrame(index=train), labels[train], graph=graph
    )
    assert set(model.val_ids_) <= set(train) and not set(model.val_ids_) & set(model.fit_ids_)
    proba = model.predict_proba(pd.DataFrame(index=test))
    metrics = models.classification_metrics(labels[test].to_numpy(), proba, model.classes_)
    assert metrics["roc_auc"] > 0.8
    # same seed, same data -> same probabilities
    again = gnn.BotRGCNClassifier(max_epochs=40, random_state=0).fit(
        pd.DataFrame(index=train), labels[train], graph=graph
    )
    assert np.allclose(again.predict_proba(pd.DataFrame(index=test)), proba, atol=1e-6)


def test_save_load_round_trip_uses_safetensors_and_json(tmp_path, toy, small_platform, account_inputs):
    from safetensors.torch import load_file

    cascades, _, trees = toy
    y = cascades.set_index("cascade_id")["label"]
    model = gnn.BiGCNClassifier(max_epochs=5, random_state=1).fit(
        pd.DataFrame(index=y.index[:40]), y[:40], graphs=trees
    )
    path = tmp_path / "bigcn.safetensors"
    model.save(path)
    assert "mean" in load_file(str(path))
    assert json.loads((tmp_path / "bigcn.safetensors.json").read_text())["model"] == "bigcn"
    loaded = gnn.load_gnn(path, graphs=trees)
    rest = pd.DataFrame(index=y.index[40:])
    assert np.allclose(loaded.predict_proba(rest), model.predict_proba(rest), atol=1e-6)
    assert list(loaded.classes_) == list(model.classes_)

    table, labels = account_inputs
    graph = gnn.account_graph(table, small_platform["follows"])
    bot = gnn.BotRGCNClassifier(max_epochs=5).fit(pd.DataFrame(index=labels.index[:800]), labels[:800], graph=graph)
    bot.save(tmp_path / "botrgcn.safetensors")
    again = gnn.load_gnn(tmp_path / "botrgcn.safetensors", graphs=graph)
    rows = pd.DataFrame(index=labels.index[800:])
    assert np.allclose(again.predict_proba(rows), bot.predict_proba(rows), atol=1e-6)


def test_evaluate_stage_writes_the_usual_record_for_bigcn(tmp_path, small_platform):
    canonical = tmp_path / "canonical"
    canonical.mkdir()
    for name in ("cascades", "engagements", "posts"):
        small_platform[name].to_parquet(canonical / f"{name}.parquet", index=False)
    features_path = tmp_path / "cascades.parquet"
    pd.DataFrame({"cascade_id": sorted(small_platform["cascades"]["cascade_id"]), "size": 0.0}).to_parquet(
        features_path
    )
    out = tmp_path / "cascade__random_5fold__bigcn.json"
    record = run_evaluate("cascade", features_path, canonical, "random_5fold", "bigcn", [0], out)
    written = json.loads(out.read_text())
    assert written["model"] == "bigcn" and written["protocol"] == "random_5fold"
    assert written["metrics"]["accuracy"]["n"] == 5 and 0.0 <= written["metrics"]["accuracy"]["mean"] <= 1.0
    # same-claim test rows with a training-side duplicate are dropped from the test fold (issue 16)
    dropped = record["n_rows"] - record["n_train"] - record["n_test"]
    assert 0 <= dropped <= record.get("duplicate_texts", {}).get("before", {}).get("test_rows", 0)


def test_clone_of_the_graph_models_is_unfitted_and_predicts_like_the_original(toy, small_platform, account_inputs):
    from sklearn.base import clone

    cascades, _, trees = toy
    table, labels = account_inputs
    cases = [
        (
            gnn.BiGCNClassifier(max_epochs=3, random_state=1),
            cascades.set_index("cascade_id")["label"],
            40,
            {"graphs": trees},
        ),
        (
            gnn.BotRGCNClassifier(max_epochs=5, random_state=2),
            labels,
            800,
            {"graph": gnn.account_graph(table, small_platform["follows"])},
        ),
    ]
    for estimator, y, n_train, fit_params in cases:
        train, rest = pd.DataFrame(index=y.index[:n_train]), pd.DataFrame(index=y.index[n_train:])
        original = estimator.fit(train, y[:n_train], **fit_params)
        copy = clone(original)
        assert not [k for k in vars(copy) if k.endswith("_")]
        copy.fit(train, y[:n_train], **fit_params)
        np.testing.assert_allclose(copy.predict_proba(rest), original.predict_proba(rest), atol=1e-6)


def test_evaluate_stage_reads_the_account_graph_tables_for_botrgcn(tmp_path, small_platform, account_inputs):
    """The stage runner reads the canonical tables gnn.GNN_INPUT_TABLES names and hands them to the model
    module (models never open the dataset folder)."""
    table, _ = account_inputs
    in_memory = {name: small_platform[name] for name in gnn.GNN_INPUT_TABLES["botrgcn"]}
    X, _, fit_params = gnn.evaluation_setup("bot", "botrgcn", table, in_memory)  # no folder anywhere
    assert X.index.equals(table.index) and isinstance(fit_params["graph"], gnn.AccountGraph)
    canonical = tmp_path / "canonical"
    canonical.mkdir()
    for name in ("accounts", "cascades", "engagements", "posts", "follows"):
        small_platform[name].to_parquet(canonical / f"{name}.parquet", index=False)
    features_path = tmp_path / "accounts.parquet"
    table.rename_axis("account_id").reset_index().to_parquet(features_path, index=False)
    out = tmp_path / "bot__stratified_5fold__botrgcn.json"
    run_evaluate("bot", features_path, canonical, "stratified_5fold", "botrgcn", [0], out)
    written = json.loads(out.read_text())
    assert written["model"] == "botrgcn" and written["status"] == "ok"
    assert written["metrics"]["roc_auc"]["mean"] > 0.7  # the small platform's bots are learnable (see above)
