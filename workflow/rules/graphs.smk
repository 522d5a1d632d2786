rule graphs:
    input:
        tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
    output:
        reshares="results/{dataset}/graphs/reshare_edges.parquet",
        edges="results/{dataset}/graphs/account_edges.parquet",
        network="results/{dataset}/graphs/account_network.parquet",
        coordination="results/{dataset}/graphs/coengagement_pairs.parquet",
    params:
        canonical_dir=canonical_dir,
        window_s=config["graphs"]["coordination_window_s"],
    log:
        "logs/{dataset}/graphs.log",
    benchmark:
        "benchmarks/{dataset}/graphs.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/graphs.py"
