"""Comparison of a sharded run's outputs with an unsharded run's (tests/test_shards.py, tests/test_slurm.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from conftest import SHARD_TARGETS


def assert_same_outputs(sharded: Path, unsharded: Path, targets=SHARD_TARGETS) -> None:
    """Every file of ``targets`` equal: tables frame-equal, metrics JSON equal."""
    for target in targets:
        a, b = sharded / target, unsharded / target
        assert a.exists(), a
        if target.endswith(".parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b), obj=target)
        elif target.endswith(".csv"):
            pd.testing.assert_frame_equal(pd.read_csv(a), pd.read_csv(b), obj=target)
        else:
            assert json.loads(a.read_text()) == json.loads(b.read_text()), target
