include: "cascade_common.smk"


rule evaluate:
    input:
        features=lambda wc: f"results/{wc.dataset}/features/{'accounts' if wc.task == 'bot' else 'cascades'}.parquet",
        tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
    output:
        report(
            "results/{dataset}/metrics/{task}__{protocol}__{model}.json",
            caption="../report/metrics.rst",
            category="Metrics",
            subcategory="{dataset}",
        ),
    params:
        canonical_dir=canonical_dir,
        seeds=config["seeds"],
        target=lambda wc: cascade_target(wc.dataset),
        text_cache_dir=text_cache_dir,
        engager_bag=config["cascade"].get("engager_bag", False),
        root_history=config["cascade"].get("root_history", True),
    log:
        "logs/{dataset}/evaluate/{task}__{protocol}__{model}.log",
    benchmark:
        "benchmarks/{dataset}/evaluate/{task}__{protocol}__{model}.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/evaluate.py"


rule score_accounts:
    input:
        features="results/{dataset}/features/accounts.parquet",
        tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
    output:
        scores="results/{dataset}/scores/accounts.parquet",
        model="results/{dataset}/models/bot_model.skops",
    params:
        task="bot",
        canonical_dir=canonical_dir,
        model=config["bot"]["score_model"],
        seed=config["seeds"][0],
        target="label",
        model_source=config["bot"].get("model_source", "auto"),
        prior=config["bot"].get("prior"),
    log:
        "logs/{dataset}/score_accounts.log",
    benchmark:
        "benchmarks/{dataset}/score_accounts.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/score.py"


rule score_cascades:
    input:
        features="results/{dataset}/features/cascades.parquet",
        tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
    output:
        scores="results/{dataset}/scores/cascades.parquet",
        model="results/{dataset}/models/cascade_model.skops",
    params:
        task="cascade",
        canonical_dir=canonical_dir,
        model=config["cascade"]["score_model"],
        seed=config["seeds"][0],
        target=lambda wc: cascade_target(wc.dataset),
        text_cache_dir=text_cache_dir,
        engager_bag=config["cascade"].get("engager_bag", False),
        root_history=config["cascade"].get("root_history", True),
        model_source=config["cascade"].get("model_source", "auto"),
        credibility=[str(REGISTRY_FILE), str(DATA_ROOT)],
    log:
        "logs/{dataset}/score_cascades.log",
    benchmark:
        "benchmarks/{dataset}/score_cascades.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/score.py"


rule early_detection:
    input:
        features="results/{dataset}/features/cascades.parquet",
        early_features="results/{dataset}/features/cascades_early.parquet",
        tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
    output:
        report(
            "results/{dataset}/metrics/cascade_early__{protocol}__{model}.json",
            caption="../report/metrics.rst",
            category="Metrics",
            subcategory="{dataset}",
        ),
    params:
        canonical_dir=canonical_dir,
        seeds=config["seeds"],
        target=lambda wc: cascade_target(wc.dataset),
        text_cache_dir=text_cache_dir,
        engager_bag=config["cascade"].get("engager_bag", False),
        root_history=config["cascade"].get("root_history", True),
    log:
        "logs/{dataset}/early_detection/{protocol}__{model}.log",
    benchmark:
        "benchmarks/{dataset}/early_detection/{protocol}__{model}.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/early_detection.py"


rule early_detection_figure:
    input:
        lambda wc: early_detection_files(wc.dataset),
    output:
        report(
            "results/{dataset}/report/early_detection.png",
            caption="../report/early_detection.rst",
            category="Figures",
            subcategory="{dataset}",
        ),
    log:
        "logs/{dataset}/early_detection_figure.log",
    benchmark:
        "benchmarks/{dataset}/early_detection_figure.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/early_detection_figure.py"
