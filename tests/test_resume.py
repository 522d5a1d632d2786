"""Kill-and-resume and byte-determinism of the tiny workflow (configs/test.yaml), in temporary copies.

``test_kill_and_resume_matches_clean_run``: ``spreadwatch run`` is SIGKILLed (whole process group) once
some outputs exist; ``spreadwatch run --resume`` with the same arguments finishes, and every file under
results/ has the checksum of the session's clean run (conftest.tiny_run). Every file of the resumed copy
was computed by other processes than the clean run's, so equal checksums also show that two runs give
identical bytes (no wall-clock time, reproducible model files).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TINY_RUN_ARGS, copy_project, results_checksums

pytestmark = pytest.mark.slow


def _run(work: Path, *extra: str, timeout: int = 1500) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "spreadwatch", "run", *extra, *TINY_RUN_ARGS],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_kill_and_resume_matches_clean_run(tiny_run, tmp_path):
    clean_run = tiny_run.checksums
    assert any(path.endswith(".skops") for path in clean_run)
    assert any(path.endswith("report/index.html") for path in clean_run)
    copy_project(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "spreadwatch", "run", *TINY_RUN_ARGS],
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
    partial = results_checksums(tmp_path)
    assert 0 < len(partial) < len(clean_run)
    assert any((tmp_path / ".snakemake" / "locks").iterdir()), "the kill should leave snakemake's lock behind"
    resumed = _run(tmp_path, "--resume")
    assert resumed.returncode == 0, resumed.stderr[-4000:]
    assert "--unlock" in resumed.stdout and "--rerun-incomplete" in resumed.stdout
    after = results_checksums(tmp_path)
    assert sorted(after) == sorted(clean_run)
    assert sorted(p for p in clean_run if after[p] != clean_run[p]) == []
