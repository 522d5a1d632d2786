"""Per-stage time and memory table from Snakemake benchmark files (spreadwatch.runstats)."""

from __future__ import annotations

import pandas as pd
import pytest

from spreadwatch import runstats

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def _bench(path, *rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "".join(f"{s}\t0:00:01\t{rss}\t1\t1\t1\t0\t0\t50\t{cpu}\n" for s, rss, cpu in rows))


@pytest.fixture
def bench_dir(tmp_path):
    d = tmp_path / "benchmarks" / "synthetic"
    _bench(d / "ingest.tsv", (2.0, 200.0, 1.5))
    _bench(d / "evaluate" / "bot__stratified_5fold__hgb.tsv", (10.0, 300.0, 9.0), (12.0, 310.0, 11.0))
    _bench(d / "evaluate" / "bot__stratified_5fold__logreg.tsv", (4.0, 250.0, 3.0))
    for i in range(1, 5):
        _bench(d / "account_features" / f"{i}-of-4.tsv", (1.0 * i, 100.0 + i, 1.0))
    _bench(d / "account_features" / "1-of-8.tsv", (99.0, 999.0, 99.0))  # left from an 8-shard run
    _bench(d / "report.tsv", (50.0, 3000.0, 40.0))  # the report cannot time itself
    return d


def test_read_benchmarks_one_row_per_job(bench_dir):
    jobs = runstats.read_benchmarks(bench_dir, shards=4)
    assert list(jobs.columns) == runstats.JOB_COLUMNS
    assert "report" not in set(jobs["rule"])
    assert sorted(jobs.loc[jobs["rule"] == "account_features", "job"]) == [f"{i}-of-4" for i in range(1, 5)]
    hgb = jobs.set_index("job").loc["bot__stratified_5fold__hgb"]
    assert hgb["seconds"] == pytest.approx(11.0) and hgb["max_rss_mb"] == 310.0  # mean time, max memory over repeats


def test_stage_table_sums_jobs_per_stage(bench_dir, tmp_path):
    table = runstats.run_stats(bench_dir, tmp_path / "run_stats.csv", shards=4)
    assert list(table.columns) == runstats.STAGE_COLUMNS
    assert table["stage"].tolist() == ["evaluate", "account_features", "ingest", "total"]  # slowest first
    stages = table.set_index("stage")
    assert stages.loc["evaluate", "jobs"] == 2 and stages.loc["evaluate", "seconds"] == pytest.approx(15.0)
    assert stages.loc["account_features", "seconds"] == pytest.approx(10.0)
    assert stages.loc["account_features", "longest_job_s"] == pytest.approx(4.0)
    assert stages.loc["account_features", "peak_rss_mb"] == pytest.approx(104.0)
    assert stages.loc["total", "seconds"] == pytest.approx(27.0) and stages.loc["total", "peak_rss_mb"] == 310.0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "run_stats.csv"), table, check_dtype=False)


def test_empty_benchmark_folder(tmp_path):
    assert runstats.stage_table(runstats.read_benchmarks(tmp_path)).empty
