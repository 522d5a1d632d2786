"""Propagation trees of a cascade, laid out for inline SVG (drawn by the ``_tree.html`` template).

Root first on the left, depth along the x axis, one row per leaf (parents centred on their
children, siblings in time order), so a reviewer reads who reshared whom and in which order.
Cascades larger than ``max_nodes`` are summarised per depth level instead (engagements, distinct
accounts, this account's share, time range) so a 2,000-engagement cascade stays legible.
"""

from __future__ import annotations

import math
from collections import Counter

import pandas as pd

ROW = 16
COL = 110
PAD = 12


def tree_edges(cascade, engagements) -> list[dict]:
    """The cascade's tree. In: engagements of ONE cascade (DataFrame or records) (engagement_id, parent_engagement_id,
    child_account_id, delay_s). Out: one dict per node (node, parent: ``"root"`` for root children and
    None for the root, account_id, delay_s, depth), the root first, then by (depth, delay_s, node)."""
    root_account = cascade.get("root_account_id") if hasattr(cascade, "get") else None
    if isinstance(engagements, pd.DataFrame):
        engagements = engagements.astype(object).where(engagements.notna(), None).to_dict("records")
    ids = [str(e["engagement_id"]) for e in engagements]
    known = set(ids)
    parents = [
        str(e.get("parent_engagement_id"))
        if e.get("parent_engagement_id") is not None and str(e.get("parent_engagement_id")) in known
        else "root"
        for e in engagements
    ]
    accounts = [e.get("child_account_id") for e in engagements]
    delays = [float(e["delay_s"]) if e.get("delay_s") is not None else float("nan") for e in engagements]
    parent_of = dict(zip(ids, parents))
    depth = {"root": 0}
    for node in ids:
        chain, current = [], node
        while current not in depth and current in parent_of and len(chain) <= len(ids):
            chain.append(current)
            current = parent_of[current]
        base = depth.get(current, 0)  # a cycle in bad data hangs from the root
        for offset, item in enumerate(reversed(chain)):
            depth[item] = base + 1 + offset
    rows = [
        {"node": n, "parent": p, "account_id": a if isinstance(a, str) else None, "delay_s": t, "depth": depth[n]}
        for n, p, a, t in zip(ids, parents, accounts, delays)
    ]
    rows.sort(key=lambda r: (r["depth"], r["delay_s"] if r["delay_s"] == r["delay_s"] else float("inf"), r["node"]))
    root = {
        "node": "root",
        "parent": None,
        "account_id": root_account if isinstance(root_account, str) else None,
        "delay_s": 0.0,
        "depth": 0,
    }
    return [root, *rows]


def layout(edges: list[dict], highlight: str | None, names: dict[str, str] | None = None) -> dict:
    """Positions for the SVG: {width, height, nodes: [{x, y, label, title, mark, root}], links: [{x1,y1,x2,y2}]}."""
    names = names or {}
    children: dict[str, list[str]] = {}
    info = {}
    for row in edges:
        info[row["node"]] = row
        if row["parent"] is not None:
            children.setdefault(row["parent"], []).append(row["node"])
    y_of: dict[str, float] = {}
    next_leaf = 0
    # post-order without recursion: a leaf takes the next row, a parent sits between its children
    stack = [("root", False)]
    while stack:
        node, expanded = stack.pop()
        kids = children.get(node, [])
        if not kids:
            y_of[node] = float(next_leaf)
            next_leaf += 1
        elif expanded:
            y_of[node] = (y_of[kids[0]] + y_of[kids[-1]]) / 2
        else:
            stack.append((node, True))
            stack.extend((k, False) for k in reversed(kids))
    max_depth = max((r["depth"] for r in edges), default=0)
    nodes, links = [], []
    for node, y in y_of.items():
        row = info[node]
        x = PAD + row["depth"] * COL
        yy = PAD + y * ROW
        account = row["account_id"]
        name = names.get(account, account) if account else "(news root)"
        delay = row["delay_s"]
        when = "root" if node == "root" else (f"+{_duration(delay)}" if not math.isnan(delay) else "")
        nodes.append(
            {
                "x": x,
                "y": yy,
                "label": name or "",
                "title": f"{name} {when}".strip(),
                "mark": bool(highlight and account == highlight),
                "root": node == "root",
                "account_id": account,
            }
        )
        if row["parent"] is not None and row["parent"] in y_of:
            parent = info[row["parent"]]
            links.append({"x1": PAD + parent["depth"] * COL, "y1": PAD + y_of[row["parent"]] * ROW, "x2": x, "y2": yy})
    nodes.sort(key=lambda n: (n["y"], n["x"]))
    return {
        "width": PAD * 2 + max_depth * COL + COL,
        "height": PAD * 2 + max(next_leaf - 1, 0) * ROW + 4,
        "nodes": nodes,
        "links": links,
    }


def level_summary(edges: list[dict], highlight: str | None, names: dict[str, str] | None = None) -> dict:
    """Per-depth summary of a large cascade: {levels: [{depth, n, accounts, mine, first, last, top, bar}], max_n}."""
    names = names or {}
    by_depth: dict[int, list[dict]] = {}
    for row in edges[1:]:
        by_depth.setdefault(row["depth"], []).append(row)
    max_n = max((len(v) for v in by_depth.values()), default=1)
    levels = []
    for depth in sorted(by_depth):
        group = by_depth[depth]
        counts = Counter(r["account_id"] for r in group if r["account_id"])
        top = [names.get(a, a) for a, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:3]]
        delays = [r["delay_s"] for r in group if r["delay_s"] == r["delay_s"]]
        levels.append(
            {
                "depth": int(depth),
                "n": len(group),
                "accounts": len(counts),
                "mine": counts.get(highlight, 0) if highlight else 0,
                "first": _duration(min(delays)) if delays else "?",
                "last": _duration(max(delays)) if delays else "?",
                "top": top,
                "bar": 4 + 400 * len(group) / max_n,
            }
        )
    return {"levels": levels, "max_n": max_n}


def propagation(
    cascade,
    engagements,
    highlight: str | None = None,
    names: dict[str, str] | None = None,
    max_nodes: int = 150,
    edges: list[dict] | None = None,
) -> dict:
    """What the ``tree_svg`` macro draws: ``kind`` "tree" (with layout) or "levels" (per-level summary).
    ``edges`` (from ``tree_edges``) may be given instead of computing them from the engagements."""
    edges = edges if edges is not None else tree_edges(cascade, engagements)
    out = {"n": len(edges) - 1, "depth": max(r["depth"] for r in edges)}
    if len(edges) <= max_nodes:
        out.update(kind="tree", **layout(edges, highlight, names), labels=len(edges) <= 60)
    else:
        out.update(kind="levels", **level_summary(edges, highlight, names))
    return out


def _duration(seconds) -> str:
    if seconds is None or math.isnan(seconds):
        return "?"
    seconds = float(seconds)
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds / 60:.0f}min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"
