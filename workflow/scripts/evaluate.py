"""Snakemake script: evaluate one (task, protocol, model) and write its metrics JSON (spreadwatch.models)."""

from spreadwatch.pipeline.evaluate import run_evaluate
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    wc = snakemake.wildcards  # noqa: F821
    run_evaluate(
        wc.task,
        snakemake.input.features,
        snakemake.params.canonical_dir,  # noqa: F821
        wc.protocol,
        wc.model,
        list(snakemake.params.seeds),
        snakemake.output[0],  # noqa: F821
        target=snakemake.params.target,  # noqa: F821
        text_cache_dir=snakemake.params.get("text_cache_dir"),  # noqa: F821
        engager_bag=bool(snakemake.params.get("engager_bag", False)),  # noqa: F821
        root_history=bool(snakemake.params.get("root_history", True)),
    )  # noqa: F821
