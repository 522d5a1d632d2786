"""Kill-and-resume and byte-determinism of the tiny workflow (configs/test.yaml), in temporary copies.

- ``test_tiny_workflow_twice_gives_identical_bytes``: two clean runs give the same sha256 for every
  file under results/ (no wall-clock time, reproducible model files).
- ``test_kill_and_resume_matches_clean_run``: ``spreadwatch run`` is SIGKILLed (whole process group)
  once some outputs exist; ``spreadwatch run --resume`` with the same arguments finishes, and every
  file under results/ has the clean run's checksum.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_workflow import copy_project

pytestmark = pytest.mark.slow
SNAKEMAKE_ARGS = ["--cores", "2", "--configfile", "configs/test.yaml"]


def checksums(work: Path) -> dict[str, str]:
    """sha256 of every file under ``work/results``."""
    out = {}
    for path in sorted((work / "results").rglob("*")):
        if path.is_file():
            out[str(path.relative_to(work))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _run(work: Path, *extra: str, timeout: int = 1500) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "spreadwatch", "run", *extra, *SNAKEMAKE_ARGS],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("clean")
    copy_project(work)
    run = _run(work)
    assert run.returncode == 0, run.stderr[-4000:]
    return checksums(work)


def test_tiny_workflow_twice_gives_identical_bytes(clean_run, tmp_path):
    copy_project(tmp_path)
    run = _run(tmp_path)
    assert run.returncode == 0, run.stderr[-4000:]
    again = checksums(tmp_path)
    assert sorted(again) == sorted(clean_run)
    differing = sorted(path for path in clean_run if again[path] != clean_run[path])
    assert differing == [], differing
    assert any(path.endswith(".skops") for path in clean_run)
    assert any(path.endswith("report/index.html") for path in clean_run)


def test_kill_and_resume_matches_clean_run(clean_run, tmp_path):
    copy_project(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "spreadwatch", "run", *SNAKEMAKE_ARGS],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    marker = tmp_path / "results" / "synthetic" / "canonical" / "datacard.json"
    deadline = time.monotonic() + 900
    try:
        while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert process.poll() is None, "the run ended before it could be killed"
        time.sleep(1.0)  # let the next jobs start, so that some outputs are incomplete
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    partial = checksums(tmp_path)
    assert 0 < len(partial) < len(clean_run)
    assert any((tmp_path / ".snakemake" / "locks").iterdir()), "the kill should leave snakemake's lock behind"
    resumed = _run(tmp_path, "--resume")
    assert resumed.returncode == 0, resumed.stderr[-4000:]
    assert "--unlock" in resumed.stdout and "--rerun-incomplete" in resumed.stdout
    after = checksums(tmp_path)
    assert sorted(after) == sorted(clean_run)
    assert sorted(p for p in clean_run if after[p] != clean_run[p]) == []
