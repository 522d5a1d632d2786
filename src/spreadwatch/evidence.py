"""The evidence behind each flagged account, precomputed by the ranking stage for the report.

The report renders declared outputs only: instead of reading the canonical tables and re-deriving
reshare edges, it reads ``results/{dataset}/ranked_evidence.json``, written here from the ranked list.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


def account_evidence(
    ranked: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    edges: pd.DataFrame,
    coordination: pd.DataFrame | None,
    top_n: int = 50,
    cascades_per_account: int = 2,
    posts_per_account: int = 3,
    partners_per_account: int = 10,
) -> list[dict]:
    """Evidence of the first ``top_n`` ranked accounts, in rank order.

    In: ranked (account_id, ...), tables (accounts: account_id, description; cascades: cascade_id,
    root_account_id, label, title; engagements: cascade_id, child_account_id; posts: post_id,
    account_id, text), edges (cascade_id, source, target: who reshared whom), coordination (account_a,
    account_b, n_cascades). Out, one dict per account: account_id, description, cascades (the largest
    ``cascades_per_account`` it seeded or amplified: cascade_id, role, size, label, title, edges as
    [source, target] pairs), partners (account, n_cascades), posts (texts, by post_id)."""
    empty = {
        "accounts": ["account_id"],
        "cascades": ["cascade_id", "root_account_id"],
        "engagements": ["cascade_id", "child_account_id"],
        "posts": ["account_id", "text"],
    }
    tables = {name: tables.get(name, pd.DataFrame(columns=cols)) for name, cols in empty.items()}
    accounts = (
        tables["accounts"].assign(account_id=tables["accounts"]["account_id"].astype(str)).set_index("account_id")
    )
    cascades, engagements, posts = tables["cascades"], tables["engagements"], tables["posts"]
    size = engagements.groupby("cascade_id").size()
    labels = cascades.set_index("cascade_id")["label"] if "label" in cascades else pd.Series(dtype="string")
    titles = cascades.set_index("cascade_id")["title"] if "title" in cascades else pd.Series(dtype="string")
    # only the accounts that get a page are looked up: the cost stays bounded by top_n, not the dataset
    shown = ranked.head(top_n)["account_id"].astype(str).tolist()
    shown_ids = set(shown)
    seeded = cascades[["cascade_id", "root_account_id"]].rename(columns={"root_account_id": "account_id"})
    amplified = engagements[["cascade_id", "child_account_id"]].rename(columns={"child_account_id": "account_id"})
    seeded = seeded[seeded["account_id"].astype(str).isin(shown_ids)]
    amplified = amplified[amplified["account_id"].astype(str).isin(shown_ids)]
    posted = (
        pd.concat([seeded.assign(role="seeded"), amplified.assign(role="amplified")])
        .dropna()
        .drop_duplicates(["cascade_id", "account_id"])
    )
    posted["account_id"] = posted["account_id"].astype(str)
    posted["size"] = posted["cascade_id"].map(size).fillna(0)
    posted = posted.sort_values(["account_id", "size", "cascade_id"], ascending=[True, False, True], kind="stable")
    posted = posted.groupby("account_id", sort=False).head(cascades_per_account)
    edges = edges[edges["cascade_id"].isin(set(posted["cascade_id"]))]
    edges_by_cascade = {
        c: [[str(s), str(t)] for s, t in zip(g["source"], g["target"])]
        for c, g in edges.groupby("cascade_id", sort=False)
    }
    partners: dict[str, pd.DataFrame] = {}
    if coordination is not None and len(coordination):
        pairs = pd.concat(
            [
                coordination.rename(columns={"account_a": "a", "account_b": "b"}),
                coordination.rename(columns={"account_a": "b", "account_b": "a"}),
            ]
        )
        pairs = pairs[pairs["a"].astype(str).isin(shown_ids)]
        pairs = pairs.sort_values(["a", "n_cascades", "b"], ascending=[True, False, True], kind="stable")
        partners = {str(a): g for a, g in pairs.groupby("a", sort=False)}
    if "text" in posts and len(posts):
        posts = posts[posts["account_id"].astype(str).isin(shown_ids) & posts["text"].notna()]
        if "post_id" in posts:
            posts = posts.sort_values("post_id", kind="stable")
    out = []
    for account in shown:
        description = accounts["description"].get(account) if "description" in accounts else None
        mates = partners.get(account, pd.DataFrame(columns=["b", "n_cascades"])).head(partners_per_account)
        texts = (
            posts.loc[posts["account_id"].astype(str) == account, "text"].head(posts_per_account)
            if "text" in posts and len(posts)
            else []
        )
        out.append(
            {
                "account_id": account,
                "description": None if pd.isna(description) else str(description),
                "cascades": [
                    {
                        "cascade_id": str(c.cascade_id),
                        "role": c.role,
                        "size": int(c.size),
                        "label": _text(labels.get(c.cascade_id)),
                        "title": _text(titles.get(c.cascade_id)),
                        "edges": edges_by_cascade.get(c.cascade_id, []),
                    }
                    for c in posted[posted["account_id"] == account].itertuples(index=False)
                ],
                "partners": [
                    {"account": str(b), "n_cascades": int(n)} for b, n in zip(mates["b"], mates["n_cascades"])
                ],
                "posts": [str(t) for t in texts],
            }
        )
    return out


def _text(value) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def write_evidence(evidence: list[dict], path: str | Path) -> None:
    """Write the evidence list as sorted, indented JSON."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(evidence, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def read_evidence(path: str | Path | None) -> list[dict]:
    """The evidence list (empty when ``path`` is None)."""
    return [] if path is None else json.loads(Path(path).read_text(encoding="utf-8"))
