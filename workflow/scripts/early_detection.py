"""Snakemake script: early-detection metrics of one (protocol, model) (spreadwatch.pipeline.early_detection)."""

from spreadwatch.pipeline.early_detection import run_early_detection
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    wc = snakemake.wildcards  # noqa: F821
    run_early_detection(
        snakemake.input.features,
        snakemake.input.early_features,  # noqa: F821
        snakemake.params.canonical_dir,
        wc.protocol,
        wc.model,  # noqa: F821
        list(snakemake.params.seeds),
        snakemake.output[0],  # noqa: F821
        target=snakemake.params.target,
        text_cache_dir=snakemake.params.text_cache_dir,  # noqa: F821
        engager_bag=bool(snakemake.params.get("engager_bag", False)),  # noqa: F821
        root_history=bool(snakemake.params.get("root_history", True)),
    )  # noqa: F821
