"""Snakemake script: ingest one dataset into the canonical tables (spreadwatch.ingest)."""

from pathlib import Path

from spreadwatch.ingest import ingest_dataset
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    ingest_dataset(
        snakemake.wildcards.dataset,  # noqa: F821
        snakemake.params.entry,  # noqa: F821
        out_dir=Path(snakemake.output.datacard).parent,  # noqa: F821
        data_root=snakemake.params.data_root,  # noqa: F821
        raw_dir=snakemake.params.raw_dir,  # noqa: F821
    )
