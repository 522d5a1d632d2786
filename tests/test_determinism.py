"""Deterministic bytes at the unit level: model files and the report's time stamp (the whole tiny
workflow run twice is in tests/test_resume.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spreadwatch import models


def _data():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    y = (X["a"] + rng.normal(scale=0.5, size=120) > 0).astype(int).to_numpy()
    return X, y


@pytest.mark.parametrize("name", ["hgb", "logreg"])
def test_model_files_are_byte_reproducible_and_load(tmp_path, name):
    X, y = _data()
    first = models.SpreadClassifier(name, random_state=0).fit(X, y)
    second = models.SpreadClassifier(name, random_state=0).fit(X, y)
    junk = [object() for _ in range(100)]  # shift Python ids between the two saves
    models.save_model(first, tmp_path / "a.skops")
    models.save_model(second, tmp_path / "b.skops")
    del junk
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "b.skops").read_bytes()
    loaded = models.load_model(tmp_path / "a.skops")
    np.testing.assert_allclose(loaded.predict_proba(X), first.predict_proba(X))


def test_report_has_no_wall_clock_time_unless_asked(monkeypatch):
    from spreadwatch.report import _generated_note

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("SPREADWATCH_REPORT_TIME", raising=False)
    assert _generated_note() == ""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert _generated_note() == "Generated 1970-01-01 00:00 UTC; "
