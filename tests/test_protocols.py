"""The protocol registry (spreadwatch.evaluation.protocols): names listed once, preconditions, fallbacks,
the fixed event-separated split, leave-one-event-out, and same-text claims never straddling a split."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from spreadwatch import models, report
from spreadwatch.evaluation import protocols
from spreadwatch.evaluation.rumour import PublisherStyle, TextOnlyModel, cascade_texts
from spreadwatch.pipeline.early_detection import run_early_detection
from spreadwatch.pipeline.features import (
    run_cascade_features,
    run_cascade_features_early,
)

REPO = Path(__file__).resolve().parents[1]


# ---- one list of names ---------------------------------------------------------------------------
def test_protocol_names_are_listed_once_and_everything_reads_the_registry():
    names = set(protocols.PROTOCOL_NAMES)
    assert {
        "stratified_5fold",
        "random_5fold",
        "event_5fold",
        "time_split",
        "upfd_20_10_70",
        "event_separated",
        "leave_one_event_out",
    } == names
    assert set(models.PROTOCOLS) == names
    assert set(report.PROTOCOL_KINDS) == names and all(report.PROTOCOL_KINDS.values())
    assert all(p.kind in protocols.KINDS for p in protocols.PROTOCOLS.values())
    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "datasets.schema.yaml").read_text())
    props = schema["properties"]["datasets"]["additionalProperties"]["properties"]["protocols"]["properties"]
    assert set(props["cascade"]["items"]["enum"]) <= names
    registry = yaml.safe_load((REPO / "configs" / "datasets.yaml").read_text())["datasets"]
    used = {p for entry in registry.values() for p in (entry.get("protocols") or {}).get("cascade", [])}
    assert used <= names
    rules = (REPO / "workflow" / "rules" / "common.smk").read_text()
    assert "WITHIN_DATASET_PROTOCOLS = set(PROTOCOL_REGISTRY.WITHIN_DATASET)" in rules
    assert not re.search(r'WITHIN_DATASET_PROTOCOLS = \{"', rules)


# ---- preconditions and fallbacks -----------------------------------------------------------------
def _two_events(n=40):
    y = np.array(["a", "b"] * (n // 2))
    groups = np.where(np.arange(n) < n // 2, "e1", "e2")
    return y, groups


def test_event_5fold_on_two_events_falls_back_to_leave_one_event_out():
    y, groups = _two_events()
    plan = protocols.get("event_5fold").plan(y, seed=0, groups=groups)
    assert len(plan.splits) == 2 and "leave-one-event-out" in plan.note
    for split in plan.splits:
        assert len(set(groups[split.test])) == 1 and not set(groups[split.train]) & set(groups[split.test])


def test_evaluate_on_two_events_runs_and_states_the_fallback():
    y, groups = _two_events()
    X = pd.DataFrame({"x": (y == "a").astype(float) + np.random.default_rng(0).normal(scale=0.1, size=len(y))})
    record, _ = models.evaluate(
        X, pd.Series(y), task="cascade", protocol="event_5fold", model="logreg", seeds=[0], groups=pd.Series(groups)
    )
    assert record["metrics"]["accuracy"]["n"] == 2
    assert "leave-one-event-out" in record["protocol_note"] and record["protocol_kind"] == "honest"


def test_one_event_or_missing_side_data_is_a_clear_skip(tmp_path):
    y = np.array(["a", "b"] * 10)
    with pytest.raises(protocols.ProtocolNotApplicable, match="2 events"):
        protocols.get("leave_one_event_out").split(y, 0, groups=np.array(["e"] * 20))
    with pytest.raises(protocols.ProtocolNotApplicable, match="fixed split"):
        protocols.get("event_separated").split(y, 0)
    with pytest.raises(protocols.ProtocolNotApplicable, match="event ids"):
        protocols.get("event_5fold").split(y, 0)
    with pytest.raises(ValueError, match="unknown protocol"):
        models.make_splits("nope", y, 0)


def test_leave_one_event_out_tests_every_event_once():
    y = np.array(["a", "b", "a", "b", "a", "b"] * 3)
    groups = np.repeat(["e1", "e2", "e3"], 6)
    splits = models.make_splits("leave_one_event_out", y, 0, groups=groups)
    assert sorted(groups[s.test][0] for s in splits) == ["e1", "e2", "e3"]
    assert sorted(np.concatenate([s.test for s in splits]).tolist()) == list(range(18))


def test_event_separated_fits_on_train_and_dev_and_tests_once():
    y = np.array(["a", "b"] * 10)
    assignment = np.array(["train"] * 12 + ["dev"] * 4 + ["test"] * 4, dtype=object)
    for seed in (0, 1):
        (split,) = models.make_splits("event_separated", y, seed, assignment=assignment)
        assert split.train.tolist() == list(range(16)) and split.val.tolist() == [12, 13, 14, 15]
        assert split.test.tolist() == [16, 17, 18, 19]
    with pytest.raises(protocols.ProtocolNotApplicable, match="unknown split labels"):
        models.make_splits("event_separated", y, 0, assignment=np.array(["train"] * 19 + ["holdout"], dtype=object))


# ---- near-duplicate claim texts -----------------------------------------------------------------
def test_duplicate_text_groups_normalise_links_mentions_and_punctuation():
    texts = pd.Series(
        {
            "1": "Breaking: X happened URL",
            "2": "breaking x happened!! URL URL",
            "3": "rt @bob: breaking X happened",
            "4": "something else",
            "5": None,
            "6": "",
        }
    )
    groups = protocols.duplicate_text_groups(texts)
    assert groups["1"] == groups["2"] == groups["3"] == "t:1"
    assert len({groups["4"], groups["5"], groups["6"], groups["1"]}) == 4


def _duplicated(n_events=20, per_event=5, seed=0):
    rng = np.random.default_rng(seed)
    groups = np.repeat([f"e{i}" for i in range(n_events)], per_event)
    y = np.repeat(rng.choice(["a", "b"], size=n_events), per_event)
    text = np.array([f"claim {i}" for i in range(len(y))], dtype=object)
    # the same claim text in two different events (of the same class), ten times
    for k in range(10):
        i, j = per_event * (2 * k), per_event * (2 * k + 1) + 1
        text[j] = text[i]
    return y, groups, protocols.duplicate_text_groups(pd.Series(text, index=[str(i) for i in range(len(y))])).to_numpy()


@pytest.mark.parametrize("name", ["event_5fold", "leave_one_event_out", "random_5fold"])
def test_same_text_never_straddles_a_split(name):
    y, groups, text_groups = _duplicated()
    before = protocols.get(name).plan(y, 0, groups=groups).splits
    after = protocols.get(name).plan(y, 0, groups=groups, text_groups=text_groups).splits
    assert protocols.straddle_counts(before, text_groups)["test_rows"] > 0  # the data does straddle
    assert protocols.straddle_counts(after, text_groups) == {"test_rows": 0, "text_groups": 0}


def test_evaluate_reports_straddling_before_and_after():
    y, groups, text_groups = _duplicated()
    X = pd.DataFrame({"x": np.random.default_rng(1).normal(size=len(y))})
    record, _ = models.evaluate(
        X,
        pd.Series(y),
        task="cascade",
        protocol="random_5fold",
        model="logreg",
        seeds=[0, 1],
        groups=pd.Series(groups),
        text_groups=pd.Series(text_groups),
    )
    dup = record["duplicate_texts"]
    assert dup["before"]["test_rows"] > 0 and dup["after"]["test_rows"] == 0
    assert "dropped" in dup["handling"] and "dropped" in record["protocol_note"]


# ---- fold-safe text reduction -------------------------------------------------------------------
def _embeddings(n=60, dim=16, seed=0):
    rng = np.random.default_rng(seed)
    index = pd.Index([f"c{i}" for i in range(n)])
    y = pd.Series(np.where(np.arange(n) % 2 == 0, "a", "b"), index=index)
    emb = pd.DataFrame(rng.normal(size=(n, dim)), index=index)
    emb.iloc[:, 0] += (y == "a").to_numpy() * 4.0
    return emb, y


@pytest.mark.parametrize("kind", ["text_only", "cascade_model"])
def test_text_reduction_is_fitted_on_training_rows_only(kind):
    emb, y = _embeddings()
    train, test = y.index[:40], y.index[40:]
    changed = emb.copy()
    changed.loc[test] = np.random.default_rng(9).normal(scale=50.0, size=(len(test), emb.shape[1]))

    def fitted_pca(table):
        if kind == "text_only":
            model = TextOnlyModel(components=4)
        else:
            model = models.CascadeModel(model="logreg", text_components=4)
        X = pd.DataFrame({"size": np.ones(len(train))}, index=train)
        return model.fit(X, y.loc[train], side=models.CascadeSideData(text_embeddings=table)).pca_

    a, b = fitted_pca(emb), fitted_pca(changed)
    np.testing.assert_allclose(a.components_, b.components_)
    np.testing.assert_allclose(a.mean_, b.mean_)


def test_text_only_model_learns_the_text_signal():
    emb, y = _embeddings(n=200)
    X = pd.DataFrame(index=y.index)
    record, _ = models.evaluate(
        X,
        y,
        task="cascade",
        protocol="random_5fold",
        model="text_only",
        seeds=[0],
        make_classifier=lambda seed: TextOnlyModel(components=4),
        fit_params={"side": models.CascadeSideData(text_embeddings=emb)},
    )
    assert record["pooled"]["accuracy"]["mean"] > 0.85


def test_publisher_style_uses_only_other_training_claims():
    emb = pd.DataFrame(np.eye(4), index=["a", "b", "c", "d"])
    pubs = pd.Series({"a": "p", "b": "p", "c": "q", "d": "p"})
    psa = PublisherStyle().fit(emb.loc[["a", "b", "c"]], pubs)
    mean, known = psa.transform(pd.Index(["a", "c", "d"]), pubs)
    np.testing.assert_allclose(mean[0], emb.loc["b"])  # a: its publisher's other training claim only
    assert known.tolist() == [1.0, 0.0, 1.0]  # c: the only claim of q is itself
    np.testing.assert_allclose(mean[2], (emb.loc["a"] + emb.loc["b"]) / 2)  # d (test): never its own text


def test_cascade_texts_prefer_title_then_root_post_text():
    cascades = pd.DataFrame(
        {"cascade_id": ["1", "2", "3"], "root_post_id": ["p1", "p2", "p3"], "title": [None, "a title", None]}
    )
    posts = pd.DataFrame(
        {
            "post_id": ["p1", "p2", "p3"],
            "kind": "original",
            "cascade_id": ["1", "2", "3"],
            "text": ["root one", "root two", "  "],
        }
    )
    texts = cascade_texts(cascades, posts)
    assert texts.loc["1"] == "root one" and texts.loc["2"] == "a title" and pd.isna(texts.loc["3"])


# ---- the early-detection rule gets the headline model's settings (issue 12 item 8) ---------------
def test_early_detection_rule_passes_root_history_and_engager_bag():
    rules = (REPO / "workflow" / "rules" / "models.smk").read_text()
    block = rules[rules.index("rule early_detection:") : rules.index("rule early_detection_figure:")]
    assert 'root_history=config["cascade"].get("root_history", True)' in block
    assert 'engager_bag=config["cascade"].get("engager_bag", False)' in block
    script = (REPO / "workflow" / "scripts" / "early_detection.py").read_text()
    assert "root_history=" in script and "engager_bag=" in script


def test_early_detection_stage_uses_the_given_settings(small_platform, tmp_path):
    from spreadwatch import features

    canonical = tmp_path / "canonical"
    canonical.mkdir()
    for name, frame in small_platform.items():
        frame.to_parquet(canonical / f"{name}.parquet", index=False)
    account_table = features.account_features(small_platform["accounts"], small_platform["posts"])
    account_table.reset_index().to_parquet(tmp_path / "af.parquet", index=False)
    pd.DataFrame({"account_id": account_table.index, "bot_probability": np.nan}).to_parquet(tmp_path / "as.parquet")
    run_cascade_features(canonical, tmp_path / "af.parquet", tmp_path / "as.parquet", tmp_path / "c.parquet")
    run_cascade_features_early(
        canonical, tmp_path / "af.parquet", tmp_path / "as.parquet", tmp_path / "e.parquet", minutes=(60,), ks=()
    )
    inputs = {}
    for root in (True, False):
        out = tmp_path / f"early_{root}.json"
        run_early_detection(
            tmp_path / "c.parquet",
            tmp_path / "e.parquet",
            canonical,
            "time_split",
            "logreg",
            [0],
            out,
            root_history=root,
        )
        inputs[root] = json.loads(out.read_text())["fold_fitted_inputs"]
    assert "root-account history" in inputs[True] and "root-account history" not in inputs[False]


def test_near_duplicates_by_embedding_join_text_groups():
    groups = pd.Series(["t:a", "t:b", "t:c", "t:d"], index=["a", "b", "c", "d"])
    emb = pd.DataFrame([[1.0, 0.0], [0.999, 0.045], [0.0, 1.0], [0.0, 0.0]], index=["a", "b", "c", "d"])
    emb = emb.div(np.linalg.norm(emb.to_numpy(), axis=1).clip(1e-9), axis=0)
    joined = protocols.near_duplicate_groups(groups, emb, threshold=0.9)
    assert joined.tolist() == ["t:a", "t:a", "t:c", "t:d"]
