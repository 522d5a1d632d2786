# Per-stage time and peak memory of a dataset's jobs (spreadwatch.runstats), for the report's run
# summary. Benchmark files are not rule outputs, so this rule waits for every file the report reads
# (and so for every job upstream of it) and then reads benchmarks/{dataset}/.


def run_stats_inputs(wildcards):
    d = wildcards.dataset
    files = [
        f"results/{d}/canonical/datacard.json",
        f"results/{d}/metrics/rank_summary.json",
        f"results/{d}/scores/accounts.parquet",
        f"results/{d}/scores/cascades.parquet",
        f"results/{d}/features/accounts.parquet",
        f"results/{d}/ranked_accounts.csv",
        f"results/{d}/ranked_domains.csv",
        f"results/{d}/models/bot_model.skops",
        f"results/{d}/models/cascade_model.skops",
        f"results/{d}/graphs/coengagement_pairs.parquet",
    ]
    files += metric_files(d) + ranking_metric_files(d)
    if early_detection_files(d):
        files.append(f"results/{d}/report/early_detection.png")
    return files


rule run_stats:
    input:
        run_stats_inputs,
    output:
        "results/{dataset}/metrics/run_stats.csv",
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
