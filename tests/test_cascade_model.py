"""Cascade model: relative-time cascade features, fold-safe engager history, early detection, leakage guard.

Fast tests use hand-made cascades and the small simulated platform; the real-data test (marked
``shared_data``) uses the canonical Twitter16 tables written by the workflow and skips when they are absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spreadwatch import features, models
from spreadwatch.evaluation.truth import cascade_target
from spreadwatch.models import cascade
from spreadwatch.pipeline.early_detection import run_early_detection
from spreadwatch.pipeline.features import (
    run_cascade_features,
    run_cascade_features_early,
)
from spreadwatch.report import early_detection_figure

REPO = Path(__file__).resolve().parents[1]
T16_CANONICAL = REPO / "results" / "twitter16" / "canonical"
T0 = pd.Timestamp("2020-01-01", tz="UTC")


def tiny_cascades(shift_days: float = 0.0):
    """Two cascades. c1: ROOT -> a (10 s) -> b (70 s), ROOT -> c (130 s, reply); c2: ROOT -> d (5 s)."""
    start = T0 + pd.Timedelta(days=shift_days)
    cascades = pd.DataFrame(
        {
            "cascade_id": ["c1", "c2"],
            "root_account_id": pd.array(["r1", "r2"], dtype="string"),
            "created_at": [start, start + pd.Timedelta(hours=1)],
        }
    )
    rows = [
        ("c1", "e1", None, "a", 10.0, "retweet"),
        ("c1", "e2", "e1", "b", 70.0, "retweet"),
        ("c1", "e3", None, "c", 130.0, "reply"),
        ("c2", "e4", None, "d", 5.0, "retweet"),
    ]
    engagements = pd.DataFrame(
        rows, columns=["cascade_id", "engagement_id", "parent_engagement_id", "child_account_id", "delay_s", "kind"]
    )
    engagements["parent_engagement_id"] = engagements["parent_engagement_id"].astype("string")
    starts = cascades.set_index("cascade_id")["created_at"]
    engagements["time"] = engagements["cascade_id"].map(starts) + pd.to_timedelta(engagements["delay_s"], unit="s")
    return cascades, engagements


def test_cascade_features_structure_and_timing():
    cascades, engagements = tiny_cascades()
    table = features.cascade_features(cascades, engagements)
    c1 = table.loc["c1"]
    assert c1["size"] == pytest.approx(np.log1p(3))
    assert c1["depth"] == 2 and c1["max_breadth"] == 2
    assert c1["root_fanout_share"] == pytest.approx(2 / 3)
    assert c1["branching"] == pytest.approx(1.5)  # ROOT has 2 children, a has 1
    assert c1["leaf_share"] == pytest.approx(2 / 3)
    assert c1["retweet_share"] == pytest.approx(2 / 3) and c1["reply_share"] == pytest.approx(1 / 3)
    assert c1["distinct_engagers"] == pytest.approx(np.log1p(3))
    assert c1["growth_10min"] == pytest.approx(np.log1p(3))
    assert c1["delay_first_log"] == pytest.approx(1.0)
    assert c1["gap_log_mean"] == pytest.approx(np.log10(60.0))  # gaps 60 s and 60 s
    # structural virality: mean distance over the 6 node pairs of the path-like tree {ROOT,a,b,c}
    assert c1["structural_virality"] == pytest.approx((1 + 2 + 1 + 1 + 2 + 3) / 6)
    early = features.cascade_features(cascades, engagements, cutoff_s=60)
    assert early.loc["c1", "size"] == pytest.approx(np.log1p(1))
    assert "growth_240min" not in early.columns
    first2 = features.cascade_features(cascades, engagements, first_k=2)
    assert first2.loc["c1", "size"] == pytest.approx(np.log1p(2))


def test_cascade_features_use_relative_time_only():
    """Moving every absolute time by years leaves the features unchanged."""
    base = features.cascade_features(*tiny_cascades())
    moved = features.cascade_features(*tiny_cascades(shift_days=3 * 365.25))
    pd.testing.assert_frame_equal(base, moved)


def recurring_pairs(n_cascades: int = 60, n_users: int = 40, per_cascade: int = 6, seed: int = 0):
    rng = np.random.default_rng(seed)
    ids = [f"c{i:03d}" for i in range(n_cascades)]
    rows = [(cid, f"u{u:03d}") for cid in ids for u in rng.choice(n_users, per_cascade, replace=False)]
    pairs = pd.DataFrame(rows, columns=["cascade_id", "account_id"]).sort_values(["cascade_id", "account_id"])
    y = pd.Series(rng.choice(["false", "true", "non-rumor", "unverified"], n_cascades), index=pd.Index(ids))
    return pairs.reset_index(drop=True), y


@pytest.mark.parametrize("engager_bag", [False, True])
def test_engager_history_is_fold_safe(engager_bag):
    """Test-fold features do not change when the test-fold labels are shuffled; they do when training labels are."""
    pairs, y = recurring_pairs()
    train, test = y.index[:40], y.index[40:]
    rng = np.random.default_rng(1)

    def test_features(labels: pd.Series) -> pd.DataFrame:
        model = models.CascadeModel(model="logreg", engager_bag=engager_bag)
        X = pd.DataFrame({"size": np.arange(len(labels), dtype=float)}, index=labels.index)
        model.fit(X.loc[train], labels.loc[train], side=models.CascadeSideData(participants=pairs))
        return model._augment(X.loc[test])

    reference = test_features(y)
    shuffled = y.copy()
    shuffled.loc[test] = rng.permutation(y.loc[test].to_numpy())
    assert not shuffled.loc[test].equals(y.loc[test])
    pd.testing.assert_frame_equal(test_features(shuffled), reference)
    retrained = y.copy()
    retrained.loc[train] = rng.permutation(y.loc[train].to_numpy())
    assert not test_features(retrained).equals(reference)


def test_engager_bag_learns_recurring_engagers_and_is_out_of_fold_on_training_rows():
    """Cascades of class A draw their participants from one pool of users, class B from another: the bag
    separates unseen test cascades, and a training cascade's own output never comes from a model fitted
    on it (changing its label alone leaves its bag output unchanged)."""
    rng = np.random.default_rng(0)
    rows, labels = [], {}
    for i in range(80):
        label = "A" if i % 2 else "B"
        pool = np.arange(0, 30) if label == "A" else np.arange(30, 60)
        cid = f"c{i:03d}"
        labels[cid] = label
        rows += [(cid, f"u{u:03d}") for u in rng.choice(pool, 5, replace=False)]
    pairs = pd.DataFrame(rows, columns=["cascade_id", "account_id"])
    y = pd.Series(labels)
    train, test = y.index[:60], y.index[60:]
    bag = models.EngagerBag(random_state=0).fit(pairs, y.loc[train])
    out = bag.transform(pairs, test)
    assert list(out.columns) == ["bag_p_a", "bag_p_b"]
    predicted = np.where(out["bag_p_a"] > 0.5, "A", "B")
    assert (predicted == y.loc[test].to_numpy()).mean() >= 0.9
    # training rows: out-of-fold values (inner folds), not the full model's fit of the row itself
    full_fit = bag._proba(bag.full_, bag._matrix(cascade._object_pairs(pairs), pd.Index(train, dtype=object)))
    in_fold = bag.transform(pairs, train).to_numpy()
    assert not np.allclose(in_fold, full_fit)


def test_training_rows_get_history_from_the_other_inner_folds():
    """Each training cascade's history features come from a history fitted on the other inner folds only
    (never its own label nor those of its inner fold); test cascades get the whole training fold's."""
    from sklearn.model_selection import StratifiedKFold

    pairs, y = recurring_pairs(n_cascades=80)
    roots = pd.DataFrame({"cascade_id": y.index, "account_id": [f"r{i % 10}" for i in range(len(y))]})
    X = pd.DataFrame({"size": np.arange(len(y), dtype=float)}, index=y.index)
    train, test = y.index[:60], y.index[60:]
    side = models.CascadeSideData(participants=pairs, root_participants=roots)
    model = models.CascadeModel(model="logreg").fit(X.loc[train], y.loc[train], side=side)
    seen = model._augment(X.loc[train])
    splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    for inner_train, inner_test in splitter.split(np.zeros(60), y.loc[train].to_numpy()):
        history = models.EngagerHistory().fit(pairs, y.loc[train].iloc[inner_train])
        expected = history.transform(pairs, train[inner_test])
        pd.testing.assert_frame_equal(seen.loc[train[inner_test], expected.columns], expected, check_names=False)
        root_expected = (
            models.EngagerHistory().fit(roots, y.loc[train].iloc[inner_train]).transform(roots, train[inner_test])
        )
        np.testing.assert_allclose(
            seen.loc[train[inner_test], "root_hist_known_share"], root_expected["hist_known_share"]
        )
    full = models.EngagerHistory().fit(pairs, y.loc[train]).transform(pairs, test)
    pd.testing.assert_frame_equal(model._augment(X.loc[test])[full.columns], full, check_names=False)


