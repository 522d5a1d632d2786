# Per-stage time and peak memory of a dataset's jobs (spreadwatch.runstats), for the report's run
# summary. Benchmark files are not rule outputs, so this rule waits for every file the report reads
# (and so for every job upstream of it) and then reads benchmarks/{dataset}/.


rule run_stats:
    input:
        run_stats_inputs,
    output:
        "benchmarks/{dataset}/run_stats.csv",
    params:
        bench_dir=lambda wildcards: f"benchmarks/{wildcards.dataset}",
        shards=SHARDS,
    log:
        "logs/{dataset}/run_stats.log",
    benchmark:
        "benchmarks/{dataset}/run_stats.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/run_stats.py"
