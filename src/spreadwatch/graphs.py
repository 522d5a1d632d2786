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

    Edges are ``account_edges`` (``reshare_edges`` resolves the reshared account); engagements with no
    known reshared account (news roots) are left out.
    """
    edges = account_edges(engagements, cascades)
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(edges[["source", "target", "weight"]].itertuples(index=False, name=None))
    return graph


def resolve_parent_accounts(engagements: pd.DataFrame, cascades: pd.DataFrame | None = None) -> pd.Series:
    """The reshared account of every engagement: the one place "who reshared whom" is decided.

    Columns in: engagements (engagement_id, cascade_id, child_account_id, [parent_account_id],
    [parent_engagement_id]); cascades (cascade_id, root_account_id). The reshared account is
    ``parent_account_id`` where given, else the account of ``parent_engagement_id``, else the cascade's
    root account; missing where none is known (news-rooted cascades such as UPFD's). Returns a string
    Series on the engagements' index. Ingest stores it as ``parent_account_id``, so every later stage
    reads the same answer; on a resolved table this returns the column unchanged.
    """
    if "parent_account_id" in engagements:
        parent = engagements["parent_account_id"].astype("string")
    else:
        parent = pd.Series(pd.NA, index=engagements.index, dtype="string")
    if "parent_engagement_id" in engagements and parent.isna().any():
        by_engagement = (
            engagements.drop_duplicates("engagement_id").set_index("engagement_id")["child_account_id"].astype("string")
        )
        parent = parent.fillna(engagements["parent_engagement_id"].map(by_engagement).astype("string"))
    if cascades is not None and "root_account_id" in cascades and parent.isna().any():
        roots = cascades.drop_duplicates("cascade_id").set_index("cascade_id")["root_account_id"].astype("string")
        parent = parent.fillna(engagements["cascade_id"].map(roots).astype("string"))
    return parent


def fill_parent_accounts(cascades: pd.DataFrame, engagements: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Ingest's step: missing ``parent_account_id`` filled by ``resolve_parent_accounts`` (column dtype
    kept); returns (engagements, number of rows filled)."""
    resolved = resolve_parent_accounts(engagements, cascades)
    n_filled = int((resolved.notna() & engagements["parent_account_id"].isna()).sum())
    if not n_filled:
        return engagements, 0
    return engagements.assign(parent_account_id=resolved.astype(engagements["parent_account_id"].dtype)), n_filled


def reshare_edges(cascades: pd.DataFrame, engagements: pd.DataFrame) -> pd.DataFrame:
    """One row per engagement whose reshared account is known (``resolve_parent_accounts``).

    Columns out: cascade_id, source (reshared account), target (resharing account), time (if the
    engagements have it); string ids, the engagements' order. Self-reshares are dropped. The graphs stage
    writes this table (``graphs/reshare_edges.parquet``); ``account_edges`` and the ranking use it.
    """
    out = pd.DataFrame(
        {
            "cascade_id": engagements["cascade_id"].astype("string"),
            "source": resolve_parent_accounts(engagements, cascades),
            "target": engagements["child_account_id"].astype("string"),
        }
    )
    if "time" in engagements:
        out["time"] = engagements["time"]
    out = out.dropna(subset=["source", "target"])
    return out[out["source"] != out["target"]].reset_index(drop=True)


def account_edges(engagements: pd.DataFrame, cascades: pd.DataFrame) -> pd.DataFrame:
    """Weighted account edges (``reshare_edges`` counted per account pair): columns source (engaged-with
    account), target (engager), weight; sorted by source, target."""
    return account_edges_from_reshares(reshare_edges(cascades, engagements))


def account_edges_from_reshares(reshares: pd.DataFrame) -> pd.DataFrame:
    """``account_edges`` from an already derived ``reshare_edges`` table (source, target)."""
    weighted = reshares.groupby(["source", "target"], sort=True).size().rename("weight").reset_index()
    return weighted.astype({"source": "string", "target": "string", "weight": "int64"})


NETWORK_METRIC_COLUMNS = [
    "account_id",
    "reshares_received",
    "reshares_made",
    "n_amplified",
    "n_amplifiers",
    "reciprocity",
    "pagerank",
]


def account_network_metrics(graph: nx.DiGraph) -> pd.DataFrame:
    """Per-account metrics of the retweet network.

    Columns out: account_id, reshares_received (weighted out-strength), reshares_made (weighted
    in-strength), n_amplified (distinct accounts engaged with), n_amplifiers (distinct engagers),
    reciprocity (share of the account's neighbours linked both ways), pagerank (on the
    "who reshares whom" direction, so frequently reshared accounts rank high). Computed with sparse
    matrices (``account_network_metrics_from_edges``); the graph only supplies its edges and node order.
    """
    nodes = pd.Index(list(graph.nodes), dtype=object)
    edges = pd.DataFrame(list(graph.edges(data="weight", default=1)), columns=["source", "target", "weight"])
    return _network_metrics(nodes, edges)


def account_network_metrics_from_edges(edges: pd.DataFrame) -> pd.DataFrame:
    """``account_network_metrics`` straight from the edge table (``account_edges``: source, target, weight,
    sorted), without building a networkx graph: degrees and reciprocity from group-bys, PageRank by
    power iteration on a scipy sparse matrix (networkx's own algorithm: alpha 0.85, uniform teleport and
    dangling weights, tol 1e-8 per node, node order as ``retweet_network`` inserts them), so the values
    equal the graph version's."""
    if edges.empty:
        return _network_metrics(pd.Index([], dtype=object), edges)
    ends = np.empty(2 * len(edges), dtype=object)
    ends[0::2] = edges["source"].to_numpy(dtype=object)
    ends[1::2] = edges["target"].to_numpy(dtype=object)
    return _network_metrics(pd.Index(pd.unique(ends), dtype=object), edges)


def _pagerank(
    n: int,
    rows: np.ndarray,
    cols: np.ndarray,
    weights: np.ndarray,
    alpha: float = 0.85,
    max_iter: int = 200,
    tol: float = 1e-8,
) -> np.ndarray:
    """PageRank of the graph with edges rows -> cols (weights), as ``networkx.pagerank`` computes it."""
    from scipy import sparse

    if n == 0:
        return np.zeros(0)
    matrix = sparse.coo_array((weights.astype(float), (rows, cols)), shape=(n, n), dtype=float).tocsr()
    strength = matrix.sum(axis=1)
    strength[strength != 0] = 1.0 / strength[strength != 0]
    matrix = sparse.dia_array((strength.T, 0), shape=matrix.shape).tocsr() @ matrix
    x = np.repeat(1.0 / n, n)
    p = np.repeat(1.0 / n, n)
    dangling = np.where(strength == 0)[0]
    for _ in range(max_iter):
        last = x
        lost = float(np.cumsum(x[dangling])[-1]) if len(dangling) else 0  # left-to-right, as Python's sum
        x = alpha * (x @ matrix + lost * p) + (1 - alpha) * p
        if np.absolute(x - last).sum() < n * tol:
            return x
    raise nx.PowerIterationFailedConvergence(max_iter)


def _network_metrics(nodes: pd.Index, edges: pd.DataFrame) -> pd.DataFrame:
    if len(nodes) == 0:
        return pd.DataFrame(columns=NETWORK_METRIC_COLUMNS)
    src = nodes.get_indexer(edges["source"].to_numpy(dtype=object))
    dst = nodes.get_indexer(edges["target"].to_numpy(dtype=object))
    weight = edges["weight"].to_numpy()
    n = len(nodes)
    out_strength = np.bincount(src, weights=weight, minlength=n)
    in_strength = np.bincount(dst, weights=weight, minlength=n)
    n_out = np.bincount(src, minlength=n)  # distinct engagers (edges are unique pairs)
    n_in = np.bincount(dst, minlength=n)
    # reciprocal pairs: (u, v) whose reverse (v, u) is an edge too
    key = src.astype(np.int64) * n + dst
    mutual = np.isin(key, dst.astype(np.int64) * n + src)
    n_mutual = np.bincount(src[mutual], minlength=n)
    neighbours = n_out + n_in - n_mutual
    with np.errstate(divide="ignore", invalid="ignore"):
        reciprocity = np.where(neighbours > 0, n_mutual / neighbours, 0.0)
    pagerank = _pagerank(n, dst, src, weight)  # reversed: the engager points at the reshared account
    integral = np.issubdtype(weight.dtype, np.integer)
    table = pd.DataFrame(
        {
            "account_id": nodes.to_numpy(dtype=object),
            "reshares_received": out_strength.astype(np.int64) if integral else out_strength,
            "reshares_made": in_strength.astype(np.int64) if integral else in_strength,
            "n_amplified": n_in.astype(np.int64),
            "n_amplifiers": n_out.astype(np.int64),
            "reciprocity": reciprocity.astype(float),
            "pagerank": pagerank,
        }
    )
    order = np.argsort(table["account_id"].to_numpy(dtype=object), kind="stable")
    return table.iloc[order].reset_index(drop=True)


def co_engagement_pairs(
    engagements: pd.DataFrame, window_s: float = 60.0, max_neighbours: int = 30, engine: str = "duckdb"
) -> pd.DataFrame:
    """Pairs of accounts that engaged the same cascade within ``window_s`` seconds of each other.

    Columns out: account_a, account_b (a < b), n_cascades (distinct cascades where they co-engaged
    within the window). Each engagement is compared with at most ``max_neighbours`` following ones
    in time order, which bounds the cost on very large cascades. ``engine="duckdb"`` (default) runs it
    as a windowed self-join in DuckDB on integer codes (out-of-core: memory stays flat however many
    candidate pairs there are); ``engine="numpy"`` is the in-memory shift-and-compare version. Both give
    the same table.
    """
    if engine == "duckdb":
        return _co_engagement_pairs_duckdb(engagements, window_s, max_neighbours)
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
                {
                    "account_a": np.where(first, a, b),
                    "account_b": np.where(first, b, a),
                    "cascade_id": cascade[:-shift][same][keep],
                }
            )
        )
    if not parts:
        return pd.DataFrame(
            {
                "account_a": pd.Series(dtype="string"),
                "account_b": pd.Series(dtype="string"),
                "n_cascades": pd.Series(dtype="int64"),
            }
        )
    pairs = pd.concat(parts, ignore_index=True).drop_duplicates()
    counted = pairs.groupby(["account_a", "account_b"], sort=True).size().rename("n_cascades").reset_index()
    return counted.astype({"account_a": "string", "account_b": "string", "n_cascades": "int64"})


