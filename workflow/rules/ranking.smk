include: "ranking_common.smk"


rule rank:
    input:
        tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
        account_scores="results/{dataset}/scores/accounts.parquet",
        cascade_scores="results/{dataset}/scores/cascades.parquet",
        coordination="results/{dataset}/graphs/coengagement_pairs.parquet",
        reshares="results/{dataset}/graphs/reshare_edges.parquet",
        reviews=lambda wc: reviews_file(wc),
        reviews_db=lambda wc: reviews_db_file(wc),
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
        planted=expand("results/{{dataset}}/metrics/rank__planted_sources__{ranker}.json", ranker=RANKERS),
        evidence="results/{dataset}/ranked_evidence.json",
    params:
        canonical_dir=canonical_dir,
        metrics_dir=lambda wildcards, output: str(Path(output.summary).parent),
        weights=config["ranking"]["weights"],
        ks=config["ranking"]["ks"],
        top_n=config["ranking"].get("report_top_n", 50),
    log:
        "logs/{dataset}/rank.log",
    benchmark:
        "benchmarks/{dataset}/rank.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/rank.py"


rule two_window:
    input:
        tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
        account_scores="results/{dataset}/scores/accounts.parquet",
        cascade_scores="results/{dataset}/scores/cascades.parquet",
        reviews=reviews_file,
        reviews_db=reviews_db_file,
    output:
        metrics=expand("results/{{dataset}}/metrics/rank__two_window__{ranker}.json", ranker=RANKERS),
    params:
        canonical_dir=canonical_dir,
        rankers=RANKERS,
        weights=config["ranking"]["weights"],
        window_s=config["graphs"]["coordination_window_s"],
        two_window=config["ranking"].get("two_window", {}),
    log:
        "logs/{dataset}/two_window.log",
    benchmark:
        "benchmarks/{dataset}/two_window.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/two_window.py"


rule domain_eval:
    input:
        tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
        cascade_scores="results/{dataset}/scores/cascades.parquet",
        ratings=ratings_inputs,
    output:
        metrics=[
            "results/{dataset}/metrics/domains__{lst}__{ranker}.json".format(lst=lst, ranker=r, dataset="{dataset}")
            for lst in EXPERT_DOMAIN_LISTS
            for r in DOMAIN_RANKERS
        ],
    params:
        canonical_dir=canonical_dir,
        ratings=lambda wildcards: [config["registry"], str(DATA_ROOT)],
        lists=EXPERT_DOMAIN_LISTS,
    log:
        "logs/{dataset}/domain_eval.log",
    benchmark:
        "benchmarks/{dataset}/domain_eval.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/domain_eval.py"


# datasets whose adapter ships its own domain ratings (spreadwatch.adapters.AdapterTraits.domain_lists,
# e.g. the simulator's domain truth): ranked against their canonical domains table
if OWN_DOMAIN_LISTS:

    rule domain_eval_own_ratings:
        input:
            tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
            cascade_scores="results/{dataset}/scores/cascades.parquet",
            ratings=ratings_inputs,
        output:
            metrics=[
                "results/{dataset}/metrics/domains__{lst}__{ranker}.json".format(
                    lst=lst, ranker=r, dataset="{dataset}"
                )
                for lst in OWN_DOMAIN_LISTS
                for r in DOMAIN_RANKERS
            ],
        params:
            canonical_dir=canonical_dir,
            ratings=lambda wildcards, input: input.ratings[0],
            lists=OWN_DOMAIN_LISTS,
        log:
            "logs/{dataset}/domain_eval_own_ratings.log",
        benchmark:
            "benchmarks/{dataset}/domain_eval_own_ratings.tsv"
        conda:
            "../envs/spreadwatch.yaml"
        script:
            "../scripts/domain_eval.py"
