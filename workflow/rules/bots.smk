# Bot model across datasets: leave-one-dataset-out (BotometerLite's protocol); functions and the
# config switch are in bots_common.smk (see also configs/bots.yaml and docs/bot-model.md).
ruleorder: bot_leave_one_dataset_out > evaluate


rule bot_portable_profiles:
    input:
        lodo_raw_inputs,
    output:
        "results/cross_dataset/bot_profiles.parquet",
    params:
        datasets=LODO_DATASETS,
        registry=REGISTRY,
        data_root=str(DATA_ROOT),
    log:
        "logs/cross_dataset/bot_portable_profiles.log",
    benchmark:
        "benchmarks/cross_dataset/bot_portable_profiles.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/bot_portable_profiles.py"


rule bot_leave_one_dataset_out:
    input:
        "results/cross_dataset/bot_profiles.parquet",
    output:
        report(
            "results/{held_out}/metrics/bot__leave_one_dataset_out__{model}.json",
            caption="../report/metrics.rst",
            category="Metrics",
            subcategory="{held_out}",
        ),
        "results/{held_out}/scores/bot__leave_one_dataset_out__{model}.parquet",
    wildcard_constraints:
        held_out="|".join(LODO_DATASETS) or "none",
    params:
        seeds=config["seeds"],
        calibration=LODO.get("calibration"),
        min_shared=LODO.get("min_shared", 0.5),
    log:
        "logs/{held_out}/evaluate/bot__leave_one_dataset_out__{model}.log",
    benchmark:
        "benchmarks/{held_out}/evaluate/bot__leave_one_dataset_out__{model}.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/bot_leave_one_dataset_out.py"


rule bot_cross_dataset_summary:
    input:
        expand(
            "results/{held_out}/metrics/bot__leave_one_dataset_out__{model}.json",
            held_out=LODO_DATASETS,
            model=LODO_MODELS,
        ),
    output:
        report(
            "results/cross_dataset/bot_leave_one_dataset_out.csv",
            caption="../report/bot_cross_dataset.rst",
            category="Metrics",
            subcategory="cross-dataset",
        ),
    log:
        "logs/cross_dataset/bot_cross_dataset_summary.log",
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/bot_cross_dataset_summary.py"
