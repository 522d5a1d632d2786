rule account_features:
    input:
        tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
        network="results/{dataset}/graphs/account_network.parquet",
        coordination="results/{dataset}/graphs/coengagement_pairs.parquet",
    output:
        "results/{dataset}/features/accounts.parquet",
    params:
        canonical_dir=canonical_dir,
        text_cache_dir=lambda wildcards: (
            f"results/{wildcards.dataset}/cache/minilm" if config["bot"].get("text_features") else None
        ),
    log:
        "logs/{dataset}/account_features.log",
    benchmark:
        "benchmarks/{dataset}/account_features.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/account_features.py"


rule cascade_features:
    input:
        tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
        account_features="results/{dataset}/features/accounts.parquet",
        account_scores="results/{dataset}/scores/accounts.parquet",
    output:
        "results/{dataset}/features/cascades.parquet",
    params:
        canonical_dir=canonical_dir,
    log:
        "logs/{dataset}/cascade_features.log",
    benchmark:
        "benchmarks/{dataset}/cascade_features.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/cascade_features.py"


rule cascade_features_early:
    input:
        tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
        account_features="results/{dataset}/features/accounts.parquet",
        account_scores="results/{dataset}/scores/accounts.parquet",
    output:
        "results/{dataset}/features/cascades_early.parquet",
    params:
        canonical_dir=canonical_dir,
    log:
        "logs/{dataset}/cascade_features_early.log",
    benchmark:
        "benchmarks/{dataset}/cascade_features_early.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/cascade_features_early.py"
