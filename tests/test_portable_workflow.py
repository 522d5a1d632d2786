"""End to end: an unlabelled dataset in the generic format through the real Snakemake workflow gets
shipped-model bot scores, a complete ranking and a report that says where every score came from."""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest
import yaml
from conftest import REPO, SHARED_DATA, copy_project
from test_workflow import SNAKEMAKE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def unlabelled_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("unlabelled")
    copy_project(work)
    data = work / "data" / "unlabelled"
    data.mkdir(parents=True)
    source = REPO / "data" / "example_generic"
    accounts = pd.read_csv(source / "accounts.csv", dtype=str).drop(columns=["label", "label_source"])
    accounts.to_csv(data / "accounts.csv", index=False)
    cascades = pd.read_csv(source / "cascades.csv", dtype=str).drop(
        columns=["label", "is_misinformation", "label_source"]
    )
    cascades.to_csv(data / "cascades.csv", index=False)
    for name in ("engagements", "posts", "follows"):
        (data / f"{name}.csv").write_bytes((source / f"{name}.csv").read_bytes())
    registry = yaml.safe_load((work / "configs" / "datasets.yaml").read_text())
    registry["datasets"]["unlabelled"] = {
        "format": "generic",
        "root": "data/unlabelled",
        "files": {t: f"{t}.csv" for t in ("accounts", "posts", "cascades", "engagements", "follows")},
        "tasks": ["bot", "cascade"],
        "protocols": {"bot": ["stratified_5fold"], "cascade": ["random_5fold"]},
        "description": "example_generic without any label",
    }
    (work / "configs" / "datasets.yaml").write_text(yaml.safe_dump(registry, sort_keys=False))
    config = yaml.safe_load((work / "configs" / "test.yaml").read_text())
    config["datasets"] = ["unlabelled"]
    config["data_root"] = str(SHARED_DATA)  # credibility lists when present; the run must not need them
    (work / "configs" / "unlabelled.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    run = subprocess.run(
        [str(SNAKEMAKE), "--cores", "2", "--configfile", "configs/unlabelled.yaml", "--nolock"],
        check=False,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return work / "results" / "unlabelled", accounts


def test_unlabelled_accounts_get_shipped_bot_probabilities(unlabelled_run):
    out, accounts = unlabelled_run
    scores = pd.read_parquet(out / "scores" / "accounts.parquet")
    with_fields = accounts[["followers_count", "friends_count", "statuses_count"]].notna().all(axis=1).sum()
    scored = scores["bot_probability"].notna().sum()
    assert scored >= 0.95 * with_fields
    assert set(scores["score_source"]) <= {"shipped_model", "not_scored"}
    assert scores["model_id"].str.startswith("portable-bot-").all()
    card = json.loads((out / "models" / "bot_model.skops.json").read_text())
    assert card["score_source"] == "shipped_model" and card["n_scored"] == scored


def test_ranking_and_report_are_complete_and_show_sources(unlabelled_run):
    out, _ = unlabelled_run
    ranked = pd.read_csv(out / "ranked_accounts.csv", dtype={"account_id": str})
    assert len(ranked) > 0 and ranked["rank"].is_monotonic_increasing
    assert "bot_score_source" in ranked
    scored = ranked["bot_score_source"] == "shipped_model"
    assert ranked.loc[scored, "bot_probability"].notna().all()
    html = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert "shipped_model" in html and "expected bot share" in html.lower()
    cascades = pd.read_parquet(out / "scores" / "cascades.parquet")
    assert {"score_source", "label_source", "credibility_label", "model_id"} <= set(cascades.columns)
