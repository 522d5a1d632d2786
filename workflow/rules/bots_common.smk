# Inputs and switches of workflow/rules/bots.smk (leave-one-dataset-out bot evaluation): off unless
# the config key `leave_one_dataset_out.datasets` lists datasets (see configs/bots.yaml and docs/bot-model.md).
LODO = config.get("leave_one_dataset_out") or {}
LODO_DATASETS = sorted(LODO.get("datasets") or [])
LODO_MODELS = list(LODO.get("models") or ["hgb"])


def check_lodo_datasets():
    problems = []
    for name in LODO_DATASETS:
        if name not in REGISTRY:
            problems.append(f"leave_one_dataset_out: dataset {name!r} is not in {REGISTRY_FILE}")
            continue
        try:
            resolve_files(name, REGISTRY[name], DATA_ROOT)
        except DatasetNotAvailable as error:
            problems.append(str(error))
    if problems:
        raise WorkflowError("\n".join(problems))


check_lodo_datasets()


def bot_cross_dataset_outputs():
    """Metrics of every held-out dataset and model, plus the summary table (empty when switched off)."""
    if not LODO_DATASETS:
        return []
    return expand(
        "results/{held_out}/metrics/bot__leave_one_dataset_out__{model}.json",
        held_out=LODO_DATASETS,
        model=LODO_MODELS,
    ) + ["results/cross_dataset/bot_leave_one_dataset_out.csv"]


def lodo_raw_inputs(wildcards):
    return sorted(
        str(path) for name in LODO_DATASETS for path in resolve_files(name, REGISTRY[name], DATA_ROOT).values()
    )
