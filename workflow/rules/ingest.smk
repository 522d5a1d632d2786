rule simulate:
    output:
        expand("results/{{dataset}}/raw/{table}.parquet", table=TABLES),
    params:
        simulation=config["simulation"],
    log:
        "logs/{dataset}/simulate.log",
    benchmark:
        "benchmarks/{dataset}/simulate.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/simulate.py"


rule ingest:
    input:
        ingest_inputs,
    output:
        tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
        rejected="results/{dataset}/canonical/rejected.parquet",
        datacard=report(
            "results/{dataset}/canonical/datacard.json",
            caption="../report/datacard.rst",
            category="Data",
            subcategory="{dataset}",
        ),
    params:
        entry=lambda wildcards: REGISTRY[wildcards.dataset],
        data_root=str(DATA_ROOT),
        raw_dir=raw_dir,
    log:
        "logs/{dataset}/ingest.log",
    benchmark:
        "benchmarks/{dataset}/ingest.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/ingest.py"
