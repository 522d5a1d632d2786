"""UPFD-Politifact news propagation graphs (Dou et al., SIGIR 2021) -> canonical tables.

Files (logical names in ``configs/datasets.yaml``):
    edges: ``raw/A.txt`` (``src, dst`` global node ids, parent -> child)
    nodes: ``nodes.tsv.gz`` (``node_id, graph_id, is_news_root, twitter_user_id_or_news_id, unix_time``)
    graphs: ``graphs.tsv`` (``graph_id, news_id, label_fake1_real0, n_nodes, root_node_id``)
    fakenewsnet_fake / fakenewsnet_real: ``politifact_{fake,real}.csv.gz`` (url and title of each news id)

Output
    cascades: one per graph. cascade_id = news id, label fake (1) / real (0), is_misinformation, url,
        domain (normalised), title, created_at = earliest tweet time in the graph (splits/windows only),
        root_post_id/root_account_id NA (news roots), event_id = news id (UPFD has no story grouping, so
        every news item is its own group), extra columns ``graph_id``, ``n_nodes``.
    engagements: one per non-root node. engagement_id = ``{news_id}:{node_id:05d}``; parent = the node's
        in-edge source (root children: parent_engagement_id NA, parent_account_id NA);
        child_account_id = Twitter user id; kind = ``retweet`` (UPFD does not tell retweets from
        shares; extra column ``share_kind`` = ``tweet`` for root children, who posted the news, and
        ``retweet`` below them); time = unix time (UTC); delay_s = time - cascade created_at.
        Extra column ``node_id``.
    accounts: the distinct Twitter user ids (one minimal row each).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch.adapters import AdapterResult
from spreadwatch.adapters.credibility import normalise_domains
from spreadwatch.adapters.fakenewsnet import news_cascades, read_news_csv, url_quirks
from spreadwatch.adapters.twitter1516 import (
    DROPPED,
    break_cycles,
    quirk,
    rejected_frame,
    rejected_rows,
    require_files,
)

FORMAT = "upfd"
LABEL_MAP: dict[str, bool | None] = {"fake": True, "real": False}
_LABELS = {"1": "fake", "0": "real", "1.0": "fake", "0.0": "real"}


def load(files: dict, options: dict) -> AdapterResult:
    """Load UPFD graphs plus the FakeNewsNet url/title lists into canonical tables."""
    options = dict(options or {})
    paths = require_files(files, ["edges", "nodes", "graphs", "fakenewsnet_fake", "fakenewsnet_real"], FORMAT, options)
    label_map = dict(LABEL_MAP) | dict(options.get("label_map") or {})
    quirks: list[dict] = []
    rej: list[pd.DataFrame] = []

    def drop(file: Path, rows: pd.Series, column: str, values, reason: str, name: str, action: str = DROPPED) -> None:
        """Reject ``rows`` (row numbers in ``file``) as engagements and count them as the quirk ``name``."""
        rej.append(rejected_rows("engagements", str(file), rows, column, values, reason))
        quirks.append(quirk("engagements", name, len(rows), action))

    # ---- read
    nodes = pd.read_csv(paths["nodes"], sep="\t", dtype=str, keep_default_na=False)
    nodes.columns = [c.strip() for c in nodes.columns]
    nodes = nodes.apply(lambda c: c.str.strip())
    graphs = pd.read_csv(paths["graphs"], sep="\t", dtype=str, keep_default_na=False)
    graphs.columns = [c.strip() for c in graphs.columns]
    graphs = graphs.apply(lambda c: c.str.strip())
    edges = pd.read_csv(
        paths["edges"], header=None, names=["src", "dst"], dtype=str, skipinitialspace=True, keep_default_na=False
    )
    edges = edges.apply(lambda c: c.str.strip())
    rows_read = {"engagements": int(len(edges)), "nodes": int(len(nodes)), "cascades": int(len(graphs))}
    edges["_row"] = np.arange(1, len(edges) + 1)
    nodes["_row"] = np.arange(2, len(nodes) + 2)

    # ---- nodes
    nid = pd.to_numeric(nodes["node_id"], errors="coerce")
    bad = nid.isna() | nodes["node_id"].duplicated(keep="first")
    graph_of = graphs.set_index("graph_id")
    unknown_graph = ~bad & ~nodes["graph_id"].isin(graph_of.index)  # a row is rejected for one reason only
    for bad_node, column, reason, name in (
        (bad, "node_id", "node id missing, not a number or duplicated", "node row with a bad or duplicate node_id"),
        (unknown_graph, "graph_id", "graph id not in graphs.tsv", "node of a graph missing from graphs.tsv"),
    ):
        drop(paths["nodes"], nodes.loc[bad_node, "_row"], column, nodes.loc[bad_node, column], reason, name)
    nodes = nodes[~(bad | unknown_graph).to_numpy()].copy()
    nodes["nid"] = pd.to_numeric(nodes["node_id"]).astype(np.int64)
    is_root = nodes["is_news_root"].isin(["1", "1.0", "True", "true"])
    nodes["is_root"] = is_root.to_numpy()
    nodes["news_id"] = nodes["graph_id"].map(graph_of["news_id"])

    # ---- graphs -> cascades skeleton
    graphs["label"] = graphs["label_fake1_real0"].map(_LABELS)
    quirks.append(quirk("cascades", "graph label not 0/1", int(graphs["label"].isna().sum()), "label NA"))
    roots = nodes[nodes["is_root"]]
    roots_per_graph = roots.groupby("graph_id").size().reindex(graphs["graph_id"]).fillna(0).astype(int)
    quirks.append(
        quirk(
            "cascades",
            "graph without exactly one news-root node",
            int((roots_per_graph != 1).sum()),
            "kept; the first root row is the root",
        )
    )
    root_match = roots.drop_duplicates("graph_id").set_index("graph_id")["twitter_user_id_or_news_id"]
    mism = graphs["news_id"].ne(graphs["graph_id"].map(root_match)).fillna(True).astype(bool)
    quirks.append(quirk("cascades", "root row's news id differs from graphs.tsv", int(mism.sum()), "graphs.tsv kept"))
    n_nodes_seen = nodes.groupby("graph_id").size().reindex(graphs["graph_id"]).fillna(0).astype(int).to_numpy()
    declared = pd.to_numeric(graphs["n_nodes"], errors="coerce").to_numpy()
    quirks.append(
        quirk(
            "cascades",
            "n_nodes in graphs.tsv differs from nodes.tsv",
            int((declared != n_nodes_seen).sum()),
            "nodes.tsv counted",
        )
    )

    # ---- edges
    src = pd.to_numeric(edges["src"], errors="coerce")
    dst = pd.to_numeric(edges["dst"], errors="coerce")
    node_index = pd.Index(nodes["nid"].to_numpy())
    ps, pdst = (
        node_index.get_indexer(src.fillna(-1).astype(np.int64)),
        node_index.get_indexer(dst.fillna(-1).astype(np.int64)),
    )
    unknown = (ps < 0) | (pdst < 0)
    g_src = nodes["graph_id"].to_numpy()[np.maximum(ps, 0)]
    g_dst = nodes["graph_id"].to_numpy()[np.maximum(pdst, 0)]
    cross = ~unknown & (g_src != g_dst)
    into_root = ~unknown & ~cross & nodes["is_root"].to_numpy()[np.maximum(pdst, 0)]
    edge_text = edges["src"] + "," + edges["dst"]
    for bad_edge, reason, name in (
        (unknown, "edge end is not a known node", "edge to or from an unknown node"),
        (cross, "edge crosses two graphs", "edge crossing two graphs"),
        (into_root, "edge points into a news root", "edge pointing into the news root"),
    ):
        drop(paths["edges"], edges.loc[bad_edge, "_row"], "src,dst", edge_text[bad_edge], reason, name)
    ok = ~unknown & ~cross & ~into_root
    e = pd.DataFrame(
        {
            "src": src[ok].astype(np.int64).to_numpy(),
            "dst": dst[ok].astype(np.int64).to_numpy(),
            "_row": edges["_row"][ok].to_numpy(),
        }
    )
    dup = e.duplicated(["src", "dst"], keep="first")
    quirks.append(quirk("engagements", "duplicate edge", int(dup.sum()), "deduplicated"))
    e = e[~dup.to_numpy()]
    multi = e.duplicated("dst", keep="first")
    drop(
        paths["edges"],
        e.loc[multi, "_row"],
        "dst",
        e.loc[multi, "dst"],
        "node has a second in-edge (first kept)",
        "node with more than one in-edge",
        "first in-edge kept as the parent; the others listed in rejected",
    )
    e = e[~multi.to_numpy()]
    parent_of = pd.Series(e["src"].to_numpy(), index=e["dst"].to_numpy())

    # ---- engagements: one per non-root node
    users = nodes[~nodes["is_root"]].copy()
    users["parent_nid"] = users["nid"].map(parent_of).astype("Int64")
    root_nid = roots.drop_duplicates("graph_id").set_index("graph_id")["nid"]
    no_parent = users["parent_nid"].isna()
    quirks.append(
        quirk("engagements", "non-root node without an in-edge", int(no_parent.sum()), "attached to the news root")
    )
    users["parent_nid"] = users["parent_nid"].fillna(users["graph_id"].map(root_nid).astype("Int64"))
    width = max(5, len(str(int(nodes["nid"].max())))) if len(nodes) else 5
    nid_to_user = nodes.set_index("nid")
    parent_is_root = users["parent_nid"].map(nid_to_user["is_root"]).fillna(True).astype(bool).to_numpy()
    users["engagement_id"] = users["news_id"] + ":" + users["nid"].map(lambda v: f"{v:0{width}d}")
    parent_eid = (
        users["news_id"] + ":" + users["parent_nid"].map(lambda v: f"{int(v):0{width}d}" if pd.notna(v) else "")
    )
    users["parent_engagement_id"] = parent_eid.where(~parent_is_root)
    users["parent_account_id"] = (
        users["parent_nid"].map(nid_to_user["twitter_user_id_or_news_id"]).where(~parent_is_root)
    )
    # cycles (cannot happen in a UPFD tree, but would make the engagement forest invalid)
    pos_index = pd.Index(users["engagement_id"].to_numpy())
    parent_pos = pos_index.get_indexer(users["parent_engagement_id"].fillna("").to_numpy())
    cut = break_cycles(parent_pos.astype(np.int64))
    if len(cut):
        users.iloc[cut, users.columns.get_loc("parent_engagement_id")] = pd.NA
        users.iloc[cut, users.columns.get_loc("parent_account_id")] = pd.NA
    quirks.append(
        quirk("engagements", "parent links forming a cycle", len(cut), "one edge per cycle attached to the root")
    )

    t = pd.to_numeric(users["unix_time"].replace("", pd.NA), errors="coerce")
    quirks.append(
        quirk(
            "engagements",
            "node without a timestamp",
            int(t.isna().sum()),
            "time and delay_s NA (the validator rejects it: needs a time)",
        )
    )
    users["time"] = pd.to_datetime(t, unit="s", utc=True).astype("datetime64[ns, UTC]")
    start = users.groupby("graph_id")["time"].min()
    users["delay_s"] = (users["time"] - users["graph_id"].map(start)).dt.total_seconds()
    parent_time = users["parent_nid"].map(pd.Series(users["time"].array, index=users["nid"].to_numpy()))
    earlier = (users["time"] < parent_time).fillna(False).astype(bool)
    quirks.append(quirk("engagements", "child earlier than its parent", int(earlier.sum()), "kept"))
    repeat = users.duplicated(["graph_id", "twitter_user_id_or_news_id"], keep="first")
    quirks.append(
        quirk(
            "engagements",
            "same user more than once in one cascade",
            int(repeat.sum()),
            "kept (one engagement per node)",
        )
    )
    user_ok = users["twitter_user_id_or_news_id"].str.fullmatch(r"\d+").fillna(False).astype(bool)
    quirks.append(quirk("accounts", "user id is not a decimal integer", int((~user_ok).sum()), "kept as written"))
    engagements = (
        pd.DataFrame(
            {
                "engagement_id": users["engagement_id"].astype("string"),
                "cascade_id": users["news_id"].astype("string"),
                "parent_engagement_id": users["parent_engagement_id"].astype("string"),
                "parent_account_id": users["parent_account_id"].astype("string"),
                "parent_post_id": pd.Series(pd.NA, index=users.index, dtype="string"),
                "child_account_id": users["twitter_user_id_or_news_id"].astype("string"),
                "child_post_id": pd.Series(pd.NA, index=users.index, dtype="string"),
                "kind": pd.Series("retweet", index=users.index, dtype="string"),
                "time": users["time"],
                "delay_s": users["delay_s"].astype("float64"),
                "share_kind": pd.Series(
                    np.where(parent_is_root, "tweet", "retweet"), index=users.index, dtype="string"
                ),
                "node_id": users["nid"].astype("Int64"),
            }
        )
        .sort_values("engagement_id", kind="stable")
        .reset_index(drop=True)
    )

    accounts = pd.DataFrame(
        {"account_id": pd.Series(np.sort(users["twitter_user_id_or_news_id"].unique()), dtype="string")}
    )

    # ---- cascades with url/title from FakeNewsNet
    fake = read_news_csv(paths["fakenewsnet_fake"]).assign(fnn_label="fake")
    real = read_news_csv(paths["fakenewsnet_real"]).assign(fnn_label="real")
    fnn = pd.concat([fake, real], ignore_index=True)
    in_fake = graphs["news_id"].isin(fake["id"].unique())
    in_real = graphs["news_id"].isin(real["id"].unique())
    both = in_fake & in_real
    quirks.append(
        quirk(
            "cascades",
            "news id on both FakeNewsNet lists",
            int(both.sum()),
            "UPFD label kept; url/title from the list that matches it",
        )
    )
    neither = ~in_fake & ~in_real
    quirks.append(quirk("cascades", "news id on no FakeNewsNet list", int(neither.sum()), "url/title/domain NA"))
    disagree = (graphs["label"].eq("fake") & ~in_fake & in_real) | (graphs["label"].eq("real") & ~in_real & in_fake)
    quirks.append(
        quirk(
            "cascades",
            "UPFD label differs from the FakeNewsNet list",
            int(disagree.fillna(False).sum()),
            "UPFD label kept",
        )
    )
    meta = graphs[["news_id", "label"]].merge(
        fnn[["id", "news_url", "title", "fnn_label"]], left_on="news_id", right_on="id", how="left"
    )
    meta["_match"] = meta["label"].eq(meta["fnn_label"]).fillna(False).astype(bool)
    meta = meta.sort_values("_match", ascending=False, kind="stable").drop_duplicates("news_id", keep="first")
    meta = meta.set_index("news_id")
    url = graphs["news_id"].map(meta["news_url"]).replace("", pd.NA).astype("string")
    domain = normalise_domains(url)
    quirks.extend(url_quirks(url, domain))
    cascades = news_cascades(
        graphs["news_id"],
        created_at=graphs["graph_id"].map(start),
        url=url,
        domain=domain,
        title=graphs["news_id"].map(meta["title"]),
        label=graphs["label"],
        label_map=label_map,
        label_source="UPFD graph_labels (FakeNewsNet politifact)",
        event_id=graphs["news_id"],
        extra={
            "graph_id": pd.to_numeric(graphs["graph_id"], errors="coerce").astype("Int64"),
            "n_nodes": pd.Series(n_nodes_seen, index=graphs.index).astype("Int64"),
        },
    )
    dup_news = cascades["cascade_id"].duplicated(keep="first")
    quirks.append(
        quirk(
            "cascades",
            "news id used by two graphs",
            int(dup_news.sum()),
            "left to the validator (duplicate key: first kept, the other rejected)",
        )
    )
    quirks.append(
        quirk(
            "cascades",
            "event_id is the news id",
            len(cascades),
            "UPFD has no story grouping: every news item is its own event group",
        )
    )
    quirks.append(
        quirk(
            "cascades",
            "created_at = earliest tweet time in the graph",
            int(cascades["created_at"].notna().sum()),
            "for splits and windows only; never a model input",
        )
    )

    return AdapterResult(
        tables={"accounts": accounts, "cascades": cascades, "engagements": engagements},
        source_files={
            "cascades": f"{paths['graphs']}; {paths['fakenewsnet_fake']}; {paths['fakenewsnet_real']}",
            "engagements": f"{paths['nodes']}; {paths['edges']}",
            "accounts": str(paths["nodes"]),
        },
        rows_read=rows_read | {"accounts": int(len(accounts))},
        quirks=quirks,
        rejected=rejected_frame(rej),
    )
