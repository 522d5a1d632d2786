"""Read-side of the review desk: the ranked queue (paged in SQLite) and the account/cascade/domain
views (built from the workflow's declared outputs under ``results/{dataset}/``).

The ranked accounts are copied once into an indexed SQLite file (``queue-{dataset}.sqlite`` beside
the verdict store, rebuilt when ``ranked_accounts.csv`` changes), and the verdict store is ATTACHed
so live review status filters and sorts with the rest; a page costs O(page) through the indexes
(filtered totals are counted up to ``COUNT_CAP``).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch.ranking import COMPONENTS

COUNT_CAP = 10_000
SORTABLE = ("rank", "score", *COMPONENTS, "screen_name", "status")
STATUSES = ("unreviewed", "confirmed", "dismissed", "unsure")
COMPONENT_WORDS = {
    "fib_index": "FIB-index (misinformation reshared by many)",
    "misinfo_seeded": "misinformation cascades seeded",
    "misinfo_reach": "reach of its misinformation",
    "misinfo_degree": "accounts reached by its misinformation",
    "misinfo_amplified": "misinformation it amplified",
    "bot_amplification": "amplified by likely bots",
    "coordination": "coordinated co-sharing",
    "bot_probability": "bot probability",
}
QUEUE_SCHEMA_VERSION = "3"


@dataclass
class QueueQuery:
    """Filters, sort and page of the queue (all optional; validated by ``clean``)."""
    q: str = ""
    status: str = ""
    component: str = ""
    min_component: float | None = None
    min_score: float | None = None
    max_score: float | None = None
    sort: str = "rank"
    desc: bool = False
    page: int = 1
    per_page: int = 50

    def clean(self) -> "QueueQuery":
        self.q = (self.q or "").strip()[:100]
        self.status = self.status if self.status in STATUSES else ""
        self.component = self.component if self.component in COMPONENTS else ""
        self.sort = self.sort if self.sort in SORTABLE else "rank"
        self.page = max(1, min(int(self.page or 1), 10**7))
        self.per_page = max(10, min(int(self.per_page or 50), 200))
        for name in ("min_component", "max_score", "min_score"):
            value = getattr(self, name)
            if value is not None and not (value == value and -1e9 < value < 1e9):
                setattr(self, name, None)
        if self.component and self.min_component is None:
            self.min_component = 0.5
        return self


def _file_key(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha256(f"{QUEUE_SCHEMA_VERSION}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()


def build_queue_db(ranked_csv: str | Path, out: str | Path) -> Path:
    """Copy ``ranked_accounts.csv`` into an indexed SQLite table ``ranked`` (rebuilt only when the CSV
    changed). Columns: every CSV column, plus ``reasons`` (top_reasons), ``search`` (lower-case
    account_id + screen_name + name)."""
    ranked_csv, out = Path(ranked_csv), Path(out)
    key = _file_key(ranked_csv)
    if out.exists():
        try:
            con = sqlite3.connect(out)
            stored = con.execute("SELECT value FROM meta WHERE key = 'source'").fetchone()
            con.close()
            if stored and stored[0] == key:
                return out
        except sqlite3.DatabaseError:
            pass
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    text_cols = {"account_id": str, "screen_name": str, "name": str, "label": str, "review_status": str,
                 "reviewer": str, "top_reasons": str}
    table = pd.read_csv(ranked_csv, dtype=text_cols, keep_default_na=False,
                        na_values={c: [""] for c in ("score", "rank", *COMPONENTS)})
    for c in COMPONENTS:
        if c not in table:
            table[c] = np.nan
        # the combined score is built from percentile ranks; the CSV keeps the raw component values
        table[f"{c}_pct"] = pd.to_numeric(table[c], errors="coerce").rank(pct=True, method="max")
    for c in ("screen_name", "name", "label", "review_status", "top_reasons"):
        if c not in table:
            table[c] = ""
    table["search"] = (table["account_id"] + " " + table["screen_name"] + " " + table["name"]).str.lower()
    for start in range(0, len(table), 200_000):
        table.iloc[start:start + 200_000].to_sql("ranked", con, if_exists="replace" if start == 0 else "append",
                                                 index=False)
    del table
    con.execute("CREATE UNIQUE INDEX ranked_id ON ranked (account_id)")
    con.execute("CREATE INDEX ranked_rank ON ranked (rank)")
    con.execute("CREATE INDEX ranked_score ON ranked (score, label)")
    for c in COMPONENTS:
        con.execute(f'CREATE INDEX "ranked_{c}" ON ranked ("{c}_pct")')
    con.execute("CREATE INDEX ranked_name ON ranked (screen_name)")
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    con.execute("INSERT INTO meta VALUES ('source', ?)", (key,))
    con.execute("INSERT INTO meta VALUES ('rows', (SELECT COUNT(*) FROM ranked))")
    con.commit()
    con.close()
    tmp.replace(out)
    return out


class Queue:
    """Pages of the ranked accounts joined with live verdicts (thread-local read connections)."""

    def __init__(self, queue_db: str | Path, verdict_db: str | Path, dataset: str):
        self.queue_db, self.verdict_db, self.dataset = Path(queue_db), Path(verdict_db), dataset
        self._local = threading.local()
        con = self._con()
        self.total = int(con.execute("SELECT value FROM meta WHERE key = 'rows'").fetchone()[0])
        self.columns = [r[1] for r in con.execute("PRAGMA table_info(ranked)")]

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.queue_db.resolve()}?mode=ro", uri=True, check_same_thread=False)
            con.execute("ATTACH DATABASE ? AS v", (f"file:{self.verdict_db.resolve()}?mode=ro",))
            con.row_factory = sqlite3.Row
            self._local.con = con
        return con

    def _where(self, query: QueueQuery) -> tuple[str, list]:
        clauses, params = [], []
        if query.q:
            clauses.append("r.search LIKE ? ESCAPE '\\'")
            escaped = query.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.append(f"%{escaped}%")
        if query.status == "unreviewed":
            clauses.append("vv.verdict IS NULL")
        elif query.status:
            clauses.append("vv.verdict = ?")
            params.append(query.status)
        if query.component and query.min_component is not None:
            clauses.append(f'r."{query.component}_pct" >= ?')
            params.append(query.min_component)
        if query.min_score is not None:
            clauses.append("r.score >= ?")
            params.append(query.min_score)
        if query.max_score is not None:
            clauses.append("r.score <= ?")
            params.append(query.max_score)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def page(self, query: QueueQuery) -> dict:
        """{rows: [dict], total, total_capped, pages, query}; rows carry ``status``/``reviewer``/``note``."""
        query.clean()
        con = self._con()
        where, params = self._where(query)
        if query.status in STATUSES[1:]:
            # few accounts carry a verdict: walk the verdicts, not the million ranked rows
            source = "v.verdicts vv CROSS JOIN ranked r ON vv.dataset = ? AND r.account_id = vv.account_id"
        else:
            source = "ranked r LEFT JOIN v.verdicts vv ON vv.dataset = ? AND vv.account_id = r.account_id"
        order_col = {"status": "COALESCE(vv.verdict, 'unreviewed')", "screen_name": "r.screen_name",
                     "rank": "r.rank", "score": "r.score"}.get(query.sort, f'r."{query.sort}_pct"')
        direction = "DESC" if query.desc else "ASC"
        tie = "r.rank ASC" if query.sort != "rank" else "r.account_id ASC"
        offset = (query.page - 1) * query.per_page
        sql = (f"SELECT r.*, COALESCE(vv.verdict, 'unreviewed') AS status, vv.reviewer AS v_reviewer, "
               f"vv.note AS v_note FROM {source}{where} ORDER BY {order_col} {direction}, {tie} "
               f"LIMIT ? OFFSET ?")
        rows = [dict(r) for r in con.execute(sql, [self.dataset, *params, query.per_page, offset])]
        if where:
            total = con.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {source}{where} LIMIT ?)",
                                [self.dataset, *params, COUNT_CAP + 1]).fetchone()[0]
        else:
            total = self.total
        capped = total > COUNT_CAP
        total = min(total, COUNT_CAP) if capped else total
        pages = max(1, -(-total // query.per_page))
        return {"rows": rows, "total": total, "total_capped": capped, "pages": pages, "query": query}

    def row(self, account_id: str) -> dict | None:
        r = self._con().execute("SELECT * FROM ranked WHERE account_id = ?", (str(account_id),)).fetchone()
        return dict(r) if r else None

    def neighbours(self, rank: int) -> tuple[str | None, str | None]:
        con = self._con()
        prev = con.execute("SELECT account_id FROM ranked WHERE rank < ? ORDER BY rank DESC LIMIT 1", (rank,)).fetchone()
        nxt = con.execute("SELECT account_id FROM ranked WHERE rank > ? ORDER BY rank ASC LIMIT 1", (rank,)).fetchone()
        return (prev[0] if prev else None), (nxt[0] if nxt else None)

    def names(self, ids) -> dict[str, str]:
        ids = [str(i) for i in ids if isinstance(i, str)]
        out = {}
        con = self._con()
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            marks = ",".join("?" * len(part))
            for account_id, name in con.execute(
                    f"SELECT account_id, screen_name FROM ranked WHERE account_id IN ({marks})", part):
                out[account_id] = name or account_id
        return out


def reasons_in_words(row: dict, n: int = 3) -> list[str]:
    """The top reasons: the workflow's ``top_reasons`` text split on ';', else the highest components."""
    text = row.get("top_reasons") or ""
    parts = [p.strip() for p in str(text).split(";") if p.strip()]
    if parts:
        return parts[:n]
    comps = [(row.get(f"{c}_pct"), c) for c in COMPONENTS
             if isinstance(row.get(f"{c}_pct"), (int, float)) and row.get(f"{c}_pct") == row.get(f"{c}_pct")]
    comps.sort(reverse=True)
    return [f"{COMPONENT_WORDS[c]} (percentile {v:.2f})" for v, c in comps[:n] if v > 0]