def _co_engagement_pairs_duckdb(engagements: pd.DataFrame, window_s: float, max_neighbours: int) -> pd.DataFrame:
    import duckdb

    frame = engagements[["cascade_id", "child_account_id", "delay_s"]].dropna()
    if frame.empty:
        return co_engagement_pairs(frame, window_s, max_neighbours, engine="numpy")
    # sorted integer codes keep the string order (a < b, cascade order) while DuckDB works on integers
    cascade_code, _ = pd.factorize(frame["cascade_id"].astype(str), sort=True)
    account_code, accounts = pd.factorize(frame["child_account_id"].astype(str), sort=True)
    codes = pd.DataFrame(
        {
            "c": cascade_code.astype(np.int64),
            "a": account_code.astype(np.int64),
            "d": frame["delay_s"].to_numpy(dtype=float),
            "i": np.arange(len(frame), dtype=np.int64),
        }
    )
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET memory_limit = '2GB'")
        con.register("eng", codes)
        con.execute("CREATE TEMP TABLE e AS SELECT c, a, d, row_number() OVER (ORDER BY c, d, i) AS r FROM eng")
        # one equality join per neighbour offset k (hash joins on the row number; DuckDB spills to disk)
        near = " UNION ALL ".join(
            f"SELECT least(x.a, y.a) AS a, greatest(x.a, y.a) AS b, x.c AS c FROM e AS x JOIN e AS y "
            f"ON y.r = x.r + {k} WHERE y.c = x.c AND y.d - x.d <= $window AND x.a <> y.a"
            for k in range(1, int(max_neighbours) + 1)
        )
        result = con.execute(
            f"SELECT a, b, count(DISTINCT c) AS n FROM ({near}) GROUP BY a, b ORDER BY a, b",
            {"window": float(window_s)},
        ).fetchnumpy()
    finally:
        con.close()
    names = np.asarray(accounts, dtype=object)
    return pd.DataFrame(
        {
            "account_a": pd.array(names[result["a"].astype(np.int64)], dtype="string"),
            "account_b": pd.array(names[result["b"].astype(np.int64)], dtype="string"),
            "n_cascades": np.asarray(result["n"], dtype=np.int64),
        }
    )


