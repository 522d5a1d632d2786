"""Snakemake script: generate the synthetic platform (spreadwatch.simulate)."""

from pathlib import Path

from spreadwatch.runlog import script_logging
from spreadwatch.simulate import SimulationConfig, simulate_platform, write_tables

with script_logging(snakemake.log[0]) as log:  # noqa: F821
    config = SimulationConfig(**snakemake.params.simulation)  # noqa: F821
    log.info("simulating %s", config)
    tables = simulate_platform(config)
    write_tables(tables, Path(snakemake.output[0]).parent)  # noqa: F821
    log.info("wrote %s", {name: len(frame) for name, frame in tables.items()})
