import numpy as np
import pandas as pd
import pytest

from spreadwatch import models


def _data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=n)
    X = pd.DataFrame({"signal": signal, "noise": rng.normal(size=n), "noise2": rng.normal(size=n)})
    y = np.where(signal + 0.5 * rng.normal(size=n) > 0, "bot", "human")
    return X, pd.Series(y)


@pytest.mark.parametrize("name", models.MODEL_NAMES)
def test_evaluate_gives_fold_spread_and_learns_the_signal(name):
    X, y = _data()
    record, oof = models.evaluate(X, y, task="bot", protocol="stratified_5fold", model=name, seeds=[0, 1])
    assert record["metrics"]["roc_auc"]["n"] == 10
    assert record["metrics"]["roc_auc"]["mean"] > 0.85
    assert record["metrics"]["roc_auc"]["sd"] > 0
    assert record["n_train"] + record["n_test"] == len(X)
    assert oof.notna().all().all()


def test_shuffled_labels_give_chance_auc():
    X, y = _data(seed=1)
    shuffled = pd.Series(np.random.default_rng(5).permutation(y.to_numpy()))
    record, _ = models.evaluate(X, shuffled, task="bot", protocol="stratified_5fold", model="logreg", seeds=[0])
    assert abs(record["metrics"]["roc_auc"]["mean"] - 0.5) < 0.1


def test_event_folds_never_split_an_event_and_time_split_respects_time():
    y = np.array(["a", "b"] * 50)
    groups = np.repeat(np.arange(20), 5)
    for split in models.make_splits("event_5fold", y, seed=0, groups=groups):
        assert not set(groups[split.train]) & set(groups[split.test])
    times = np.random.default_rng(0).permutation(100)
    (split,) = models.make_splits("time_split", y, seed=0, times=times)
    assert times[split.train].max() < times[split.test].min()
    (split,) = models.make_splits("upfd_20_10_70", y, seed=0)
    assert (len(split.train), len(split.val), len(split.test)) == (20, 10, 70)


def test_multiclass_metrics_have_per_class_f1():
    rng = np.random.default_rng(0)
    y = pd.Series(rng.choice(["false", "true", "unverified", "non-rumor"], size=300))
    X = pd.DataFrame({"x": (y == "false").astype(float) + rng.normal(scale=0.3, size=300), "z": rng.normal(size=300)})
    record, _ = models.evaluate(X, y, task="cascade", protocol="random_5fold", model="hgb", seeds=[0])
    assert {"f1_false", "f1_true", "f1_unverified", "f1_non-rumor", "accuracy"} <= set(record["metrics"])
    assert record["metrics"]["f1_false"]["mean"] > record["metrics"]["f1_true"]["mean"]


def test_explanations_point_at_the_informative_feature():
    X, y = _data()
    model = models.SpreadClassifier("hgb").fit(X, y)
    reasons = models.explain(model, X, positive_index=list(model.classes_).index("bot"))
    assert (reasons["reason_1_feature"] == "signal").mean() > 0.6
    # rows far from the median are explained by the signal, in the right direction
    extreme = X["signal"].idxmax()
    assert reasons.loc[extreme, "reason_1_effect"] > 0


def test_skops_roundtrip_and_untrusted_types_refused(tmp_path):
    X, y = _data()
    for name in models.MODEL_NAMES:
        model = models.SpreadClassifier(name).fit(X, y)
        path = tmp_path / f"{name}.skops"
        models.save_model(model, path)
        loaded = models.load_model(path)
        np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X))
    import os

    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    sio.dump(FunctionTransformer(func=os.system), tmp_path / "evil.skops")
    with pytest.raises(ValueError, match="untrusted"):
        models.load_model(tmp_path / "evil.skops")


def test_fit_refuses_leaky_columns():
    X, y = _data()
    with pytest.raises(ValueError, match="leaky"):
        models.SpreadClassifier().fit(X.assign(account_id=1.0), y)


def test_source_user_baseline_predicts_the_users_majority_label():
    X = pd.DataFrame({"source_user": ["u1", "u1", "u1", "u2", "u2", "u3"]})
    y = np.array(["fake", "fake", "real", "real", "real", "fake"])
    model = models.SourceUserBaseline().fit(X, y)
    proba = model.predict_proba(pd.DataFrame({"source_user": ["u1", "u2", "never-seen"]}))
    fake = list(model.classes_).index("fake")
    assert proba[0, fake] > 0.5 > proba[1, fake]
    assert proba[2, fake] == pytest.approx(0.5)  # the prior for an unseen user


def test_source_time_baseline_exploits_collection_period():
    times = np.r_[np.linspace(0, 10, 50), np.linspace(20, 30, 50)]
    y = np.array(["real"] * 50 + ["fake"] * 50)
    X = pd.DataFrame({"source_time_s": times})
    record, _ = models.evaluate(
        X,
        pd.Series(y),
        task="cascade",
        protocol="random_5fold",
        model="source_time_only",
        seeds=[0],
        make_classifier=lambda s: models.make_baseline("source_time_only", s),
    )
    assert record["metrics"]["accuracy"]["mean"] > 0.95


def test_binary_metrics_treat_bot_and_misinformation_as_the_positive_class():
    import numpy as np

    from spreadwatch.models import classification_metrics, positive_index

    assert positive_index(np.array(["bot", "human"])) == 0
    assert positive_index(np.array([False, True])) == 1
    assert positive_index(np.array(["fake", "real"])) == 0
    y = np.array(["bot", "bot", "human", "human", "human", "human"])
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.1, 0.9], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]])
    metrics = classification_metrics(y, proba, np.array(["bot", "human"]))
    # one of two bots found, no false alarm: F1 of the bot class is 2/3 (the human class would be 0.909)
    assert abs(metrics["f1"] - 2 / 3) < 1e-9
    assert metrics["roc_auc"] == (4 + 1 + 0.5) / 8  # bot scores 0.9 and 0.2 against humans 0.1-0.4


def test_a_column_empty_in_the_training_rows_does_not_break_any_model(tmp_path):
    """Early-detection folds can leave a feature without any value in the training rows (hgb's binning
    used to fail there); the column is set to 0 in training and prediction alike, and saving works."""
    import numpy as np
    import pandas as pd

    from spreadwatch import models

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"signal": rng.normal(size=60), "late_growth": np.nan})
    y = np.where(X["signal"] > 0, "misinformation", "other")
    test = X.assign(late_growth=rng.normal(size=60))  # values at prediction time are ignored, as in training
    for name in models.MODEL_NAMES:
        model = models.SpreadClassifier(model=name).fit(X, y)
        np.testing.assert_allclose(model.predict_proba(test), model.predict_proba(X))
        assert (model.predict(X) == y).mean() > 0.8
    models.save_model(model, tmp_path / "m.skops")
    np.testing.assert_allclose(models.load_model(tmp_path / "m.skops").predict_proba(X), model.predict_proba(X))
