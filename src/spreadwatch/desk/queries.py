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
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch.ranking import COMPONENTS

COUNT_CAP = 10_000
SORTABLE = ("rank", "score", *COMPONENTS, "screen_name")  # status: a filter (few accounts carry one)
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
QUEUE_SCHEMA_VERSION = "5"


def _stamp(t: float) -> str:
    """UTC minute of an epoch-seconds time, for chart labels."""
    return pd.Timestamp(t, unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M")


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

    def clean(self) -> QueueQuery:
        self.q = (self.q or "").strip()[:100]
        self.status = self.status if self.status in STATUSES else ""
        self.component = self.component if self.component in COMPONENTS else ""
        self.sort = self.sort if self.sort in SORTABLE else "rank"
        self.page = max(1, min(int(self.page or 1), 10**7))
        self.per_page = max(10, min(int(self.per_page or 50), 200))
        for name in ("min_component", "max_score", "min_score"):
            value = getattr(self, name)
            if value is not None and not (-1e9 < value < 1e9):
                setattr(self, name, None)
        if self.component and self.min_component is None:
            self.min_component = 0.5
        return self


def _file_key(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha256(
        f"{QUEUE_SCHEMA_VERSION}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    ).hexdigest()


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
    text_cols = {
        "account_id": str,
        "screen_name": str,
        "name": str,
        "label": str,
        "review_status": str,
        "reviewer": str,
        "top_reasons": str,
    }
    table = pd.read_csv(
        ranked_csv, dtype=text_cols, keep_default_na=False, na_values={c: [""] for c in ("score", "rank", *COMPONENTS)}
    )
    for c in COMPONENTS:
        if c not in table:
            table[c] = np.nan
        # the combined score is built from percentile ranks; the CSV keeps the raw component values
        # (as ranking.combine: ties share a rank, a zero component is percentile 0)
        values = pd.to_numeric(table[c], errors="coerce")
        table[f"{c}_pct"] = values.rank(pct=True, method="average").where(values > 0, 0.0).where(values.notna())
    for c in ("screen_name", "name", "label", "review_status", "top_reasons"):
        if c not in table:
            table[c] = ""
    table["search"] = (table["account_id"] + " " + table["screen_name"] + " " + table["name"]).str.lower()
    for start in range(0, len(table), 200_000):
        table.iloc[start : start + 200_000].to_sql(
            "ranked", con, if_exists="replace" if start == 0 else "append", index=False
        )
    del table
    con.execute("CREATE UNIQUE INDEX ranked_id ON ranked (account_id)")
    con.execute("CREATE INDEX ranked_rank ON ranked (rank)")
    con.execute("CREATE INDEX ranked_score ON ranked (score, label)")
    for c in COMPONENTS:
        con.execute(f'CREATE INDEX "ranked_{c}" ON ranked ("{c}_pct")')
    con.execute("CREATE INDEX ranked_name ON ranked (screen_name)")
    # substring search over id, handle and name through a trigram index (SQLite >= 3.34)
    con.execute(
        "CREATE VIRTUAL TABLE ranked_fts USING fts5(search, content='ranked', content_rowid='rowid', "
        "tokenize='trigram')"
    )
    con.execute("INSERT INTO ranked_fts (ranked_fts) VALUES ('rebuild')")
    # score histogram (0.001 wide bins) with label counts: "what a score of s means here" in O(bins)
    con.execute(
        "CREATE TABLE score_hist AS SELECT CAST(score * 1000 AS INTEGER) AS b, COUNT(*) AS n, "
        "SUM(label = 'bot') AS bots, SUM(label = 'human') AS humans FROM ranked "
        "WHERE score IS NOT NULL GROUP BY b"
    )
    con.execute("CREATE UNIQUE INDEX score_hist_b ON score_hist (b)")
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
        low, high = con.execute("SELECT MIN(rank), MAX(rank) FROM ranked").fetchone()
        self.contiguous = low == 1 and high == self.total  # ranks 1..N: pages are rank ranges

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
        if len(query.q) >= 3:  # trigram index: matches are looked up, not scanned for
            clauses.append("r.rowid IN (SELECT rowid FROM ranked_fts WHERE ranked_fts MATCH ?)")
            params.append('"' + query.q.lower().replace('"', '""') + '"')
        elif query.q:  # one or two characters: handles starting with them (through the name index)
            clauses.append("r.screen_name >= ? AND r.screen_name < ?")
            params += [query.q, query.q + "\U0010ffff"]
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
        order_col = {
            "status": "COALESCE(vv.verdict, 'unreviewed')",
            "screen_name": "r.screen_name",
            "rank": "r.rank",
            "score": "r.score",
        }.get(query.sort, f'r."{query.sort}_pct"')
        direction = "DESC" if query.desc else "ASC"
        tie = "r.rank ASC" if query.sort != "rank" else "r.account_id ASC"
        offset = (query.page - 1) * query.per_page
        columns = "r.*, COALESCE(vv.verdict, 'unreviewed') AS status, vv.reviewer AS v_reviewer, vv.note AS v_note"
        needs_verdicts = bool(query.status)
        if not where and query.sort == "rank" and self.contiguous:
            # ranks are 1..N: the page is a range of the rank index (keyset), however deep
            low, high = (
                (self.total - offset - query.per_page + 1, self.total - offset)
                if query.desc
                else (offset + 1, offset + query.per_page)
            )
            sql = (
                f"SELECT {columns} FROM ranked r LEFT JOIN v.verdicts vv ON vv.dataset = ? "
                f"AND vv.account_id = r.account_id WHERE r.rank BETWEEN ? AND ? ORDER BY r.rank {direction}"
            )
            args = [self.dataset, low, high]
            count_from = "ranked r"
        elif needs_verdicts:
            sql = f"SELECT {columns} FROM {source}{where} ORDER BY {order_col} {direction}, {tie} LIMIT ? OFFSET ?"
            args = [self.dataset, *params, query.per_page, offset]
            count_from = source
        else:
            # page through the ranked table's indexes alone, then join the verdicts of the page's rows:
            # a deep page skips index entries, not joined rows
            inner = (
                f"SELECT r.rowid AS rid FROM ranked r{where} ORDER BY {order_col} {direction}, {tie} LIMIT ? OFFSET ?"
            )
            sql = (
                f"SELECT {columns} FROM ({inner}) AS p JOIN ranked r ON r.rowid = p.rid "
                f"LEFT JOIN v.verdicts vv ON vv.dataset = ? AND vv.account_id = r.account_id "
                f"ORDER BY {order_col} {direction}, {tie}"
            )
            args = [*params, query.per_page, offset, self.dataset]
            count_from = "ranked r"
        rows = [dict(r) for r in con.execute(sql, args)]
        if where:
            count_args = [self.dataset, *params] if needs_verdicts else list(params)
            total = con.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {count_from}{where} LIMIT ?)", [*count_args, COUNT_CAP + 1]
            ).fetchone()[0]
        else:
            total = self.total
        capped = bool(where) and total > COUNT_CAP
        total = min(total, COUNT_CAP) if capped else total
        pages = max(1, -(-total // query.per_page))
        return {"rows": rows, "total": total, "total_capped": capped, "pages": pages, "query": query}

    def row(self, account_id: str) -> dict | None:
        r = self._con().execute("SELECT * FROM ranked WHERE account_id = ?", (str(account_id),)).fetchone()
        return dict(r) if r else None

    def neighbours(self, rank: int) -> tuple[str | None, str | None]:
        con = self._con()
        prev = con.execute(
            "SELECT account_id FROM ranked WHERE rank < ? ORDER BY rank DESC LIMIT 1", (rank,)
        ).fetchone()
        nxt = con.execute("SELECT account_id FROM ranked WHERE rank > ? ORDER BY rank ASC LIMIT 1", (rank,)).fetchone()
        return (prev[0] if prev else None), (nxt[0] if nxt else None)

    def names(self, ids) -> dict[str, str]:
        ids = [str(i) for i in ids if isinstance(i, str)]
        out = {}
        con = self._con()
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for account_id, name in con.execute(
                f"SELECT account_id, screen_name FROM ranked WHERE account_id IN ({marks})", part
            ):
                out[account_id] = name or account_id
        return out


def reasons_in_words(row: dict, n: int = 3) -> list[str]:
    """The top reasons: the workflow's ``top_reasons`` text split on ';', else the highest components."""
    text = row.get("top_reasons") or ""
    parts = [p.strip() for p in str(text).split(";") if p.strip()]
    if parts:
        return parts[:n]
    comps = [
        (row.get(f"{c}_pct"), c)
        for c in COMPONENTS
        if isinstance(row.get(f"{c}_pct"), (int, float)) and row.get(f"{c}_pct") == row.get(f"{c}_pct")
    ]
    comps.sort(reverse=True)
    return [f"{COMPONENT_WORDS[c]} (percentile {v:.2f})" for v, c in comps[:n] if v > 0]


class Details:
    """Canonical tables and scores of one dataset, loaded once into per-key Python records so an
    account, cascade or domain page costs O(its own rows)."""

    def __init__(self, results_dir: str | Path, dataset: str):
        base = Path(results_dir) / dataset
        self.base = base
        canonical = base / "canonical"

        def read(path):
            path = Path(path)
            return pd.read_parquet(path) if path.exists() else None

        accounts = read(canonical / "accounts.parquet")
        posts = read(canonical / "posts.parquet")
        cascades = read(canonical / "cascades.parquet")
        engagements = read(canonical / "engagements.parquet")
        self.account_scores = read(base / "scores" / "accounts.parquet")
        cascade_scores = read(base / "scores" / "cascades.parquet")
        pairs = read(base / "graphs" / "coengagement_pairs.parquet")
        domains_csv = base / "ranked_domains.csv"
        self.domains = pd.read_csv(domains_csv, dtype={"domain": str}) if domains_csv.exists() else None

        self.accounts = _by_key(accounts, "account_id", unique=True)
        self.scores_by_account = _by_key(self.account_scores, "account_id", unique=True)
        self.posts_by_account = _by_key(
            posts, "account_id", ["post_id", "created_at", "kind", "text", "domain", "cascade_id"]
        )
        self.eng_by_cascade = _by_key(
            engagements,
            "cascade_id",
            ["engagement_id", "parent_engagement_id", "parent_account_id", "child_account_id", "delay_s"],
        )
        self.cascades_by_child: dict[str, list[str]] = {}
        for cid, rows in self.eng_by_cascade.items():
            for child in {r["child_account_id"] for r in rows if r["child_account_id"]}:
                self.cascades_by_child.setdefault(child, []).append(cid)
        p_misinfo = {}
        if cascade_scores is not None and "misinfo_probability" in cascade_scores:
            p_misinfo = dict(zip(cascade_scores["cascade_id"], cascade_scores["misinfo_probability"]))
        self.cascades = _by_key(cascades, "cascade_id", unique=True)
        for cid, c in self.cascades.items():
            p = p_misinfo.get(cid)
            c["size"] = len(self.eng_by_cascade.get(cid, ()))
            c["misinfo_probability"] = None if p is None or pd.isna(p) else float(p)
        self.cascades_by_root: dict[str, list[str]] = {}
        self.cascades_by_domain: dict[str, list[str]] = {}
        for cid, c in self.cascades.items():
            if c.get("root_account_id"):
                self.cascades_by_root.setdefault(c["root_account_id"], []).append(cid)
            if c.get("domain"):
                self.cascades_by_domain.setdefault(c["domain"], []).append(cid)
        self.pairs_by_account: dict[str, list[tuple[int, str]]] = {}
        if pairs is not None:
            for a, b, n in zip(pairs["account_a"], pairs["account_b"], pairs["n_cascades"]):
                self.pairs_by_account.setdefault(a, []).append((int(n), b))
                self.pairs_by_account.setdefault(b, []).append((int(n), a))
        times = [r["_t"] for rows in self.posts_by_account.values() for r in rows if r["_t"] is not None]
        self.post_range = (min(times), max(times)) if times else None
        self.bot_calibration = self._bot_calibration()
        self._trees: dict[str, list[dict]] = {}

    def _bot_calibration(self) -> list[dict]:
        """Reliability of the out-of-fold bot probability: per tenth, labelled accounts and bot share."""
        s = self.account_scores
        if s is None or "bot_probability" not in s or "label" not in s:
            return []
        known = s[s["label"].isin(["bot", "human"]) & s["bot_probability"].notna()]
        if known.empty:
            return []
        bins = np.clip((known["bot_probability"].to_numpy(float) * 10).astype(int), 0, 9)
        is_bot = (known["label"] == "bot").to_numpy()
        out = []
        for b in range(10):
            sel = bins == b
            out.append(
                {
                    "low": b / 10,
                    "high": (b + 1) / 10,
                    "n": int(sel.sum()),
                    "bot_share": float(is_bot[sel].mean()) if sel.any() else None,
                }
            )
        return out

    def account(self, account_id: str) -> dict | None:
        return self.accounts.get(account_id)

    def scores(self, account_id: str) -> dict:
        return self.scores_by_account.get(account_id, {})

    def timeline(self, account_id: str, bins: int = 40) -> dict:
        """Posts per time bin over the dataset's time range: {bars: [{x, h, n, label}], n, start, end}."""
        posts = self.posts_by_account.get(account_id, [])
        times = np.array([r["_t"] for r in posts if r["_t"] is not None], dtype=float)
        if not len(times) or self.post_range is None:
            return {"bars": [], "n": len(posts)}
        lo, hi = self.post_range
        span = max(hi - lo, 1.0)
        counts = np.bincount(np.clip(((times - lo) / span * bins).astype(int), 0, bins - 1), minlength=bins)
        top = max(int(counts.max()), 1)
        bars = [
            {"x": i * 12, "h": 2 + 58 * c / top, "n": int(c), "label": _stamp(lo + span * i / bins)}
            for i, c in enumerate(counts)
        ]
        return {
            "bars": bars,
            "n": len(times),
            "start": _stamp(lo)[:10],
            "end": _stamp(hi)[:10],
            "max": top,
            "width": bins * 12,
        }

    def sample_posts(self, account_id: str, n: int = 8) -> list[dict]:
        """Up to ``n`` posts, originals first, each group in time order."""
        posts = self.posts_by_account.get(account_id, [])
        ordered = sorted(
            posts,
            key=lambda r: (r.get("kind") != "original", r["_t"] if r["_t"] is not None else 0, str(r.get("post_id"))),
        )
        return sorted(ordered[:n], key=lambda r: (r["_t"] if r["_t"] is not None else 0, str(r.get("post_id"))))

    def cascades_of(self, account_id: str, limit: int = 12) -> list[dict]:
        """Cascades it seeded (role 'seeded') and those it amplified (role 'amplified'), largest first."""
        roles = {cid: "seeded" for cid in self.cascades_by_root.get(account_id, [])}
        for cid in self.cascades_by_child.get(account_id, []):
            roles.setdefault(cid, "amplified")
        rows = [{**self.cascade_summary(cid), "role": role} for cid, role in roles.items()]
        rows.sort(key=lambda r: (r["role"] != "seeded", -r["size"], r["cascade_id"]))
        return rows[:limit]

    def cascade_summary(self, cascade_id: str) -> dict:
        c = self.cascades.get(cascade_id, {})
        return {
            "cascade_id": cascade_id,
            "size": c.get("size", len(self.eng_by_cascade.get(cascade_id, ()))),
            **{
                k: c.get(k)
                for k in ("title", "domain", "root_account_id", "label", "created_at", "misinfo_probability")
            },
        }

    def cascade_engagements(self, cascade_id: str) -> list[dict]:
        return self.eng_by_cascade.get(cascade_id, [])

    def tree(self, cascade_id: str) -> list[dict]:
        """The cascade's tree edges (``trees.tree_edges``), cached per cascade."""
        if cascade_id not in self._trees:
            from spreadwatch.desk.trees import tree_edges

            if len(self._trees) > 4096:
                self._trees.clear()
            self._trees[cascade_id] = tree_edges(
                self.cascades.get(cascade_id, {}), self.cascade_engagements(cascade_id)
            )
        return self._trees[cascade_id]

    def partners(self, account_id: str, limit: int = 20) -> list[dict]:
        pairs = sorted(self.pairs_by_account.get(account_id, []), key=lambda p: (-p[0], p[1]))
        return [{"account_id": b, "n_cascades": n} for n, b in pairs[:limit]]

    def domains_of(self, account_id: str) -> list[dict]:
        counts = Counter(r["domain"] for r in self.posts_by_account.get(account_id, []) if r.get("domain"))
        return [{"domain": d, "n": n} for d, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:5]]

    def domain(self, name: str) -> dict | None:
        row = None
        if self.domains is not None:
            sel = self.domains[self.domains["domain"] == name]
            row = {k: _clean(v) for k, v in sel.iloc[0].items()} if len(sel) else None
        ids = self.cascades_by_domain.get(name, [])
        if row is None and not ids:
            return None
        summaries = sorted((self.cascade_summary(c) for c in ids), key=lambda r: (-r["size"], r["cascade_id"]))
        seeders = Counter(s["root_account_id"] for s in summaries if s["root_account_id"])
        top = sorted(seeders.items(), key=lambda x: (-x[1], x[0]))[:15]
        return {
            "domain": name,
            "row": row,
            "cascades": summaries[:30],
            "n_cascades": len(summaries),
            "seeders": [{"account_id": a, "n": n} for a, n in top],
        }

    def drivers(self, cascade_id: str, limit: int = 15) -> list[dict]:
        """Accounts that drove a cascade: engagements made and reshares of their engagements received."""
        rows = self.cascade_engagements(cascade_id)
        made = Counter(r["child_account_id"] for r in rows if r["child_account_id"])
        received = Counter(r["parent_account_id"] for r in rows if r.get("parent_account_id"))
        ids = sorted(set(made) | set(received), key=lambda a: (-(made[a] + received[a]), a))[:limit]
        return [{"account_id": a, "made": made[a], "received": received[a]} for a in ids]


def _by_key(frame: pd.DataFrame | None, key: str, columns: list[str] | None = None, unique: bool = False) -> dict:
    """{key value: record} (``unique``) or {key value: [records]} with plain Python values; records of
    tables with ``created_at`` carry ``_t`` (epoch seconds or None)."""
    if frame is None or key not in frame:
        return {}
    columns = [c for c in (columns or list(frame.columns)) if c in frame]
    part = frame[list(dict.fromkeys([key, *columns]))].copy()
    has_time = "created_at" in part
    if has_time:
        stamps = pd.to_datetime(part["created_at"], utc=True, errors="coerce")
        epoch = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
        part["_t"] = epoch.astype(object).where(epoch.notna(), None)
        part["created_at"] = stamps.dt.strftime("%Y-%m-%d %H:%M:%S").astype(object).where(stamps.notna(), None)
    for column in part.columns:
        if column != "_t":
            part[column] = part[column].astype(object).where(part[column].notna(), None)
    out: dict = {}
    for record in part.to_dict("records"):
        record = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in record.items()}
        if not has_time:
            record["_t"] = None
        value = record[key]
        if unique:
            out.setdefault(value, record)
        else:
            out.setdefault(value, []).append(record)
    return out


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


def dumps(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)
