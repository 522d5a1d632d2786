"""Odd datasets through the WHOLE workflow (issue 14): no engagements, a header-only engagements file,
one account, one class, no follows, no domains, a latin-1 accounts file, an empty follows file.

Every dataset must finish (a stated skip, never a crash): the run exits 0, every report exists, the
data card reconciles, and the report states what was skipped and why.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import copy_project
from odd_datasets import write_odd_datasets

pytestmark = pytest.mark.slow
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


@pytest.fixture(scope="module")
def odd_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("odd")
    copy_project(work)
    names = write_odd_datasets(work)
    run = subprocess.run(
        [str(SNAKEMAKE), "--cores", "2", "--configfile", "configs/odd.yaml", "--keep-going", "--nolock"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    return work, names, run


def test_every_odd_dataset_finishes(odd_run):
    work, names, run = odd_run
    assert run.returncode == 0, run.stderr[-6000:]
    for name in names:
        assert (work / "results" / name / "report" / "index.html").exists(), name


def test_odd_datasets_reconcile(odd_run):
    work, names, _ = odd_run
    for name in names:
        card = json.loads((work / "results" / name / "canonical" / "datacard.json").read_text())
        rejected = pd.read_parquet(work / "results" / name / "canonical" / "rejected.parquet")
        for table, c in card["counts"].items():
            assert c["read"] == c["accepted"] + c["rejected"], (name, table)
            assert (rejected["table"] == table).sum() == c["rejected"], (name, table)


def test_reports_state_the_skips(odd_run):
    work, _, _ = odd_run

    def report(name: str) -> str:
        return (work / "results" / name / "report" / "index.html").read_text(encoding="utf-8")

    assert "empty file" in report("empty_follows")
    assert "decoded as latin-1" in report("latin1_accounts")
    for name in ("one_class", "one_account"):
        assert "needs two classes" in report(name) or "not enough labels" in report(name), name
    for name in ("no_engagements", "header_only_engagements"):
        assert "no engagements" in report(name).lower(), name
