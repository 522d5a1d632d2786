"""Graphs stage: canonical tables in, reshare edges, network metrics and co-engagement pairs out."""

from __future__ import annotations

import logging
from pathlib import Path

from spreadwatch import graphs
from spreadwatch.ingest import read_canonical
from spreadwatch.pipeline._io import write_parquet

log = logging.getLogger(__name__)


def run_graphs(
    canonical_dir: str | Path,
    edges_out: str | Path,
    network_out: str | Path,
    coordination_out: str | Path,
    window_s: float = 60.0,
    reshares_out: str | Path | None = None,
) -> None:
    """Reshare edges (one per engagement, ``graphs.reshare_edges``), the account retweet network (edges +
    per-account metrics) and co-engagement pairs."""
    tables = read_canonical(canonical_dir, ("cascades", "engagements"))
    reshares = graphs.reshare_edges(tables["cascades"], tables["engagements"])
    edges = graphs.account_edges_from_reshares(reshares)
    metrics = graphs.account_network_metrics_from_edges(edges)  # sparse matrices, no million-edge DiGraph
    log.info("retweet network: %d accounts, %d edges", len(metrics), len(edges))
    pairs = graphs.co_engagement_pairs(tables["engagements"], window_s=window_s)
    log.info("co-engagement pairs within %.0f s: %d", window_s, len(pairs))
    if reshares_out is not None:
        write_parquet(reshares, reshares_out)
    write_parquet(edges, edges_out)
    write_parquet(metrics, network_out)
    write_parquet(pairs, coordination_out)