TREE_COLUMNS = ["size", "depth", "max_breadth", "root_fanout_share", "structural_virality", "branching", "leaf_share"]


def tree_metrics(cascades: pd.DataFrame, engagements: pd.DataFrame) -> pd.DataFrame:
    """``tree_structure`` and the branching / leaf share of every cascade's propagation tree at once, from
    parent pointers (no graph objects).

    Columns in: cascades (cascade_id), engagements (cascade_id, engagement_id, parent_engagement_id).
    Columns out (index cascade_id, sorted; every cascade of ``cascades``): size, depth, max_breadth,
    root_fanout_share, structural_virality, branching, leaf_share; the same values as
    ``tree_structure(propagation_graph(...))`` and ``features.tree_shape``. Depths come from pointer
    jumping, subtree sizes from one vectorised pass per depth level. A cascade whose parent pointers are
    not a tree (a cycle or a repeated engagement id) is measured on its networkx graph instead.
    """
    index = pd.Index(sorted(cascades["cascade_id"].astype(str).unique()), dtype=object, name="cascade_id")
    eng = engagements[engagements["cascade_id"].astype(str).isin(index)]
    cascade = index.get_indexer(eng["cascade_id"].astype(str).to_numpy(dtype=object))
    ids = eng["engagement_id"].astype(str).to_numpy(dtype=object)
    parents = eng["parent_engagement_id"].to_numpy(dtype=object, na_value=None)
    n_rows, n_cascades = len(eng), len(index)
    key = pd.Index(cascade.astype(str).astype(object) + "\x1f" + ids)
    duplicated = key.duplicated(keep=False)
    has_parent = np.array([isinstance(p, str) for p in parents], dtype=bool) if n_rows else np.zeros(0, bool)
    parent_key = np.where(
        has_parent, cascade.astype(str).astype(object) + "\x1f" + np.where(has_parent, parents, "").astype(object), None
    )
    parent = np.full(n_rows, -1, dtype=np.int64)
    if has_parent.any():
        unique_key = key[~duplicated]
        position = np.flatnonzero(~duplicated)
        found = unique_key.get_indexer(parent_key[has_parent])
        parent[has_parent] = np.where(found >= 0, position[np.maximum(found, 0)], -1)
    irregular = np.zeros(n_cascades, dtype=bool)
    irregular[cascade[duplicated]] = True
    # depth by pointer jumping: depth = hops to ROOT; a node still pointing somewhere after log2(n) rounds
    # is on (or below) a cycle
    depth = np.ones(n_rows, dtype=np.int64)
    jump = parent.copy()
    for _ in range(max(1, int(np.ceil(np.log2(max(n_rows, 2)))) + 1)):
        active = jump >= 0
        if not active.any():
            break
        target = jump[active]
        depth_next = depth.copy()
        depth_next[active] += depth[target]
        jump_next = jump.copy()
        jump_next[active] = jump[target]
        depth, jump = depth_next, jump_next
    irregular[cascade[jump >= 0]] = True
    regular_rows = ~irregular[cascade]
    # per-cascade counts (ROOT included in n)
    n_nodes = np.bincount(cascade[regular_rows], minlength=n_cascades) + 1
    root_children = np.bincount(cascade[regular_rows & (parent < 0)], minlength=n_cascades)
    rows = np.flatnonzero(regular_rows)
    max_depth = np.zeros(n_cascades, dtype=np.int64)
    np.maximum.at(max_depth, cascade[rows], depth[rows])
    level = pd.Series(1, index=pd.MultiIndex.from_arrays([cascade[rows], depth[rows]])).groupby(level=[0, 1]).sum()
    max_breadth = np.zeros(n_cascades, dtype=np.int64)
    if len(level):
        np.maximum.at(max_breadth, level.index.get_level_values(0).to_numpy(), level.to_numpy())
    # subtree sizes, deepest level first; Wiener index = sum over edges of s * (n - s)
    subtree = np.ones(n_rows, dtype=np.int64)
    children = np.zeros(n_rows, dtype=np.int64)
    inner_rows = rows[parent[rows] >= 0]
    np.add.at(children, parent[inner_rows], 1)
    order = inner_rows[np.argsort(-depth[inner_rows], kind="stable")]
    if len(order):
        bounds = np.flatnonzero(np.diff(depth[order])) + 1
        for chunk in np.split(order, bounds):
            np.add.at(subtree, parent[chunk], subtree[chunk])
    wiener = np.zeros(n_cascades, dtype=np.int64)
    np.add.at(wiener, cascade[rows], subtree[rows] * (n_nodes[cascade[rows]] - subtree[rows]))
    with_children = np.bincount(cascade[rows[children[rows] > 0]], minlength=n_cascades) + (root_children > 0)
    leaves = np.bincount(cascade[rows[children[rows] == 0]], minlength=n_cascades)
    n = n_nodes.astype(float)
    edges_ = n - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame(
            {
                "size": edges_,
                "depth": max_depth.astype(float),
                "max_breadth": max_breadth.astype(float),
                "root_fanout_share": np.where(n > 1, root_children / edges_, 0.0),
                "structural_virality": np.where(n > 1, wiener / (n * (n - 1) / 2), 0.0),
                "branching": np.where(n > 1, edges_ / with_children, 0.0),
                "leaf_share": np.where(n > 1, leaves / edges_, 0.0),
            },
            index=index,
        )
    if irregular.any():  # not a tree: measure the networkx graph as before
        from spreadwatch.features import tree_shape

        roots = cascades.assign(cascade_id=cascades["cascade_id"].astype(str)).set_index("cascade_id")[
            "root_account_id"
        ]
        for cascade_id in index[irregular]:
            graph = propagation_graph(eng[eng["cascade_id"].astype(str) == cascade_id], roots.get(cascade_id))
            out.loc[cascade_id, TREE_COLUMNS] = {**tree_structure(graph), **tree_shape(graph)}
    return out[TREE_COLUMNS]
