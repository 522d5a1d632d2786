# Sharding (config `shards: N`, N > 1): the account tables are split by a stable hash of the account id
# (spreadwatch.shards); account features and bot scores run once per shard, as separate jobs that a
# cluster runs in parallel, and are gathered into the same files an unsharded run writes, so every
# later rule is unchanged. The network metrics, co-engagement pairs and (with bot.text_features) the
# text family are whole-dataset computations and stay global inputs of each shard job.
if SHARDS > 1:

    ruleorder: gather_account_features > account_features
    ruleorder: gather_account_scores > score_accounts
    ruleorder: fit_account_model > score_accounts

    rule shard_tables:
        input:
            tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
        output:
            accounts=scatter.shards("results/{{dataset}}/canonical/shards/{scatteritem}/accounts.parquet"),
            posts=scatter.shards("results/{{dataset}}/canonical/shards/{scatteritem}/posts.parquet"),
            engagements=scatter.shards("results/{{dataset}}/canonical/shards/{scatteritem}/engagements.parquet"),
            context="results/{dataset}/canonical/shards/context.json",
        params:
            canonical_dir=canonical_dir,
        log:
            "logs/{dataset}/shard_tables.log",
        benchmark:
            "benchmarks/{dataset}/shard_tables.tsv"
        conda:
            "../envs/spreadwatch.yaml"
        script:
            "../scripts/shard_tables.py"

    rule account_text_features:
        input:
            tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
        output:
            "results/{dataset}/features/accounts_text.parquet",
        params:
            canonical_dir=canonical_dir,
            text_cache_dir=lambda wildcards: f"results/{wildcards.dataset}/cache/minilm",
        log:
            "logs/{dataset}/account_text_features.log",
        benchmark:
            "benchmarks/{dataset}/account_text_features.tsv"
        conda:
            "../envs/spreadwatch.yaml"
        script:
            "../scripts/account_text_features.py"

    rule account_features_shard:
        input:
            unpack(shard_feature_inputs),
        output:
            "results/{dataset}/features/shards/{scatteritem}.parquet",
        log:
            "logs/{dataset}/account_features/{scatteritem}.log",
        benchmark:
            "benchmarks/{dataset}/account_features/{scatteritem}.tsv"
        conda:
            "../envs/spreadwatch.yaml"
        script:
            "../scripts/account_features_shard.py"

    rule gather_account_features:
        input:
            gather.shards("results/{{dataset}}/features/shards/{scatteritem}.parquet"),
        output:
            "results/{dataset}/features/accounts.parquet",
        log:
            "logs/{dataset}/gather_account_features.log",
        benchmark:
            "benchmarks/{dataset}/gather_account_features.tsv"
        conda:
            "../envs/spreadwatch.yaml"
        script:
            "../scripts/gather_shards.py"

    rule fit_account_model:
        input:
            features="results/{dataset}/features/accounts.parquet",
            tables=expand("results/{{dataset}}/canonical/{table}.parquet", table=TABLES),
        output:
            model="results/{dataset}/models/bot_model.skops",
            fold_models=expand("results/{{dataset}}/models/bot_model_fold{k}.skops", k=range(5)),
            folds="results/{dataset}/models/bot_folds.parquet",
        params:
            canonical_dir=canonical_dir,
            model=config["bot"]["score_model"],
            seed=config["seeds"][0],
            model_source=config["bot"].get("model_source", "auto"),
            prior=config["bot"].get("prior"),
        log:
            "logs/{dataset}/fit_account_model.log",
        benchmark:
            "benchmarks/{dataset}/fit_account_model.tsv"
        conda:
            "../envs/spreadwatch.yaml"
        script:
            "../scripts/fit_account_model.py"

    rule score_accounts_shard:
        input:
            features="results/{dataset}/features/accounts.parquet",
            accounts="results/{dataset}/canonical/shards/{scatteritem}/accounts.parquet",
            model="results/{dataset}/models/bot_model.skops",
            fold_models=expand("results/{{dataset}}/models/bot_model_fold{k}.skops", k=range(5)),
            folds="results/{dataset}/models/bot_folds.parquet",
        output:
            "results/{dataset}/scores/shards/{scatteritem}.parquet",
        log:
            "logs/{dataset}/score_accounts/{scatteritem}.log",
        benchmark:
            "benchmarks/{dataset}/score_accounts/{scatteritem}.tsv"
        conda:
            "../envs/spreadwatch.yaml"
        script:
            "../scripts/score_accounts_shard.py"

    rule gather_account_scores:
        input:
            gather.shards("results/{{dataset}}/scores/shards/{scatteritem}.parquet"),
        output:
            "results/{dataset}/scores/accounts.parquet",
        log:
            "logs/{dataset}/gather_account_scores.log",
        benchmark:
            "benchmarks/{dataset}/gather_account_scores.tsv"
        conda:
            "../envs/spreadwatch.yaml"
        script:
            "../scripts/gather_shards.py"
