"""Shared fixtures: paths, the shared-data root, and a small simulated platform."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_DATA = Path(os.environ.get("SPREADWATCH_DATA") or (REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"shared datasets not found at {SHARED_DATA} (set SPREADWATCH_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def small_platform():
    """A small simulated platform validated into canonical tables (seeded, so deterministic)."""
    from spreadwatch.schema import validate_tables
    from spreadwatch.simulate import SimulationConfig, simulate_platform

    tables = simulate_platform(SimulationConfig(n_accounts=1500, days=5, seed=3))
    report = validate_tables(tables)
    assert len(report.rejected) == 0, report.problems()
    return report.tables


# ---- sharded and cluster workflow runs (tests/test_shards.py, tests/test_slurm.py) ---------------------
# The outputs a sharded run must reproduce: account features and scores (the sharded stages), the
# rankings built on them, and the bot and two-window metrics.
SHARD_TARGETS = (
    "results/synthetic/features/accounts.parquet",
    "results/synthetic/scores/accounts.parquet",
    "results/synthetic/ranked_accounts.csv",
    "results/synthetic/ranked_domains.csv",
    "results/synthetic/metrics/bot__stratified_5fold__hgb.json",
    "results/synthetic/metrics/rank__two_window__combined.json",
)


def run_workflow_copy(target: Path, *args: str, timeout: int = 1500):
    """Run the real Snakemake (tiny config, SHARD_TARGETS) in a fresh copy of the project at ``target``."""
    import shutil
    import subprocess
    import sys

    for item in ("Snakefile", "workflow", "configs"):
        source = REPO / item
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target / item)
    snakemake = Path(sys.executable).with_name("snakemake")
    # targets first: `--config` takes every word after it
    run = subprocess.run(
        [str(snakemake), *SHARD_TARGETS, "--configfile", "configs/test.yaml", "--nolock", *args],
        cwd=target,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-6000:]
    return target


@pytest.fixture(scope="session")
def unsharded_run(tmp_path_factory) -> Path:
    """SHARD_TARGETS of the tiny config, unsharded, with the local executor."""
    return run_workflow_copy(tmp_path_factory.mktemp("unsharded"), "--cores", "2")