class Details:
    """Canonical tables and scores of one dataset, loaded once, indexed for account/cascade/domain pages."""

    def __init__(self, results_dir: str | Path, dataset: str):
        base = Path(results_dir) / dataset
        self.base = base
        canonical = base / "canonical"

        def read(path, columns=None):
            path = Path(path)
            if not path.exists():
                return None
            return pd.read_parquet(path, columns=columns)

        self.accounts = read(canonical / "accounts.parquet")
        self.posts = read(canonical / "posts.parquet")
        self.cascades = read(canonical / "cascades.parquet")
        self.engagements = read(canonical / "engagements.parquet")
        self.account_scores = read(base / "scores" / "accounts.parquet")
        self.cascade_scores = read(base / "scores" / "cascades.parquet")
        self.pairs = read(base / "graphs" / "coengagement_pairs.parquet")
        domains_csv = base / "ranked_domains.csv"
        self.domains = pd.read_csv(domains_csv, dtype={"domain": str}) if domains_csv.exists() else None
        self.account_index = self.accounts.set_index("account_id") if self.accounts is not None else None
        self.posts_by_account = _groups(self.posts, "account_id")
        self.eng_by_child = _groups(self.engagements, "child_account_id")
        self.eng_by_cascade = _groups(self.engagements, "cascade_id")
        self.cascade_index = self.cascades.set_index("cascade_id") if self.cascades is not None else None
        self.cascades_by_root = _groups(self.cascades, "root_account_id")
        self.cascades_by_domain = _groups(self.cascades, "domain")
        self.p_misinfo = (self.cascade_scores.set_index("cascade_id")["misinfo_probability"]
                          if self.cascade_scores is not None and "misinfo_probability" in self.cascade_scores else pd.Series(dtype=float))
        self.pairs_by_account = {}
        if self.pairs is not None and len(self.pairs):
            both = pd.concat([
                self.pairs.rename(columns={"account_a": "account", "account_b": "partner"}),
                self.pairs.rename(columns={"account_b": "account", "account_a": "partner"})], ignore_index=True)
            both = both.sort_values(["account", "n_cascades", "partner"], ascending=[True, False, True])
            self.pairs_by_account = _groups(both, "account", keep=both)
        self.bot_calibration = self._bot_calibration()

    def _bot_calibration(self) -> list[dict]:
        """Reliability of the out-of-fold bot probability: per tenth, labelled accounts and bot share."""
        s = self.account_scores
        if s is None or "bot_probability" not in s or "label" not in s:
            return []
        known = s[s["label"].isin(["bot", "human"]) & s["bot_probability"].notna()]
        if known.empty:
            return []
        bins = np.clip((known["bot_probability"].to_numpy(float) * 10).astype(int), 0, 9)
        out = []
        for b in range(10):
            sel = known[bins == b]
            out.append({"low": b / 10, "high": (b + 1) / 10, "n": len(sel),
                        "bot_share": float((sel["label"] == "bot").mean()) if len(sel) else None})
        return out

    def account(self, account_id: str) -> dict | None:
        if self.account_index is None or account_id not in self.account_index.index:
            return None
        row = self.account_index.loc[account_id]
        return {"account_id": account_id, **{k: _clean(v) for k, v in row.items()}}

    def scores(self, account_id: str) -> dict:
        if self.account_scores is None:
            return {}
        sel = self.account_scores[self.account_scores["account_id"] == account_id]
        return {k: _clean(v) for k, v in sel.iloc[0].items()} if len(sel) else {}

    def timeline(self, account_id: str, bins: int = 40) -> dict:
        """Posts per time bin: {bars: [{x, h, n, label}], start, end, n}; empty when no dated posts."""
        posts = _take(self.posts, self.posts_by_account, account_id)
        if posts is None or posts.empty or "created_at" not in posts or posts["created_at"].isna().all():
            return {"bars": [], "n": 0 if posts is None else len(posts)}
        times = pd.to_datetime(posts["created_at"], utc=True).dropna()
        if self.posts is not None and "created_at" in self.posts:
            lo, hi = self._post_range()
        else:
            lo, hi = times.min(), times.max()
        span = max((hi - lo).total_seconds(), 1.0)
        idx = np.clip(((times - lo).dt.total_seconds() / span * bins).astype(int), 0, bins - 1)
        counts = np.bincount(idx, minlength=bins)
        top = max(int(counts.max()), 1)
        bars = [{"x": i * 12, "h": 2 + 58 * c / top, "n": int(c),
                 "label": (lo + pd.Timedelta(seconds=span * i / bins)).strftime("%Y-%m-%d %H:%M")}
                for i, c in enumerate(counts)]
        return {"bars": bars, "n": len(times), "start": lo.strftime("%Y-%m-%d"), "end": hi.strftime("%Y-%m-%d"),
                "max": top, "width": bins * 12}

    def _post_range(self):
        if not hasattr(self, "_range"):
            times = pd.to_datetime(self.posts["created_at"], utc=True)
            self._range = (times.min(), times.max())
        return self._range

    def sample_posts(self, account_id: str, n: int = 8) -> list[dict]:
        posts = _take(self.posts, self.posts_by_account, account_id)
        if posts is None or posts.empty:
            return []
        posts = posts.sort_values(["created_at", "post_id"]) if "created_at" in posts else posts
        originals = posts[posts["kind"] == "original"] if "kind" in posts else posts
        chosen = pd.concat([originals.head(n), posts.head(n)]).drop_duplicates("post_id").head(n)
        return [{k: _clean(v) for k, v in r.items()} for r in chosen.to_dict("records")]

    def cascades_of(self, account_id: str, limit: int = 12) -> list[dict]:
        """Cascades it seeded (role 'seeded') and those it amplified (role 'amplified'), by size."""
        out = {}
        seeded = _take(self.cascades, self.cascades_by_root, account_id)
        if seeded is not None:
            for cid in seeded["cascade_id"]:
                out[cid] = "seeded"
        engaged = _take(self.engagements, self.eng_by_child, account_id)
        if engaged is not None:
            for cid in engaged["cascade_id"].unique():
                out.setdefault(cid, "amplified")
        rows = []
        for cid, role in out.items():
            rows.append({**self.cascade_summary(cid), "role": role})
        rows.sort(key=lambda r: (r["role"] != "seeded", -r["size"], r["cascade_id"]))
        return rows[:limit]

    def cascade_summary(self, cascade_id: str) -> dict:
        c = self.cascade_index.loc[cascade_id] if self.cascade_index is not None and cascade_id in self.cascade_index.index else {}
        size = len(self.eng_by_cascade.get(cascade_id, ()))
        p = self.p_misinfo.get(cascade_id)
        return {"cascade_id": cascade_id, "size": size, "title": _clean(c.get("title")) if len(c) else None,
                "domain": _clean(c.get("domain")) if len(c) else None,
                "root_account_id": _clean(c.get("root_account_id")) if len(c) else None,
                "label": _clean(c.get("label")) if len(c) else None,
                "created_at": _clean(c.get("created_at")) if len(c) else None,
                "misinfo_probability": None if p is None or p != p else float(p)}

    def cascade_engagements(self, cascade_id: str) -> pd.DataFrame:
        eng = _take(self.engagements, self.eng_by_cascade, cascade_id)
        return eng if eng is not None else pd.DataFrame(
            columns=["engagement_id", "parent_engagement_id", "child_account_id", "delay_s"])

    def partners(self, account_id: str, limit: int = 20) -> list[dict]:
        sel = self.pairs_by_account.get(account_id)
        if sel is None:
            return []
        return [{"account_id": r.partner, "n_cascades": int(r.n_cascades)} for r in sel.head(limit).itertuples()]

    def domains_of(self, account_id: str) -> list[dict]:
        posts = _take(self.posts, self.posts_by_account, account_id)
        if posts is None or "domain" not in posts:
            return []
        counts = posts["domain"].dropna().value_counts()
        counts = counts.sort_index().sort_values(ascending=False, kind="stable").head(5)
        return [{"domain": d, "n": int(n)} for d, n in counts.items()]

    def domain(self, name: str) -> dict | None:
        row = None
        if self.domains is not None:
            sel = self.domains[self.domains["domain"] == name]
            row = {k: _clean(v) for k, v in sel.iloc[0].items()} if len(sel) else None
        cascades = _take(self.cascades, self.cascades_by_domain, name)
        if row is None and (cascades is None or cascades.empty):
            return None
        summaries = [self.cascade_summary(c) for c in (cascades["cascade_id"] if cascades is not None else [])]
        summaries.sort(key=lambda r: (-r["size"], r["cascade_id"]))
        seeders = pd.Series([s["root_account_id"] for s in summaries if s["root_account_id"]], dtype=object)
        seeders = seeders.value_counts().sort_index().sort_values(ascending=False, kind="stable").head(15)
        return {"domain": name, "row": row, "cascades": summaries[:30], "n_cascades": len(summaries),
                "seeders": [{"account_id": a, "n": int(n)} for a, n in seeders.items()]}

    def drivers(self, cascade_id: str, limit: int = 15) -> list[dict]:
        """Accounts that drove a cascade: engagements made and reshares of their engagements received."""
        eng = self.cascade_engagements(cascade_id)
        if eng.empty:
            return []
        made = eng["child_account_id"].value_counts()
        parent = eng["parent_account_id"].value_counts() if "parent_account_id" in eng else pd.Series(dtype=int)
        frame = pd.DataFrame({"made": made, "received": parent}).fillna(0).astype(int)
        frame["total"] = frame["made"] + frame["received"]
        frame = frame.sort_index().sort_values("total", ascending=False, kind="stable").head(limit)
        return [{"account_id": a, "made": int(r.made), "received": int(r.received)} for a, r in frame.iterrows()]


