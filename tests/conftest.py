"""Shared fixtures: paths, the shared-data root, and a small simulated platform."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_DATA = Path(os.environ.get("SPREADWATCH_DATA") or (REPO.parent / "shared" / "data"))


# ---- two test workers (`make test` runs pytest -n 2 --dist loadfile) -------------------------------------
# Each test module runs on one worker. The expensive workflow runs that several modules read (the clean
# tiny run, the desk's poisoned run) are built once per session for all workers: in the folder the
# workers share, under a file lock (`shared_build_dir`). The longest modules are collected first so that
# neither worker is left with a long tail; without -n this only reorders the modules.
LONGEST_FIRST = (
    "test_resume",
    "test_fuzz_workflow",
    "test_slurm",
    "test_desk",
    "test_shards",
    "test_portable_workflow",
    "test_desk_browser",
    "test_portable",
    "test_workflow",
    "test_desk_kill",
)


def pytest_collection_modifyitems(config, items):
    rank = {module: position for position, module in enumerate(LONGEST_FIRST)}
    # stable sort: the order of the tests inside a module is kept
    items.sort(key=lambda item: rank.get(item.module.__name__.rpartition(".")[2], len(rank)))


def shared_build_dir(tmp_path_factory) -> Path:
    """A folder every pytest-xdist worker of this session sees (the workers' common base temp), or the
    base temp without workers. Build shared things there under a ``filelock.FileLock``."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


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


# The Slurm test's targets: the two sharded stages and their gathers (every Slurm job costs a Snakemake
# start inside the job and a status poll; the rankings built on them are compared by the local sharded test)
SLURM_TARGETS = SHARD_TARGETS[:2]


def run_workflow_copy(target: Path, *args: str, timeout: int = 1500, targets=SHARD_TARGETS):
    """Run the real Snakemake (tiny config, ``targets``) in a fresh copy of the project at ``target``."""
    import subprocess
    import sys

    copy_project(target)
    snakemake = Path(sys.executable).with_name("snakemake")
    # targets first: `--config` takes every word after it
    run = subprocess.run(
        [str(snakemake), *targets, "--configfile", "configs/test.yaml", "--nolock", *args],
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
    """``spreadwatch run --cores 2 --configfile configs/test.yaml`` (the whole workflow) in a fresh copy,
    built once per session for all workers."""
    import json
    import subprocess
    import sys

    from filelock import FileLock

    root = shared_build_dir(tmp_path_factory)
    work, stored = root / "tiny_run", root / "tiny_run.checksums.json"
    with FileLock(str(root / "tiny_run.lock")):
        if not stored.exists():
            if work.exists():
                shutil.rmtree(work)
            work.mkdir()
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
            stored.write_text(json.dumps(results_checksums(work)))
    return TinyRun(work=work, checksums=json.loads(stored.read_text()))


@pytest.fixture(scope="session")
def unsharded_run(tiny_run) -> Path:
    """The unsharded side of the shard comparisons: the clean tiny run (local executor, shards: 1)."""
    return tiny_run.work
