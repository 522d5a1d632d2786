"""The metrics record type: one schema, validated on write and read, skipped as a status, one positive class."""

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO

from spreadwatch.evaluation import records
from spreadwatch.evaluation.records import (
    MetricsRecord,
    positive_class,
    positive_index,
    skipped_record,
)


def test_ok_record_round_trips_with_nan_as_null(tmp_path):
    record = MetricsRecord(
        task="bot",
        protocol="stratified_5fold",
        model="hgb",
        n_train=8,
        n_test=2,
        seeds=[0, 1],
        metrics={"roc_auc": {"mean": float("nan"), "sd": 0.0, "n": 2}},
        positive_class="bot",
    )
    records.write(record, tmp_path / "bot__stratified_5fold__hgb.json")
    data = json.loads((tmp_path / "bot__stratified_5fold__hgb.json").read_text())
    assert data["status"] == "ok" and data["metrics"]["roc_auc"]["mean"] is None and "skipped" not in data
    assert "held_out" not in data  # absent blocks are left out
    back = records.read(tmp_path / "bot__stratified_5fold__hgb.json")
    assert back.to_dict() == data and not back.skipped and back.summary("roc_auc") is None


def test_skipped_is_a_status_with_its_reason_kept_under_skipped(tmp_path):
    path = tmp_path / "cascade__event_5fold__hgb.json"
    records.write(skipped_record("cascade", "event_5fold", "hgb", "only 2 events", [0, 1]), path)
    data = json.loads(path.read_text())
    assert data == {
        "task": "cascade",
        "protocol": "event_5fold",
        "model": "hgb",
        "status": "skipped",
        "skipped": "only 2 events",
        "n_train": 0,
        "n_test": 0,
        "metrics": {},
        "seeds": [0, 1],
    }
    back = records.read(path)
    assert back.skipped and back.reason == "only 2 events"


def test_files_written_before_status_existed_still_read():
    old = {
        "task": "rank",
        "protocol": "two_window",
        "model": "fib",
        "n_train": 0,
        "n_test": 0,
        "metrics": {},
        "seeds": [],
        "skipped": "engagements have no time",
    }
    records.validate(old)
    assert MetricsRecord.from_dict(old).skipped
    ok = {k: v for k, v in old.items() if k != "skipped"}
    records.validate(ok)
    assert MetricsRecord.from_dict(ok).status == "ok"


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"task": "bot", "protocol": "p", "model": "m", "metrics": {}, "surprise": 1}, "surprise"),
        ({"task": "bot", "protocol": "p", "model": "m", "metrics": {}, "status": "done"}, "status"),
        ({"task": "bot", "protocol": "p", "model": "m", "metrics": {}, "status": "skipped"}, "skipped"),
        ({"task": "bot", "protocol": "p", "model": "m", "metrics": {"f1": {"sd": 1.0}}}, "metrics/f1"),
        ({"task": "bot", "protocol": "p", "model": "m", "metrics": {}, "n_test": -1}, "n_test"),
    ],
)
def test_schema_rejects_malformed_records(tmp_path, bad, message):
    (tmp_path / "x.json").write_text(json.dumps(bad))
    with pytest.raises(ValueError, match=message):
        records.read(tmp_path / "x.json")


def test_the_record_type_refuses_inconsistent_states(tmp_path):
    with pytest.raises(ValueError, match="reason"):
        MetricsRecord(task="bot", protocol="p", model="m", status="skipped")
    with pytest.raises(ValueError, match="unknown keys"):
        records.write({"task": "bot", "protocol": "p", "model": "m", "metrics": {}, "typo_key": 1}, tmp_path / "y.json")
    assert not (tmp_path / "y.json").exists()


def test_positive_class_is_decided_once():
    assert positive_index(np.array(["bot", "human"])) == 0
    assert positive_index(np.array(["misinformation", "other"])) == 0
    assert positive_index(np.array(["fake", "real"])) == 0
    assert positive_index(np.array([False, True])) == 1
    assert positive_class(["false", "non-rumor", "true", "unverified"]) == "unverified"  # no positive: the last
    from spreadwatch import models, shards

    assert models.positive_index is positive_index
    pipeline_sources = "".join(p.read_text() for p in (REPO / "src/spreadwatch/pipeline").glob("*.py"))
    assert "_positive_class" not in pipeline_sources
    assert "positive_index" in Path(shards.__file__).read_text()


def test_workflow_schema_is_the_package_schema():
    workflow = REPO / "workflow" / "schemas" / "metrics.schema.json"
    assert json.loads(workflow.read_text()) == records.schema()
