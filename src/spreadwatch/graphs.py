"""Graphs: networkx propagation trees per cascade and the account-level retweet network.

Conventions
- A propagation graph is a ``nx.DiGraph`` with the node ``ROOT`` (the cascade's root post or news
  item) and one node per engagement (its ``engagement_id``); edges point from parent to child (the
  direction information flows). Node attributes: ``account`` and ``delay_s``. An engagement whose parent
  is missing (or cut away by an early-detection cut-off) hangs from ``ROOT``.
- The retweet network is a weighted ``nx.DiGraph`` over accounts: an edge ``u -> v`` with weight ``w``
  means ``v`` engaged ``w`` times with content posted or passed on by ``u``.
"""
from __future__ import annotations

from collections import deque

import networkx as nx
import numpy as np
import pandas as pd

ROOT = "ROOT"


def propagation_graph(engagements: pd.DataFrame, root_account: str | None = None) -> nx.DiGraph:
    """Build one cascade's tree. Columns in: engagement_id, parent_engagement_id, child_account_id, delay_s."""
    graph = nx.DiGraph()
    graph.add_node(ROOT, account=root_account, delay_s=0.0)
    ids = engagements["engagement_id"].to_numpy()
    known = set(ids)
    parents = engagements["parent_engagement_id"].to_numpy()
    accounts = engagements["child_account_id"].to_numpy()
    delays = engagements["delay_s"].to_numpy(dtype=float, na_value=np.nan)
    graph.add_nodes_from(
        (node, {"account": account, "delay_s": delay}) for node, account, delay in zip(ids, accounts, delays)
    )
    graph.add_edges_from(
        ((parent if (isinstance(parent, str) and parent in known) else ROOT), node)
        for node, parent in zip(ids, parents)
    )
    return graph


def propagation_graphs(cascades: pd.DataFrame, engagements: pd.DataFrame) -> dict[str, nx.DiGraph]:
    """One propagation graph per cascade (cascades without engagements get a lone ROOT)."""
    roots = cascades.set_index("cascade_id")["root_account_id"].to_dict()
    graphs = {}
    grouped = dict(tuple(engagements.groupby("cascade_id", sort=True)))
    for cascade_id in sorted(cascades["cascade_id"]):
        part = grouped.get(cascade_id, engagements.iloc[0:0])
        graphs[cascade_id] = propagation_graph(part, roots.get(cascade_id))
    return graphs


def tree_structure(graph: nx.DiGraph) -> dict[str, float]:
    """Size, depth, maximum breadth, root fan-out share and structural virality of a propagation tree.

    Structural virality (Goel et al. 2016) is the mean shortest-path distance over all node pairs of
    the undirected tree, computed in O(n) as the Wiener index sum over edges of s * (n - s) divided by
    n (n - 1) / 2, where s is the size of the subtree below the edge.
    """
    n = graph.number_of_nodes()
    depth = {ROOT: 0}
    order = [ROOT]
    queue = deque([ROOT])
    while queue:
        node = queue.popleft()
        for child in graph.successors(node):
            if child not in depth:
                depth[child] = depth[node] + 1
                order.append(child)
                queue.append(child)
    subtree = dict.fromkeys(order, 1)
    wiener = 0
    for node in reversed(order[1:]):
        size = subtree[node]
        wiener += size * (n - size)
        for parent in graph.predecessors(node):
            subtree[parent] += size
            break
    levels = np.bincount(np.fromiter(depth.values(), dtype=np.int64))
    root_children = graph.out_degree(ROOT)
    return {
        "size": float(n - 1),
        "depth": float(levels.size - 1),
        "max_breadth": float(levels[1:].max()) if levels.size > 1 else 0.0,
        "root_fanout_share": float(root_children / (n - 1)) if n > 1 else 0.0,
        "structural_virality": float(wiener / (n * (n - 1) / 2)) if n > 1 else 0.0,
    }


def retweet_network(engagements: pd.DataFrame, cascades: pd.DataFrame) -> nx.DiGraph:
    """Account-level network ``u -> v`` (v engaged with u), weight = number of engagements.

    The parent account of a root-level engagement defaults to the cascade's ``root_account_id``;
    engagements with no known parent account (news roots) are left out.
    """
    edges = account_edges(engagements, cascades)
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(edges[["source", "target", "weight"]].itertuples(index=False, name=None))
    return graph


