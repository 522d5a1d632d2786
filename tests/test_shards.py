"""Sharding (spreadwatch.shards, config `shards: N`): stable shard assignment, and sharded account
features and bot scores equal to the unsharded ones, at stage level and through the real workflow."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from spreadwatch import shards
from spreadwatch.pipeline.features import run_account_features
from spreadwatch.pipeline.graphs import run_graphs
from spreadwatch.pipeline.score import run_score

# shards of a few ids under the fixed key: a change of hash would move every account of an existing run
PINNED = [0, 1, 1, 3, 3]


def test_shard_of_is_stable_and_partitions():
    ids = pd.Series([f"u{i}" for i in range(2000)])
    shard = shards.shard_of(ids, 4)
    assert shard.min() == 0 and shard.max() == 3
    assert np.bincount(shard).min() > 400  # roughly balanced
    # the same ids give the same shards under another hash seed, in another interpreter
    code = (
        "import pandas as pd; from spreadwatch.shards import shard_of; "
        "print(','.join(map(str, shard_of(pd.Series([f'u{i}' for i in range(2000)]), 4))))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "123"},
    )
    assert other.stdout.strip() == ",".join(map(str, shard))
    # pinned: a change of hash would move every account of an existing sharded run
    assert shards.shard_of(pd.Series(["u0", "u1", "u2", "12345", "bot_7"]), 4).tolist() == PINNED
    assert (shards.shard_of(ids, 1) == 0).all()
    with pytest.raises(ValueError):
        shards.shard_of(ids, 0)


def test_shard_names_round_trip():
    assert shards.shard_name(1, 4) == "2-of-4"
    assert shards.parse_shard_name("2-of-4") == (1, 4)


@pytest.fixture(scope="module")
def canonical(small_platform, tmp_path_factory):
    folder = tmp_path_factory.mktemp("canonical")
    for name, frame in small_platform.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    graphs = folder / "graphs"
    graphs.mkdir()
    run_graphs(folder, graphs / "edges.parquet", graphs / "network.parquet", graphs / "pairs.parquet")
    return folder


def test_write_shards_puts_every_row_in_exactly_one_shard(canonical, tmp_path):
    folders = shards.write_shards(canonical, tmp_path, 3)
    assert [f.name for f in folders] == ["1-of-3", "2-of-3", "3-of-3"]
    for table, key in shards.SHARDED_TABLES.items():
        whole = pd.read_parquet(canonical / f"{table}.parquet")
        parts = [pd.read_parquet(f / f"{table}.parquet") for f in folders]
        assert sum(len(p) for p in parts) == len(whole)
        for i, part in enumerate(parts):
            assert (shards.shard_of(part[key], 3) == i).all()
    # an account's posts and engagements are in its own shard
    accounts = [set(pd.read_parquet(f / "accounts.parquet")["account_id"].astype(str)) for f in folders]
    for i, folder in enumerate(folders):
        assert set(pd.read_parquet(folder / "posts.parquet")["account_id"].astype(str)) <= accounts[i]
    context = json.loads((tmp_path / "context.json").read_text())
    assert context["n_shards"] == 3 and set(context["name_models"]) <= {"screen_name", "name"}


@pytest.mark.slow
@pytest.mark.parametrize("model_source", ["in_domain", "shipped"])
def test_sharded_features_and_scores_equal_unsharded(canonical, tmp_path, model_source):
    g = canonical / "graphs"
    whole = tmp_path / "whole"
    run_account_features(canonical, g / "network.parquet", g / "pairs.parquet", whole / "features.parquet")
    run_score(
        "bot",
        whole / "features.parquet",
        canonical,
        "hgb",
        0,
        whole / "scores.parquet",
        whole / "bot_model.skops",
        target="label",
        model_source=model_source,
        prior=0.2,
    )

    n = 4
    folders = shards.write_shards(canonical, tmp_path / "shards", n)
    part_features = []
    for folder in folders:
        out = tmp_path / "features" / f"{folder.name}.parquet"
        shards.run_account_features_shard(
            folder, tmp_path / "shards" / "context.json", g / "network.parquet", g / "pairs.parquet", out
        )
        part_features.append(out)
    sharded = tmp_path / "sharded"
    shards.gather_account_features(part_features, sharded / "features.parquet")
    expected = pd.read_parquet(whole / "features.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(sharded / "features.parquet"), expected)

    card = shards.fit_account_model(
        sharded / "features.parquet",
        canonical,
        "hgb",
        0,
        sharded / "bot_model.skops",
        sharded / "folds.parquet",
        model_source=model_source,
        prior=0.2,
    )
    if model_source == "shipped":  # the same decision function as the unsharded path: the shipped model
        assert card["score_source"] == "shipped_model" and card["prior"] == 0.2 and card["n_scored"] > 0
    else:
        assert card["n_labelled"] > 0
    part_scores = []
    for folder in folders:
        out = tmp_path / "scores" / f"{folder.name}.parquet"
        shards.score_account_shard(
            sharded / "features.parquet",
            folder / "accounts.parquet",
            sharded / "bot_model.skops",
            sharded / "folds.parquet",
            out,
        )
        part_scores.append(out)
    shards.gather_account_scores(part_scores, sharded / "scores.parquet")
    pd.testing.assert_frame_equal(
        pd.read_parquet(sharded / "scores.parquet"), pd.read_parquet(whole / "scores.parquet")
    )
    assert json.loads((sharded / "bot_model.skops.json").read_text()) == json.loads(
        (whole / "bot_model.skops.json").read_text()
    )


@pytest.mark.slow
def test_sharded_workflow_equals_unsharded(unsharded_run, tmp_path):
    """The real workflow with shards: 4 (20 jobs instead of 9) writes the same rankings, scores and metrics."""
    from conftest import run_workflow_copy
    from shard_compare import assert_same_outputs

    sharded = run_workflow_copy(tmp_path, "--cores", "2", "--config", "shards=4")
    assert len(list((sharded / "results/synthetic/features/shards").glob("*-of-4.parquet"))) == 4
    assert len(list((sharded / "results/synthetic/scores/shards").glob("*-of-4.parquet"))) == 4
    assert_same_outputs(sharded, unsharded_run)
