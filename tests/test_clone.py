"""Every estimator takes hyperparameters in ``__init__`` and data in ``fit``, so ``sklearn.base.clone`` gives an
unfitted copy that, fitted on the same data, predicts exactly as the original."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from spreadwatch import models
from spreadwatch.evaluation.rumour import PublisherStyle, TextOnlyModel


def _fitted_attributes(estimator) -> list[str]:
    return sorted(k for k in vars(estimator) if k.endswith("_") and not k.startswith("_"))


def _cascades(n: int = 80, seed: int = 0):
    """Cascades whose label shows in a feature, in recurring engagers, in roots and in a text embedding."""
    rng = np.random.default_rng(seed)
    ids = pd.Index([f"c{i:03d}" for i in range(n)], name="cascade_id")
    y = pd.Series(np.where(np.arange(n) % 2 == 0, "misinformation", "other"), index=ids)
    X = pd.DataFrame(
        {"size": rng.normal(size=n) + (y == "misinformation") * 1.5, "depth": rng.normal(size=n)}, index=ids
    )
    pairs = pd.DataFrame(
        [
            (c, f"{'m' if label == 'misinformation' else 'o'}{rng.integers(0, 6)}")
            for c, label in y.items()
            for _ in range(3)
        ],
        columns=["cascade_id", "account_id"],
    )
    roots = pd.DataFrame({"cascade_id": ids, "account_id": [f"r{i % 7}" for i in range(n)]})
    text = pd.DataFrame(rng.normal(size=(n, 6)) + (y == "misinformation").to_numpy()[:, None], index=ids.astype(str))
    publishers = pd.Series([f"p{i % 5}" for i in range(n)], index=ids.astype(str))
    side = models.CascadeSideData(
        participants=pairs.drop_duplicates(), root_participants=roots, text_embeddings=text, publishers=publishers
    )
    return X, y, side


def _classifier_cases():
    X, y, side = _cascades()
    baseline_X = pd.DataFrame(
        {
            "source_time_s": np.arange(len(y), dtype=float) * 60.0 + (y == "other") * 7.0,
            "source_user": [f"u{i % 9}" for i in range(len(y))],
        },
        index=y.index,
    )
    return {
        "SpreadClassifier": (models.SpreadClassifier(model="logreg", random_state=3), X, y, {}),
        "SpreadClassifier calibrated": (models.SpreadClassifier(model="hgb", calibration="sigmoid"), X, y, {}),
        "SourceTimeBaseline": (models.SourceTimeBaseline(random_state=2), baseline_X, y, {}),
        "SourceUserBaseline": (models.SourceUserBaseline(smoothing=2.0), baseline_X, y, {}),
        "CascadeModel": (
            models.CascadeModel(model="logreg", random_state=1, engager_bag=True, text_components=3),
            X,
            y,
            {"side": side},
        ),
        "TextOnlyModel": (TextOnlyModel(components=3, psa=True), X, y, {"side": side}),
    }


@pytest.mark.parametrize("name", list(_classifier_cases()))
def test_clone_of_each_classifier_is_unfitted_and_predicts_like_the_original(name):
    estimator, X, y, fit_params = _classifier_cases()[name]
    train, test = X.index[:60], X.index[60:]
    original = estimator.fit(X.loc[train], y.loc[train], **fit_params)
    assert _fitted_attributes(original)
    copy = clone(original)
    assert _fitted_attributes(copy) == []
    assert copy.get_params() == original.get_params()
    copy.fit(X.loc[train], y.loc[train], **fit_params)
    np.testing.assert_array_equal(copy.predict_proba(X.loc[test]), original.predict_proba(X.loc[test]))


@pytest.mark.parametrize(
    "transformer",
    [models.EngagerHistory(smoothing=2.0), models.EngagerBag(C=5.0, inner_folds=3)],
    ids=["EngagerHistory", "EngagerBag"],
)
def test_clone_of_the_cascade_transformers_is_unfitted_and_transforms_like_the_original(transformer):
    _, y, side = _cascades()
    train, test = y.index[:60], y.index[60:]
    original = transformer.fit(side.participants, y.loc[train])
    copy = clone(original)
    assert _fitted_attributes(copy) == [] and copy.get_params() == original.get_params()
    copy.fit(side.participants, y.loc[train])
    pd.testing.assert_frame_equal(copy.transform(side.participants, test), original.transform(side.participants, test))


def test_clone_of_publisher_style_is_unfitted_and_transforms_like_the_original():
    side = _cascades()[2]
    train = side.text_embeddings.index[:60]
    original = PublisherStyle().fit(side.text_embeddings.loc[train], side.publishers)
    copy = clone(original)
    assert _fitted_attributes(copy) == []
    copy.fit(side.text_embeddings.loc[train], side.publishers)
    for a, b in zip(
        copy.transform(side.text_embeddings.index, side.publishers),
        original.transform(side.text_embeddings.index, side.publishers),
    ):
        np.testing.assert_array_equal(a, b)