def account_edges(engagements: pd.DataFrame, cascades: pd.DataFrame) -> pd.DataFrame:
    """Weighted account edges: columns source (engaged-with account), target (engager), weight."""
    roots = cascades.set_index("cascade_id")["root_account_id"]
    parent = engagements["parent_account_id"].fillna(engagements["cascade_id"].map(roots))
    edges = pd.DataFrame({"source": parent, "target": engagements["child_account_id"]}).dropna()
    edges = edges[edges["source"] != edges["target"]]
    weighted = edges.groupby(["source", "target"], sort=True).size().rename("weight").reset_index()
    return weighted.astype({"source": "string", "target": "string", "weight": "int64"})


def account_network_metrics(graph: nx.DiGraph) -> pd.DataFrame:
    """Per-account metrics of the retweet network.

    Columns out: account_id, reshares_received (weighted out-strength), reshares_made (weighted
    in-strength), n_amplified (distinct accounts engaged with), n_amplifiers (distinct engagers),
    reciprocity (share of the account's neighbours linked both ways), pagerank (on the
    "who reshares whom" direction, so frequently reshared accounts rank high).
    """
    if graph.number_of_nodes() == 0:
        return pd.DataFrame(
            columns=["account_id", "reshares_received", "reshares_made", "n_amplified", "n_amplifiers",
                     "reciprocity", "pagerank"]
        )
    nodes = sorted(graph.nodes)
    out_strength = dict(graph.out_degree(weight="weight"))
    in_strength = dict(graph.in_degree(weight="weight"))
    pagerank = nx.pagerank(graph.reverse(copy=False), weight="weight", max_iter=200, tol=1e-8)
    rows = []
    for node in nodes:
        successors = set(graph.successors(node))
        predecessors = set(graph.predecessors(node))
        neighbours = successors | predecessors
        rows.append(
            (
                node,
                out_strength.get(node, 0),
                in_strength.get(node, 0),
                len(predecessors),
                len(successors),
                len(successors & predecessors) / len(neighbours) if neighbours else 0.0,
                pagerank.get(node, 0.0),
            )
        )
    return pd.DataFrame(
        rows,
        columns=["account_id", "reshares_received", "reshares_made", "n_amplified", "n_amplifiers",
                 "reciprocity", "pagerank"],
    )


def co_engagement_pairs(engagements: pd.DataFrame, window_s: float = 60.0, max_neighbours: int = 30) -> pd.DataFrame:
    """Pairs of accounts that engaged the same cascade within ``window_s`` seconds of each other.

    Columns out: account_a, account_b (a < b), n_cascades (distinct cascades where they co-engaged
    within the window). Each engagement is compared with at most ``max_neighbours`` following ones
    in time order, which bounds the cost on very large cascades.
    """
    frame = engagements[["cascade_id", "child_account_id", "delay_s"]].dropna()
    frame = frame.sort_values(["cascade_id", "delay_s"], kind="stable").reset_index(drop=True)
    cascade = frame["cascade_id"].to_numpy()
    account = frame["child_account_id"].to_numpy().astype(str)
    delay = frame["delay_s"].to_numpy(dtype=float)
    parts = []
    for shift in range(1, max_neighbours + 1):
        if shift >= len(frame):
            break
        same = (cascade[shift:] == cascade[:-shift]) & (delay[shift:] - delay[:-shift] <= window_s)
        if not same.any():
            break
        a, b = account[:-shift][same], account[shift:][same]
        keep = a != b
        a, b = a[keep], b[keep]
        first = a < b
        parts.append(
            pd.DataFrame(
                {"account_a": np.where(first, a, b), "account_b": np.where(first, b, a),
                 "cascade_id": cascade[:-shift][same][keep]}
            )
        )
    if not parts:
        return pd.DataFrame({"account_a": pd.Series(dtype="string"), "account_b": pd.Series(dtype="string"),
                             "n_cascades": pd.Series(dtype="int64")})
    pairs = pd.concat(parts, ignore_index=True).drop_duplicates()
    counted = pairs.groupby(["account_a", "account_b"], sort=True).size().rename("n_cascades").reset_index()
    return counted.astype({"account_a": "string", "account_b": "string", "n_cascades": "int64"})
