"""Helpers of the cascade-model rules (early detection, claim-text features); included by models.smk."""


def early_detection_models():
    """The cascade score model and the configured leakage baselines (early-detection curves)."""
    baselines = [m for m in MODELS["cascade"] if m in ("source_time_only", "source_user_only")]
    return [config["cascade"]["score_model"]] + baselines


def early_detection_files(dataset):
    """cascade_early metrics files of a dataset (protocols: cascade.early_protocols, default all)."""
    wanted = config["cascade"].get("early_protocols")
    return [
        f"results/{dataset}/metrics/cascade_early__{protocol}__{model}.json"
        for protocol in protocols(dataset, "cascade")
        if protocol in WITHIN_DATASET_PROTOCOLS and (wanted is None or protocol in wanted)
        for model in early_detection_models()
    ]


def text_cache_dir(wildcards):
    """MiniLM cache for claim-title features when cascade.text_features is on, else None."""
    return f"results/{wildcards.dataset}/cache/minilm" if config["cascade"].get("text_features") else None
