"""Shared fixtures: paths, the shared-data root, and a small simulated platform."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_DATA = Path(os.environ.get("SPREADWATCH_DATA") or (REPO.parent / "shared" / "data"))


# ---- two test workers (`make test` runs pytest -n 2 --dist loadgroup) ------------------------------------
# Tests that share an expensive session or module fixture must run on one worker, or each worker would
# build the fixture again: every test is grouped by its module, except the users of the clean tiny run
# (conftest.tiny_run) and of the desk's poisoned workflow, which form one group each. The longest groups
# are collected first so that neither worker is left with a long tail. Without -n the groups only
# reorder the modules.
SHARED_RUN_GROUPS = {
    "tiny_run": ("test_workflow", "test_resume", "test_shards", "test_slurm"),
    "desk": ("test_desk", "test_desk_browser", "test_desk_kill"),
}
LONGEST_FIRST = ("tiny_run", "test_fuzz_workflow", "desk", "test_portable_workflow", "test_portable")


def _test_group(item) -> str:
    module = item.module.__name__.rpartition(".")[2]
    for group, modules in SHARED_RUN_GROUPS.items():
        if module in modules:
            return group
    return module


def pytest_collection_modifyitems(config, items):
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_test_group(item)))
    rank = {group: position for position, group in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(_test_group(item), len(rank)))  # stable: test order within a group kept


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
    import subprocess
    import sys

    copy_project(target)
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


# One clean run of the whole tiny workflow serves every test that reads a clean run's outputs
# (test_workflow.py, test_resume.py, and the unsharded side of test_shards.py / test_slurm.py): a second
# identical run would only repeat the same deterministic computation.
TINY_RUN_ARGS = ("--cores", "2", "--configfile", "configs/test.yaml")


def copy_project(target: Path) -> None:
    """Copy what a workflow run needs (Snakefile, workflow/, configs/) into ``target``."""
    import shutil

    for item in ("Snakefile", "workflow", "configs"):
        source = REPO / item
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target / item)


def results_checksums(work: Path) -> dict[str, str]:
    """sha256 of every file under ``work/results`` (paths relative to ``work``)."""
    import hashlib

    out = {}
    for path in sorted((work / "results").rglob("*")):
        if path.is_file():
            out[str(path.relative_to(work))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@dataclass(frozen=True)
class TinyRun:
    """A finished clean run of the tiny workflow: its project copy and the checksums taken right after it."""

    work: Path
    checksums: dict


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> TinyRun:
    """``spreadwatch run --cores 2 --configfile configs/test.yaml`` (the whole workflow) in a fresh copy."""
    import subprocess
    import sys

    work = tmp_path_factory.mktemp("tiny_run")
    copy_project(work)
    run = subprocess.run(
        [sys.executable, "-m", "spreadwatch", "run", *TINY_RUN_ARGS],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return TinyRun(work=work, checksums=results_checksums(work))


@pytest.fixture(scope="session")
def unsharded_run(tiny_run) -> Path:
    """The unsharded side of the shard comparisons: the clean tiny run (local executor, shards: 1)."""
    return tiny_run.work