def test_engager_history_counts_and_leave_one_out():
    pairs = pd.DataFrame({"cascade_id": ["a", "a", "b", "b", "c"], "account_id": ["u1", "u2", "u1", "u3", "u1"]})
    y = pd.Series(["false", "true"], index=["a", "b"])
    history = models.EngagerHistory().fit(pairs, y)
    table = history.transform(pairs, pd.Index(["a", "b", "c"]))
    # test cascade c: u1 took part in one false and one true training cascade
    assert table.loc["c", "hist_false_log"] == pytest.approx(np.log1p(1))
    assert table.loc["c", "hist_true_log"] == pytest.approx(np.log1p(1))
    assert table.loc["c", "hist_known_share"] == 1.0
    # training cascade a: its own label is left out, so u1 only brings b's "true"; u2 has no other history
    assert table.loc["a", "hist_false_log"] == 0.0
    assert table.loc["a", "hist_true_log"] == pytest.approx(np.log1p(1))
    assert table.loc["a", "hist_known_share"] == 0.5


def test_no_cascade_model_input_is_an_id_or_absolute_time(small_platform):
    cascades, engagements = small_platform["cascades"], small_platform["engagements"]
    table = features.cascade_features(cascades, engagements)
    y = cascade_target(cascades, "is_misinformation").reindex(table.index)
    known = y.notna()
    model = models.CascadeModel(model="logreg")
    model.fit(
        table[known],
        y[known].astype(str),
        side=models.CascadeSideData(participants=features.participation(cascades, engagements)),
    )
    inputs = model._augment(table[known])
    features.assert_no_leaky_features(inputs)
    names = list(model.feature_names_in_)
    assert any(n.startswith("hist_") for n in names)
    for name in names:
        assert not name.endswith(("_id", "_at")) and name not in features.FORBIDDEN_FEATURE_NAMES
        assert not pd.api.types.is_datetime64_any_dtype(inputs[name])
    # every value is a function of relative time: no column looks like epoch seconds or a snowflake id
    assert float(np.nanmax(np.abs(inputs.to_numpy(dtype=float)))) < 1e8
    with pytest.raises(ValueError):
        features.assert_no_leaky_features(table.assign(root_account_id=1.0))
    with pytest.raises(ValueError):
        features.assert_no_leaky_features(table.assign(created_at=pd.Timestamp("2020-01-01")))


