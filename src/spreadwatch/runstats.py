"""Run statistics: the time and peak memory of each workflow job, from Snakemake's ``benchmark:`` files.

Every rule writes ``benchmarks/{dataset}/<rule>[/<job>].tsv`` (columns ``s``, ``max_rss`` in MB,
``cpu_time``, ...; one row per repeat). ``read_benchmarks`` turns a dataset's files into one row per
job; ``stage_table`` sums them per rule (sharded jobs and the evaluation jobs of a rule together) for
the report's run summary.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from spreadwatch.safe_csv import write_csv

JOB_COLUMNS = ["rule", "job", "seconds", "cpu_seconds", "max_rss_mb"]
STAGE_COLUMNS = ["stage", "jobs", "seconds", "longest_job_s", "cpu_seconds", "peak_rss_mb"]
_SHARD = re.compile(r"^(\d+)-of-(\d+)$")


def read_benchmarks(
    bench_dir, exclude: tuple[str, ...] = ("report", "run_stats"), shards: int | None = None
) -> pd.DataFrame:
    """One row per benchmark file under ``bench_dir`` (one dataset's folder).

    Columns out: rule (first path part, ``.tsv`` dropped), job (the rest: e.g. ``bot__stratified_5fold__hgb``
    or a shard ``2-of-4``; empty for one-job rules), seconds (mean over repeats), cpu_seconds,
    max_rss_mb (maximum over repeats). Rules in ``exclude`` are left out (the report cannot time itself);
    with ``shards`` given, shard files of another shard count (left from an earlier run) are too.
    Sorted by rule, job."""
    rows = []
    for path in sorted(Path(bench_dir).rglob("*.tsv")):
        parts = path.relative_to(bench_dir).with_suffix("").parts
        rule, job = parts[0], "/".join(parts[1:])
        if rule in exclude:
            continue
        shard = _SHARD.match(job)
        if shards is not None and shard and int(shard.group(2)) != shards:
            continue
        frame = pd.read_csv(path, sep="\t")
        if frame.empty:
            continue
        rss = pd.to_numeric(frame.get("max_rss"), errors="coerce")
        cpu = pd.to_numeric(frame.get("cpu_time", pd.Series(dtype=float)), errors="coerce")
        rows.append(
            {
                "rule": rule,
                "job": job,
                "seconds": float(pd.to_numeric(frame["s"], errors="coerce").mean()),
                "cpu_seconds": float(cpu.mean()) if len(cpu) else float("nan"),
                "max_rss_mb": float(rss.max()) if rss is not None else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=JOB_COLUMNS).sort_values(["rule", "job"], kind="stable").reset_index(drop=True)


def stage_table(jobs: pd.DataFrame) -> pd.DataFrame:
    """Per rule: jobs, seconds (sum over its jobs), longest_job_s, cpu_seconds (sum), peak_rss_mb (max over
    its jobs). Rows sorted by seconds (descending), then stage; a last ``total`` row sums seconds and CPU
    seconds and takes the largest peak (jobs run in parallel, so the sum is not the wall time)."""
    if jobs.empty:
        return pd.DataFrame(columns=STAGE_COLUMNS)
    grouped = jobs.groupby("rule", sort=True)
    table = (
        pd.DataFrame(
            {
                "jobs": grouped.size(),
                "seconds": grouped["seconds"].sum(),
                "longest_job_s": grouped["seconds"].max(),
                "cpu_seconds": grouped["cpu_seconds"].sum(min_count=1),
                "peak_rss_mb": grouped["max_rss_mb"].max(),
            }
        )
        .rename_axis("stage")
        .reset_index()
    )
    table = table.sort_values(["seconds", "stage"], ascending=[False, True], kind="stable")
    total = {
        "stage": "total",
        "jobs": int(table["jobs"].sum()),
        "seconds": table["seconds"].sum(),
        "longest_job_s": table["longest_job_s"].max(),
        "cpu_seconds": table["cpu_seconds"].sum(min_count=1),
        "peak_rss_mb": table["peak_rss_mb"].max(),
    }
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    for column in ("seconds", "longest_job_s", "cpu_seconds"):
        table[column] = table[column].round(2)
    table["peak_rss_mb"] = table["peak_rss_mb"].round(1)
    return table[STAGE_COLUMNS]


def run_stats(bench_dir, out_csv, shards: int | None = None) -> pd.DataFrame:
    """Write ``stage_table(read_benchmarks(bench_dir))`` to ``out_csv`` and return it."""
    table = stage_table(read_benchmarks(bench_dir, shards=shards))
    Path(out_csv).parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, out_csv)
    return table
