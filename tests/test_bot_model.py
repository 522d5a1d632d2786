"""Bot-likeness model: name model, portable features, calibration, prior adjustment and the
leave-one-dataset-out protocol (tiny constructed tables), plus one real cross-dataset run."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from spreadwatch import features, models
from spreadwatch.pipeline import cross_dataset


def _accounts(names, **columns):
    frame = pd.DataFrame(
        {
            "account_id": pd.array([str(i) for i in range(len(names))], dtype="string"),
            "screen_name": pd.array(names, dtype="string"),
        }
    )
    for key, values in columns.items():
        frame[key] = values
    return frame


def test_name_model_scores_random_handles_below_ordinary_ones_and_is_json():
    ordinary = ["maria_rossi", "giulia_bianchi", "marco_verdi", "anna_ferrari", "luca_romano"] * 20
    model = features.fit_name_model(pd.Series(ordinary, dtype="string"))
    json.dumps(model)  # plain lists and ints: storable without pickle
    scores = features.name_log_likelihood(model, pd.Series(["mario_rossi", "xq7zk29vbw", pd.NA], dtype="string"))
    assert scores[0] > scores[1] + 1.0
    assert np.isnan(scores[2])


def test_profile_features_include_likelihoods_and_ratios():
    accounts = _accounts(
        ["anna_bianchi", "qz81kx0plm", "marco_rossi"],
        name=pd.array(["Anna Bianchi", "qz", "Marco"], dtype="string"),
        followers_count=pd.array([100, 1, 50], dtype="Int64"),
        friends_count=pd.array([100, 500, 40], dtype="Int64"),
        statuses_count=pd.array([1000, 5, 300], dtype="Int64"),
    )
    table = features.profile_features(accounts)
    assert {"screen_name_likelihood", "name_likelihood", "statuses_followers_ratio", "name_screen_name_match"} <= set(
        table.columns
    )
    assert table.loc["0", "name_screen_name_match"] == 1.0 and table.loc["1", "name_screen_name_match"] == 0.0
    assert table.loc["0", "followers_friends_ratio"] == 0.0
    assert table.loc["1", "screen_name_digits"] == 3
    features.assert_no_leaky_features(table)


def test_portable_features_map_feature_table_aliases():
    hays = pd.DataFrame(
        {
            "account_id": pd.array(["g:1", "g:2"], dtype="string"),
            "f_follower": [10.0, 1000.0],
            "f_friend": [10.0, 5.0],
            "f_status": [3.0, 7.0],
            "f_verified": [0.0, 1.0],
            "f_bio_len": [0.0, 42.0],
        }
    )
    table = features.portable_profile_features(hays)
    assert table.loc["g:2", "log_followers_count"] == pytest.approx(np.log1p(1000))
    assert table.loc["g:1", "followers_friends_ratio"] == 0.0
    assert list(table["verified"]) == [0.0, 1.0]
    assert list(table["description_length"]) == [0.0, 42.0]
    assert not any(c.startswith("f_") for c in table.columns)


def test_adjust_prior_is_bayes_rule_on_the_odds():
    p = np.array([0.0, 0.2, 0.5, 0.9, 1.0, np.nan])
    same = models.adjust_prior(p, 0.5, 0.5)
    assert np.allclose(same[:5], p[:5]) and np.isnan(same[5])
    shifted = models.adjust_prior([0.5], train_prior=0.5, target_prior=0.15)
    assert shifted[0] == pytest.approx(0.15)  # an undecided score takes the target prior
    assert np.all(np.diff(models.adjust_prior(p[:5], 0.6, 0.15)) >= 0)  # order is kept
    with pytest.raises(ValueError):
        models.adjust_prior(p, 0.0, 0.15)


def test_calibration_metrics_known_values():
    out = models.calibration_metrics(np.array([1, 0, 1, 0]), np.array([1.0, 0.0, 0.5, 0.5]))
    assert out["brier"] == pytest.approx(0.125)
    assert out["ece"] == pytest.approx(0.0)
    worst = models.calibration_metrics(np.array([0, 0]), np.array([1.0, 1.0]))
    assert worst["ece"] == pytest.approx(1.0)


def _separable(n=400, seed=0):
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.4, "bot", "human")
    X = pd.DataFrame({"a": rng.normal(size=n) + 1.5 * (y == "bot"), "b": rng.normal(size=n)})
    return X, y


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_calibrated_classifier_is_saved_safely_and_explained(tmp_path, method):
    X, y = _separable()
    model = models.SpreadClassifier("hgb", random_state=0, calibration=method).fit(X, y)
    proba = model.predict_proba(X)
    assert np.allclose(proba.sum(axis=1), 1) and proba.min() >= 0
    models.save_model(model, tmp_path / "m.skops")
    loaded = models.load_model(tmp_path / "m.skops")
    assert np.allclose(loaded.predict_proba(X), proba)
    reasons = models.explain(loaded, X.head(5), positive_index=int(np.flatnonzero(loaded.classes_ == "bot")[0]), top=2)
    assert set(reasons["reason_1_feature"]) <= {"a", "b"}
    with pytest.raises(ValueError, match="calibration"):
        models.SpreadClassifier("hgb", calibration="platt").fit(X, y)


def test_calibration_brings_probabilities_to_the_observed_rate():
    # an rf with few, deep trees is over-confident; isotonic calibration on inner folds corrects it
    X, y = _separable(n=2000, seed=1)
    test_X, test_y = _separable(n=2000, seed=2)
    raw = models.SpreadClassifier("rf", random_state=0).fit(X, y)
    cal = models.SpreadClassifier("rf", random_state=0, calibration="isotonic").fit(X, y)
    column = int(np.flatnonzero(raw.classes_ == "bot")[0])
    ece_raw = models.calibration_metrics(test_y == "bot", raw.predict_proba(test_X)[:, column])["ece"]
    ece_cal = models.calibration_metrics(test_y == "bot", cal.predict_proba(test_X)[:, column])["ece"]
    assert ece_cal < ece_raw


def _lodo_table():
    """Three datasets: A and B share features f1, f2; C has only f1; B repeats one account of A."""
    rng = np.random.default_rng(0)
    frames = []
    for name, n, has_f2 in (("A", 200, True), ("B", 200, True), ("C", 200, False)):
        y = np.where(np.arange(n) % 2 == 0, "bot", "human")
        frame = pd.DataFrame(
            {
                "account_id": [f"{name}{i}" for i in range(n)],
                "dataset": name,
                "label": y,
                "id_kind": "user_id",
                "screen_name_key": [f"{name.lower()}_{i}" for i in range(n)],
                "f1": rng.normal(size=n) + 2.0 * (y == "bot"),
                "f2": rng.normal(size=n) if has_f2 else np.nan,
            }
        )
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table.loc[table["account_id"] == "B0", "account_id"] = "A0"  # the same user in A and B
    table.loc[table["account_id"] == "B1", "screen_name_key"] = "a_1"  # the same handle in A and B
    return table


def test_lodo_feature_plan_uses_common_features_and_drops_unrelated_sets():
    table = _lodo_table()
    assert models.lodo_feature_plan(table, "A") == (["f1"], ["B", "C"], [])
    # with min_shared 1.0, C (which lacks f2) no longer qualifies as training data for A
    assert models.lodo_feature_plan(table, "A", min_shared=1.0) == (["f1", "f2"], ["B"], ["C"])


def test_leave_one_dataset_out_removes_shared_accounts_and_keeps_provenance():
    table = _lodo_table()
    record, proba = models.leave_one_dataset_out(table, "A", model="logreg", seeds=[0, 1])
    assert record["protocol"] == "leave_one_dataset_out" and record["held_out"] == "A"
    assert record["train_rows_removed_as_overlap"] == 2
    assert record["n_train"] == 398 and record["n_test"] == 200
    assert record["train_sources"] == {"B": {"bot": 99, "human": 99}, "C": {"bot": 100, "human": 100}}
    assert record["features"] == ["f1"] and record["positive_class"] == "bot"
    assert record["metrics"]["roc_auc"]["n"] == 2 and record["metrics"]["roc_auc"]["mean"] > 0.85
    assert list(proba.columns) == ["seed_0", "seed_1"] and len(proba) == 200
    # a held-out set with one class: accuracy is reported, ROC AUC is not
    one_class = table[~((table["dataset"] == "C") & (table["label"] == "human"))]
    record_c, _ = models.leave_one_dataset_out(one_class, "C", model="logreg", seeds=[0])
    assert record_c["metrics"]["roc_auc"]["n"] == 0 and record_c["metrics"]["accuracy"]["n"] == 1


def test_leave_one_dataset_out_on_an_unlabelled_dataset_is_skipped_not_a_crash(tmp_path):
    table = _lodo_table()
    table.loc[table["dataset"] == "A", "label"] = pd.NA
    record, proba = models.leave_one_dataset_out(table, "A", model="logreg", seeds=[0])
    assert record["n_test"] == 0 and "no bot/human labels" in record["skipped"] and len(proba) == 0
    profiles = tmp_path / "profiles.parquet"
    table.to_parquet(profiles)
    cross_dataset.run_bot_leave_one_dataset_out(
        profiles, "B", "logreg", [0], tmp_path / "m.json", predictions_out=tmp_path / "p.parquet"
    )
    held = pd.read_parquet(tmp_path / "p.parquet")
    assert len(held) == 200 and set(held["label"]) == {"bot", "human"} and "seed_0" in held


def test_portable_profiles_and_summary(tmp_path):
    a = _accounts(
        ["anna", "bob77"],
        label=pd.array(["human", "bot"], dtype="string"),
        followers_count=pd.array([5, 6], dtype="Int64"),
        id_kind="user_id",
    )
    b = pd.DataFrame(
        {
            "account_id": pd.array(["g:1"], dtype="string"),
            "label": pd.array(["bot"], dtype="string"),
            "f_follower": [3.0],
            "id_kind": "row",
        }
    )
    table = cross_dataset.portable_profiles({"b": b, "a": a})
    assert list(table["dataset"]) == ["a", "a", "b"]
    assert list(table.columns[:5]) == list(models.LODO_META_COLUMNS)
    assert table["screen_name_key"].tolist()[:2] == ["anna", "bob77"]
    assert table.loc[2, "log_followers_count"] == pytest.approx(np.log1p(3))


@pytest.mark.shared_data
def test_real_leave_one_dataset_out_rtbust(shared_data):
    """Real data: rtbust held out, trained on botwiki, twibot22 sample and NBC trolls (profile features)."""
    from spreadwatch.ingest import load_registry, load_with_adapter

    registry = load_registry("configs/datasets.yaml")
    names = ["cresci_rtbust_2019", "botwiki_2019", "twibot22_sample_1000", "nbc_russian_trolls"]
    accounts = {n: load_with_adapter(n, registry[n], shared_data).tables["accounts"] for n in names}
    table = cross_dataset.portable_profiles(accounts)
    record, _ = models.leave_one_dataset_out(table, "cresci_rtbust_2019", model="hgb", seeds=[0])
    assert record["n_test"] == 693 and record["class_counts"] == {"bot": 353, "human": 340}
    assert "screen_name_likelihood" in record["features"] and "account_age_days" not in record["features"]
    # better than chance out of domain (BotometerLite reports 0.60 on this set)
    assert 0.52 < record["metrics"]["roc_auc"]["mean"] < 0.95


def test_cross_dataset_summary_averages_two_class_sets(tmp_path):
    table = _lodo_table()
    paths = []
    for held_out, frame in (("A", table), ("C", table[~((table["dataset"] == "C") & (table["label"] == "human"))])):
        record, _ = models.leave_one_dataset_out(frame, held_out, model="logreg", seeds=[0])
        paths.append(tmp_path / held_out / "bot__leave_one_dataset_out__logreg.json")
        models.write_metrics(record, paths[-1])
    summary = cross_dataset.run_bot_cross_dataset_summary(paths, tmp_path / "summary.csv")
    assert list(summary["held_out"]) == ["A", "C", "mean (two-class held-out sets)"]
    assert summary.loc[2, "roc_auc"] == pytest.approx(summary.loc[0, "roc_auc"])  # C has one class
    assert (tmp_path / "summary.csv").exists()


def test_calibrated_and_small_model_names():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    assert isinstance(models.make_estimator("rf_isotonic"), CalibratedClassifierCV)
    small = models.make_estimator("hgb_small")
    assert isinstance(small, HistGradientBoostingClassifier) and small.max_iter < 100
    wrapped = models.make_estimator("hgb_small_sigmoid")
    assert isinstance(wrapped, CalibratedClassifierCV) and wrapped.method == "sigmoid"
    with pytest.raises(ValueError):
        models.make_estimator("svm_isotonic")
