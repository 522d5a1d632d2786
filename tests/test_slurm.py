"""The workflow on a real cluster: the tiny config with `shards: 4` through `--executor slurm` (the
workflow/profiles/slurm profile) on a single-node Slurm started by local-cluster/start.sh (`make slurm`),
compared with a local unsharded run; and the Kubernetes profile checked with --dry-run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SLURM_TARGETS, run_workflow_copy

pytestmark = pytest.mark.slow
START = REPO / "workflow" / "profiles" / "slurm" / "local-cluster" / "start.sh"
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


@pytest.fixture(scope="module")
def slurm_cluster():
    """The local single-node cluster, started if needed (idempotent); skips only when it cannot run."""
    if shutil.which("slurmctld") is None or shutil.which("sbatch") is None:
        pytest.skip("Slurm is not installed (`make slurm` installs slurm-wlm and munge as root)")
    if os.geteuid() != 0 and subprocess.run(["sinfo", "-h"], capture_output=True, check=False).returncode != 0:
        pytest.skip("no Slurm controller answers and starting one needs root")
    start = subprocess.run(
        ["bash", str(START)], capture_output=True, text=True, timeout=180, check=False, stdin=subprocess.DEVNULL
    )
    if start.returncode != 0:
        pytest.skip(f"the local Slurm daemons could not start: {(start.stdout + start.stderr)[-1500:]}")
    return start.stdout


def test_start_script_is_idempotent(slurm_cluster):
    again = subprocess.run(
        ["bash", str(START)], capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL
    )
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stdout
    state = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, check=True).stdout
    assert state.split() and state.split()[0] in ("idle", "mixed", "allocated")


def test_sharded_slurm_run_equals_local_run(slurm_cluster, unsharded_run, tmp_path):
    from shard_compare import assert_same_outputs

    cluster = run_workflow_copy(
        tmp_path,
        "--profile",
        "workflow/profiles/slurm",
        "--config",
        "shards=4",
        # small requests fit any CI runner; status checks every few seconds instead of the profile's
        # cluster-friendly intervals, so the test waits less
        "--default-resources",
        "mem_mb=1000",
        "runtime=30",
        "cpus_per_task=1",
        "--set-resources",
        "ingest:mem_mb=2000",
        "--slurm-init-seconds-before-status-checks",
        "2",
        "--seconds-between-status-checks",
        "2",
        "--latency-wait",
        "10",
        "--retries",
        "0",
        "--jobs",
        "4",
        "--slurm-keep-successful-logs",
        targets=SLURM_TARGETS,
    )
    # every job went through sbatch: one Slurm log per job, one per shard for the sharded rules
    logs = cluster / ".snakemake" / "slurm_logs"
    for rule in ("account_features_shard", "score_accounts_shard"):
        shard_logs = sorted(p.parent.name for p in (logs / f"rule_{rule}").glob("*/*.log"))
        assert shard_logs == [f"synthetic_{i}-of-4" for i in range(1, 5)], (rule, shard_logs)
    assert (logs / "rule_fit_account_model").is_dir() and (logs / "rule_gather_account_scores").is_dir()
    assert_same_outputs(cluster, unsharded_run, SLURM_TARGETS)


def test_kubernetes_profile_dry_run(tmp_path):
    pytest.importorskip("snakemake_executor_plugin_kubernetes")
    pytest.importorskip("snakemake_storage_plugin_fs")
    for item in ("Snakefile", "workflow", "configs"):
        source = REPO / item
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / item)
    run = subprocess.run(
        [
            str(SNAKEMAKE),
            "--profile",
            "workflow/profiles/kubernetes",
            "--dry-run",
            "--configfile",
            "configs/test.yaml",
            "--config",
            "shards=4",
            "--default-storage-prefix",
            str(tmp_path / "storage"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    out = run.stdout + run.stderr
    assert "account_features_shard" in out and "score_accounts_shard" in out
    for line in out.splitlines():
        if line.strip().startswith(("account_features_shard ", "score_accounts_shard ")):
            assert line.split()[-1] == "4", line
