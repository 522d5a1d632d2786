"""Snakemake script: per-stage time and memory table from the benchmark files (spreadwatch.runstats)."""

from spreadwatch.runlog import script_logging
from spreadwatch.runstats import run_stats

with script_logging(snakemake.log[0]):  # noqa: F821
    run_stats(snakemake.params.bench_dir, snakemake.output[0], shards=snakemake.params.shards)  # noqa: F821
