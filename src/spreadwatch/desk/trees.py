"""Propagation trees of a cascade, laid out for inline SVG (drawn by the ``_tree.html`` template).

Root first on the left, depth along the x axis, one row per leaf (parents centred on their
children, siblings in time order), so a reviewer reads who reshared whom and in which order.
Cascades larger than ``max_nodes`` are summarised per depth level instead (engagements, distinct
accounts, this account's share, time range) so a 2,000-engagement cascade stays legible.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

ROW = 16
COL = 110
PAD = 12


def tree_edges(cascade: pd.Series | dict, engagements: pd.DataFrame) -> pd.DataFrame:
    """The cascade's tree. Columns in: engagements of ONE cascade (engagement_id, parent_engagement_id,
    child_account_id, delay_s). Columns out: node, parent (``"root"`` for root children, None for the
    root), account_id, delay_s, depth; the root row first, then nodes by (depth, delay_s, node)."""
    root_account = cascade.get("root_account_id") if hasattr(cascade, "get") else None
    rows = [{"node": "root", "parent": None, "account_id": root_account if isinstance(root_account, str) else None,
             "delay_s": 0.0}]
    ids = set(engagements["engagement_id"].astype(str))
    for e in engagements.itertuples(index=False):
        parent = e.parent_engagement_id
        parent = str(parent) if isinstance(parent, str) and str(parent) in ids else "root"
        delay = float(e.delay_s) if e.delay_s == e.delay_s and e.delay_s is not None else np.nan
        rows.append({"node": str(e.engagement_id), "parent": parent, "account_id": e.child_account_id, "delay_s": delay})
    frame = pd.DataFrame(rows)
    parent_of = dict(zip(frame["node"], frame["parent"]))
    depth = {}
    for node in frame["node"]:
        chain, current = [], node
        while current is not None and current not in depth and len(chain) <= len(parent_of):
            chain.append(current)
            current = parent_of.get(current)
        base = depth.get(current, -1) if current is not None else -1
        for offset, item in enumerate(reversed(chain)):
            depth[item] = base + 1 + offset
    frame["depth"] = frame["node"].map(depth).astype(int)
    frame["_root"] = frame["node"] != "root"
    frame = frame.sort_values(["_root", "depth", "delay_s", "node"], kind="stable", na_position="last")
    return frame.drop(columns="_root").reset_index(drop=True)


def layout(edges: pd.DataFrame, highlight: str | None, names: dict[str, str] | None = None) -> dict:
    """Positions for the SVG: {width, height, nodes: [{x, y, label, title, mark, root}], links: [{x1,y1,x2,y2}]}."""
    names = names or {}
    children: dict[str, list[str]] = {}
    info = {}
    for row in edges.itertuples(index=False):
        info[row.node] = row
        if row.parent is not None:
            children.setdefault(row.parent, []).append(row.node)
    y_of: dict[str, float] = {}
    next_leaf = [0]

    def place(node: str) -> float:  # iterative-safe for the sizes drawn (max_nodes bounds depth)
        kids = children.get(node, [])
        if not kids:
            y_of[node] = float(next_leaf[0])
            next_leaf[0] += 1
        else:
            ys = [place(k) for k in kids]
            y_of[node] = (min(ys) + max(ys)) / 2
        return y_of[node]

    place("root")
    max_depth = int(edges["depth"].max()) if len(edges) else 0
    nodes, links = [], []
    for node, y in y_of.items():
        row = info[node]
        x = PAD + row.depth * COL
        yy = PAD + y * ROW
        account = row.account_id if isinstance(row.account_id, str) else None
        name = names.get(account, account) if account else "(news root)"
        when = "root" if node == "root" else (f"+{_duration(row.delay_s)}" if row.delay_s == row.delay_s else "")
        nodes.append({"x": x, "y": yy, "label": name or "", "title": f"{name} {when}".strip(),
                      "mark": bool(highlight and account == highlight), "root": node == "root",
                      "account_id": account})
        if row.parent is not None and row.parent in y_of:
            parent = info[row.parent]
            links.append({"x1": PAD + parent.depth * COL, "y1": PAD + y_of[row.parent] * ROW, "x2": x, "y2": yy})
    nodes.sort(key=lambda n: (n["y"], n["x"]))
    return {"width": PAD * 2 + max_depth * COL + COL, "height": PAD * 2 + max(next_leaf[0] - 1, 0) * ROW + 4,
            "nodes": nodes, "links": links}


def level_summary(edges: pd.DataFrame, highlight: str | None, names: dict[str, str] | None = None) -> dict:
    """Per-depth summary of a large cascade: {levels: [{depth, n, accounts, mine, first, last, top, bar}], max_n}."""
    names = names or {}
    levels = []
    grouped = edges[edges["node"] != "root"].groupby("depth", sort=True)
    max_n = int(grouped.size().max()) if len(grouped) else 1
    for depth, group in grouped:
        counts = group["account_id"].value_counts().sort_index().sort_values(ascending=False, kind="stable")
        top = [names.get(a, a) for a in counts.index[:3]]
        levels.append({"depth": int(depth), "n": len(group), "accounts": int(group["account_id"].nunique()),
                       "mine": int((group["account_id"] == highlight).sum()) if highlight else 0,
                       "first": _duration(group["delay_s"].min()), "last": _duration(group["delay_s"].max()),
                       "top": top, "bar": 4 + 400 * len(group) / max_n})
    return {"levels": levels, "max_n": max_n}


def propagation(cascade, engagements: pd.DataFrame, highlight: str | None = None,
                names: dict[str, str] | None = None, max_nodes: int = 150) -> dict:
    """Everything the ``_tree.html`` template needs: ``kind`` "tree" (with layout) or "levels"."""
    edges = tree_edges(cascade, engagements)
    out = {"n": len(edges) - 1, "depth": int(edges["depth"].max()) if len(edges) else 0}
    if len(edges) <= max_nodes:
        out.update(kind="tree", **layout(edges, highlight, names), labels=len(edges) <= 60)
    else:
        out.update(kind="levels", **level_summary(edges, highlight, names))
    return out


def _duration(seconds) -> str:
    if seconds is None or seconds != seconds:
        return "?"
    seconds = float(seconds)
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds / 60:.0f}min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"
