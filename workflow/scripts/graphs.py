"""Snakemake script: reshare edges, retweet network and co-engagement pairs (spreadwatch.graphs)."""

from spreadwatch.pipeline.graphs import run_graphs
from spreadwatch.runlog import script_logging

with script_logging(snakemake.log[0]):  # noqa: F821
    out = snakemake.output  # noqa: F821
    run_graphs(
        snakemake.params.canonical_dir,
        out.edges,
        out.network,
        out.coordination,  # noqa: F821
        window_s=snakemake.params.window_s,
        reshares_out=out.reshares,
    )  # noqa: F821
