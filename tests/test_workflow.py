"""Runs the real Snakemake workflow on the tiny test config in a temporary copy of the project."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import copy_project

pytestmark = pytest.mark.slow
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


@pytest.fixture(scope="module")
def workflow_run(tiny_run):
    """results/synthetic of the session's clean tiny run (conftest.tiny_run)."""
    return tiny_run.work / "results" / "synthetic"


def test_contract_outputs_exist(workflow_run):
    out = workflow_run
    for path in (
        "canonical/accounts.parquet",
        "canonical/engagements.parquet",
        "canonical/rejected.parquet",
        "canonical/datacard.json",
        "scores/accounts.parquet",
        "scores/cascades.parquet",
        "ranked_accounts.csv",
        "ranked_domains.csv",
        "report/index.html",
        "metrics/bot__stratified_5fold__hgb.json",
        "metrics/bot__stratified_5fold__logreg.json",
        "metrics/cascade__random_5fold__hgb.json",
        "metrics/cascade__event_5fold__hgb.json",
        "metrics/cascade__time_split__hgb.json",
        "models/bot_model.skops",
    ):
        assert (out / path).exists(), path


def test_metrics_files_follow_the_contract(workflow_run):
    from spreadwatch.evaluation import records

    for path in sorted((workflow_run / "metrics").glob("*__*__*.json")):
        assert records.read(path).status in ("ok", "skipped")  # every file follows metrics.schema.json
        record = json.loads(path.read_text())
        task, protocol, model = path.stem.split("__")
        assert (record["task"], record["protocol"], record["model"]) == (task, protocol, model)
        if task in ("rank", "domains"):
            continue
        assert {"n_train", "n_test", "metrics", "seeds"} <= set(record)
        for key in ("roc_auc", "pr_auc", "f1", "accuracy"):
            assert set(record["metrics"][key]) >= {"mean", "sd"}
        assert record["seeds"] == [0, 1]
    bot = json.loads((workflow_run / "metrics/bot__stratified_5fold__hgb.json").read_text())
    assert 0.7 < bot["metrics"]["roc_auc"]["mean"] < 1.0


def test_ingest_reconciles(workflow_run):
    card = json.loads((workflow_run / "canonical/datacard.json").read_text())
    rejected = pd.read_parquet(workflow_run / "canonical/rejected.parquet")
    for table, c in card["counts"].items():
        assert c["read"] == c["accepted"] + c["rejected"]
        assert len(pd.read_parquet(workflow_run / f"canonical/{table}.parquet")) == c["accepted"]
        assert (rejected["table"] == table).sum() == c["rejected"]
    assert card["counts"]["accounts"]["read"] == 1500


def test_ranking_finds_planted_sources_far_above_chance(workflow_run):
    record = json.loads((workflow_run / "metrics/rank__planted_sources__combined.json").read_text())
    metrics = record["metrics"]
    chance = metrics["random_expectation"]
    assert chance < 0.05
    # the tiny platform plants fewer than 50 sources, so compare with the best achievable precision
    assert metrics["precision_at_k"]["10"] >= 0.5, metrics
    assert metrics["precision_at_k"]["50"] >= 0.5 * metrics["max_precision_at_k"]["50"], metrics
    assert metrics["r_precision"] >= 10 * chance, metrics
    ranked = pd.read_csv(workflow_run / "ranked_accounts.csv", dtype={"account_id": str})
    assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))
    assert ranked["score"].is_monotonic_decreasing
    assert {"fib_index", "bot_amplification", "coordination", "bot_probability", "top_reasons"} <= set(ranked.columns)


def test_scores_are_out_of_fold_probabilities(workflow_run):
    scores = pd.read_parquet(workflow_run / "scores/accounts.parquet")
    assert scores["account_id"].is_unique
    assert scores["bot_probability"].between(0, 1).all()
    assert {"reason_1_feature", "reason_1_effect"} <= set(scores.columns)


def test_report_is_self_contained(workflow_run):
    page = (workflow_run / "report/index.html").read_text()
    # one inline script (the table's sort/filter), allowed by its hash in the CSP
    assert page.lower().count("<script") == 1 and "script-src 'sha256-" in page
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", page), "external asset referenced"
    assert "data:image/png;base64," in page
    assert "id='ranked'" in page and "Flagged accounts (top 10)" in page and "Model cards" in page
    # the account pages come from the ranking stage's declared evidence file, one entry per page
    evidence = json.loads((workflow_run / "ranked_evidence.json").read_text())
    assert len(evidence) == 10 == page.count("class='acct'")


def test_two_window_and_domain_metrics_are_written(workflow_run):
    shares = {}
    for ranker in ("combined", "fib", "total_retweets", "followers"):
        record = json.loads((workflow_run / f"metrics/rank__two_window__{ranker}.json").read_text())
        metrics = record["metrics"]
        assert set(metrics["removed_share_at_k"]) == {"10", "100", "1000"}
        assert set(metrics["precision_at_k"]) == {"10", "100", "1000"}  # synthetic data plants sources
        curve = pd.DataFrame(record["curve"])
        assert curve["removed_share"].is_monotonic_increasing and curve["removed_share"].between(0, 1).all()
        shares[ranker] = metrics["removed_share_at_k"]["10"]
    assert max(shares.values()) > 0.1, shares  # removing ten window-1 accounts removes something
    for lst in ("credibility", "low_credibility"):
        record = json.loads((workflow_run / f"metrics/domains__{lst}__labelled.json").read_text())
        assert -1 <= record["metrics"]["spearman"] <= 1 and record["coverage"]["n_domains_ranked"] > 0


def test_missing_dataset_files_stop_the_workflow_with_one_clear_message(tmp_path):
    """A registry dataset whose files are absent: one message naming each path, no Python traceback."""
    copy_project(tmp_path)
    run = subprocess.run(
        [str(SNAKEMAKE), "-n", "--cores", "1", "--config", "datasets=[twitter15,upfd_politifact]"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "SPREADWATCH_DATA": str(tmp_path / "no-data-here")},
    )
    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert f"{tmp_path / 'no-data-here'}/misinfo/twitter15_16/twitter15_16_trees.tar.gz" in output
    assert "dataset 'upfd_politifact': file(s) not found" in output
    assert "Traceback" not in output
