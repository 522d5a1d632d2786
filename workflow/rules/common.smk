import os
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from spreadwatch.adapters import adapter_traits
from spreadwatch.evaluation import protocols as PROTOCOL_REGISTRY
from spreadwatch.ingest import DatasetNotAvailable, load_registry, resolve_data_root, resolve_files

validate(config, schema="../schemas/config.schema.yaml")

REGISTRY_FILE = config["registry"]
REGISTRY = load_registry(REGISTRY_FILE)
validate({"datasets": REGISTRY}, schema="../schemas/datasets.schema.yaml")
DATA_ROOT = resolve_data_root(config.get("data_root"))
DATASETS = list(config["datasets"])
TABLES = ["accounts", "domains", "cascades", "posts", "engagements", "follows"]
MODELS = {"bot": list(config["bot"]["models"]), "cascade": list(config["cascade"]["models"])}


def traits(dataset):
    """What the dataset's adapter says about it (``spreadwatch.adapters.AdapterTraits``): generated or
    read from files, and the domain ratings it ships."""
    return adapter_traits(REGISTRY[dataset]["format"])


def check_datasets():
    """Fail early, with one clear message per dataset, when a dataset is unknown or its files are missing."""
    problems = []
    for name in DATASETS:
        if name not in REGISTRY:
            problems.append(f"dataset {name!r} is not in {REGISTRY_FILE}; known: {', '.join(sorted(REGISTRY))}")
            continue
        if traits(name).generated:
            continue
        try:
            resolve_files(name, REGISTRY[name], DATA_ROOT)
        except DatasetNotAvailable as error:
            problems.append(str(error))
    if problems:
        raise WorkflowError("\n".join(problems))


check_datasets()


wildcard_constraints:
    dataset="|".join(DATASETS) or "none",
    task="bot|cascade",
    protocol="[a-z0-9_]+",
    model="[a-z0-9_]+",


def protocols(dataset, task):
    """Evaluation protocols a dataset supports for a task (registry), or none when it lacks the task."""
    entry = REGISTRY[dataset]
    if task not in entry.get("tasks", []):
        return []
    return list((entry.get("protocols") or {}).get(task, []))


WITHIN_DATASET_PROTOCOLS = set(PROTOCOL_REGISTRY.WITHIN_DATASET)  # spreadwatch.evaluation.protocols


def metric_files(dataset):
    """Metrics files of the within-dataset protocols (cross-dataset protocols have rules of their own)."""
    return [
        f"results/{dataset}/metrics/{task}__{protocol}__{model}.json"
        for task in ("bot", "cascade")
        for protocol in protocols(dataset, task)
        if protocol in WITHIN_DATASET_PROTOCOLS
        for model in MODELS[task]
    ]


def cascade_target(dataset):
    return REGISTRY[dataset].get("cascade_target", "is_misinformation")


def all_outputs():
    outputs = []
    for dataset in DATASETS:
        outputs += [
            f"results/{dataset}/canonical/datacard.json",
            f"results/{dataset}/scores/accounts.parquet",
            f"results/{dataset}/scores/cascades.parquet",
            f"results/{dataset}/ranked_accounts.csv",
            f"results/{dataset}/ranked_domains.csv",
            f"results/{dataset}/report/index.html",
        ]
        outputs += metric_files(dataset)
        if "cascade" in REGISTRY[dataset].get("tasks", []):
            outputs += early_detection_files(dataset)  # workflow/rules/models.smk
            outputs.append(f"results/{dataset}/report/early_detection.png")
    return outputs


def ingest_inputs(wildcards):
    if traits(wildcards.dataset).generated:
        return expand("results/{dataset}/raw/{table}.parquet", dataset=wildcards.dataset, table=TABLES)
    return [str(p) for p in resolve_files(wildcards.dataset, REGISTRY[wildcards.dataset], DATA_ROOT).values()]


def canonical_dir(wildcards, input):
    """Folder of the canonical tables, derived from the rule's inputs."""
    return str(Path(input.tables[0]).parent)


def raw_dir(wildcards, input):
    """Folder of the simulator's tables for a generated dataset, else None."""
    return str(Path(input[0]).parent) if traits(wildcards.dataset).generated else None


# ---- sharding (workflow/rules/shards.smk) -----------------------------------------------------------
SHARDS = int(config.get("shards", 1))


scattergather:
    shards=SHARDS,


wildcard_constraints:
    scatteritem=r"\d+-of-\d+",


def shard_feature_inputs(wildcards):
    """Inputs of one shard's account features: its tables, the dataset context and the global graphs."""
    folder = f"results/{wildcards.dataset}/canonical/shards/{wildcards.scatteritem}"
    inputs = {
        "accounts": f"{folder}/accounts.parquet",
        "posts": f"{folder}/posts.parquet",
        "engagements": f"{folder}/engagements.parquet",
        "context": f"results/{wildcards.dataset}/canonical/shards/context.json",
        "network": f"results/{wildcards.dataset}/graphs/account_network.parquet",
        "coordination": f"results/{wildcards.dataset}/graphs/coengagement_pairs.parquet",
    }
    if config["bot"].get("text_features"):
        inputs["text"] = f"results/{wildcards.dataset}/features/accounts_text.parquet"
    return inputs


def run_stats_inputs(wildcards):
    """Every file the report reads (so every job upstream of it): rule run_stats waits for them."""
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
