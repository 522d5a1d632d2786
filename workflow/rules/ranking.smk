rule rank:
    input:
        tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
        account_scores="results/{dataset}/scores/accounts.parquet",
        cascade_scores="results/{dataset}/scores/cascades.parquet",
        coordination="results/{dataset}/graphs/coengagement_pairs.parquet",
    output:
        accounts=report(
            "results/{dataset}/ranked_accounts.csv",
            caption="../report/ranked_accounts.rst",
            category="Rankings",
            subcategory="{dataset}",
        ),
        domains=report(
            "results/{dataset}/ranked_domains.csv",
            caption="../report/ranked_domains.rst",
            category="Rankings",
            subcategory="{dataset}",
        ),
        summary="results/{dataset}/metrics/rank_summary.json",
    params:
        canonical_dir=canonical_dir,
        metrics_dir=lambda wildcards, output: str(Path(output.summary).parent),
        weights=config["ranking"]["weights"],
        ks=config["ranking"]["ks"],
    log:
        "logs/{dataset}/rank.log",
    benchmark:
        "benchmarks/{dataset}/rank.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/rank.py"