def _groups(frame: pd.DataFrame | None, column: str, keep: pd.DataFrame | None = None) -> dict:
    """{value: row positions} (or sub-frames when ``keep`` is given) for fast per-key look-ups."""
    if frame is None or column not in frame or frame.empty:
        return {}
    groups = frame.groupby(column, sort=False).indices
    if keep is not None:
        return {k: keep.iloc[v] for k, v in groups.items()}
    return groups


def _take(frame, groups: dict, key):
    if frame is None:
        return None
    positions = groups.get(key)
    if positions is None:
        return frame.iloc[0:0]
    return frame.iloc[positions]


def _clean(value):
    """Plain Python value for templates: NA -> None, timestamps -> ISO text, numpy -> Python."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if isinstance(value, np.generic):
        return value.item()
    return value


def score_context(queue_db_con: sqlite3.Connection, score: float) -> dict:
    """Where a combined score sits: share of accounts at or above it."""
    total = queue_db_con.execute("SELECT value FROM meta WHERE key = 'rows'").fetchone()[0]
    above = queue_db_con.execute("SELECT COUNT(*) FROM ranked WHERE score >= ?", (score,)).fetchone()[0]
    return {"above": int(above), "total": int(total), "share": float(above) / max(int(total), 1)}


def dumps(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)