def test_early_detection_stage_and_figure(small_platform, tmp_path):
    canonical = tmp_path / "canonical"
    canonical.mkdir()
    for name, frame in small_platform.items():
        frame.to_parquet(canonical / f"{name}.parquet", index=False)
    account_table = features.account_features(small_platform["accounts"], small_platform["posts"])
    account_table.reset_index().to_parquet(tmp_path / "accounts_features.parquet", index=False)
    pd.DataFrame({"account_id": account_table.index, "bot_probability": np.nan}).to_parquet(
        tmp_path / "account_scores.parquet", index=False
    )
    run_cascade_features(
        canonical,
        tmp_path / "accounts_features.parquet",
        tmp_path / "account_scores.parquet",
        tmp_path / "cascades.parquet",
    )
    early = run_cascade_features_early(
        canonical,
        tmp_path / "accounts_features.parquet",
        tmp_path / "account_scores.parquet",
        tmp_path / "early.parquet",
        minutes=(10, 60),
        ks=(5,),
    )
    assert sorted(early["cutoff"].unique()) == ["10min", "60min", "k5"]
    files = []
    for model in ("logreg", "source_time_only"):
        out = tmp_path / f"cascade_early__random_5fold__{model}.json"
        run_early_detection(
            tmp_path / "cascades.parquet", tmp_path / "early.parquet", canonical, "random_5fold", model, [0], out
        )
        record = json.loads(out.read_text())
        assert record["task"] == "cascade_early" and record["model"] == model
        assert set(record["metrics_by_cutoff"]) == {"10min", "60min", "k5", "full"}
        for summary in record["metrics_by_cutoff"].values():
            assert set(summary) == {"accuracy", "roc_auc", "f1"}
            assert 0.0 <= summary["accuracy"]["mean"] <= 1.0
        files.append(out)
    model_curve = json.loads(files[0].read_text())["metrics_by_cutoff"]
    # the cascade model sees more at 60 minutes than at 10: its accuracy must not be identical at every cut-off
    assert len({round(v["accuracy"]["mean"], 6) for v in model_curve.values()}) > 1
    early_detection_figure(files, tmp_path / "early.png")
    assert (tmp_path / "early.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.shared_data
def test_twitter16_history_is_fold_safe_on_real_data():
    if not (T16_CANONICAL / "engagements.parquet").exists():
        pytest.skip(f"canonical Twitter16 tables not found at {T16_CANONICAL} (run the workflow for twitter16)")
    tables = {t: pd.read_parquet(T16_CANONICAL / f"{t}.parquet") for t in ("cascades", "engagements")}
    pairs = features.participation(tables["cascades"], tables["engagements"])
    y = cascade_target(tables["cascades"], "label").dropna().astype(str).sort_index()
    split = models.make_splits("random_5fold", y.to_numpy(), seed=0)[0]
    train, test = y.index[split.train], y.index[split.test]
    reference = models.EngagerHistory().fit(pairs, y.loc[train]).transform(pairs, test)
    # users recur across cascades, so test cascades do have training-fold history
    assert reference["hist_known_share"].mean() > 0.05
    leaked = models.EngagerHistory().fit(pairs, y).transform(pairs, test)  # what a leaky version would see
    assert not leaked.equals(reference)
    shuffled = y.copy()
    shuffled.loc[test] = np.random.default_rng(0).permutation(y.loc[test].to_numpy())
    pd.testing.assert_frame_equal(
        models.EngagerHistory().fit(pairs, shuffled.loc[train]).transform(pairs, test), reference
    )
