rule report:
    input:
        datacard="results/{dataset}/canonical/datacard.json",
        metrics=lambda wc: metric_files(wc.dataset),
        account_scores="results/{dataset}/scores/accounts.parquet",
        cascade_scores="results/{dataset}/scores/cascades.parquet",
        account_features="results/{dataset}/features/accounts.parquet",
        ranked_accounts="results/{dataset}/ranked_accounts.csv",
        ranked_domains="results/{dataset}/ranked_domains.csv",
        ranking_metrics=lambda wc: ranking_metric_files(wc.dataset),
        planted=expand("results/{{dataset}}/metrics/rank__planted_sources__{ranker}.json", ranker=RANKERS),
        evidence="results/{dataset}/ranked_evidence.json",
        run_stats="benchmarks/{dataset}/run_stats.csv",
        bot_model="results/{dataset}/models/bot_model.skops",
        cascade_model="results/{dataset}/models/cascade_model.skops",
        early_detection=lambda wc: (
            [f"results/{wc.dataset}/report/early_detection.png"] if early_detection_files(wc.dataset) else []
        ),
    output:
        html=report(
            "results/{dataset}/report/index.html",
            caption="../report/index.rst",
            category="Reports",
            subcategory="{dataset}",
        ),
        roc_bot=report(
            "results/{dataset}/report/roc_bot.png",
            caption="../report/roc.rst",
            category="Figures",
            subcategory="{dataset}",
        ),
        roc_cascade=report(
            "results/{dataset}/report/roc_cascade.png",
            caption="../report/roc.rst",
            category="Figures",
            subcategory="{dataset}",
        ),
        dismantling=report(
            "results/{dataset}/report/dismantling.png",
            caption="../report/dismantling.rst",
            category="Figures",
            subcategory="{dataset}",
        ),
    params:
        config=config,
        top_n=config["ranking"].get("report_top_n", 50),
    log:
        "logs/{dataset}/report.log",
    benchmark:
        "benchmarks/{dataset}/report.tsv"
    conda:
        "../envs/spreadwatch.yaml"
    script:
        "../scripts/report.py"
