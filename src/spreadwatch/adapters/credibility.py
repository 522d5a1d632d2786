"""News-source credibility lists -> ONE canonical ``domains`` table, and the shared domain normaliser.

Files (logical names in ``configs/datasets.yaml``; all optional except ``lin_pc1`` and ``iffy_plus``):
    lin_pc1: ``lin2023_domain_pc1.csv`` (``domain,pc1``; Lin et al. 2023 aggregate quality, 0..1)
    lin_ratings: ``lin2023_domain_ratings.csv.gz`` (the component ratings; added as ``lin_*`` columns)
    iffy_plus: ``iffy_plus_2020_full_original.csv`` (Iffy+ 2020, the FIB-index list; 779 domains)
    iffy_2024: ``iffy_list_2024-08-01_low_verylow.txt`` (URL patterns ``https://domain/*``)
    iffy_2023: ``iffy_list_2023-04-01_mixed_low_verylow.txt`` (URL patterns, includes MBFC "mixed")
Options: ``low_credibility_list``: which list defines ``low_credibility`` (``iffy_plus`` default,
``iffy_2024`` or ``iffy_2023_mixed``).

Output ``domains``: one row per normalised domain in any list. Canonical columns ``domain``,
``credibility`` (= Lin pc1, NA when not rated), ``low_credibility`` (membership of the chosen list;
False = on none of it, which is a membership statement, not a credibility claim) and ``rating_source``
(the lists the domain is on, ``;``-joined). Extra columns so rankers can be evaluated against each list:
``lin_pc1``, ``iffy_plus``, ``iffy_plus_index`` (the Iffy+ ``iffy`` column: 1/0/NA), ``iffy_plus_mbfc_factual``,
``iffy_2024``, ``iffy_2023_mixed``, ``is_shortener`` and, with ``lin_ratings``, ``lin_<component>``.

``normalise_domain`` / ``normalise_domains`` are the one domain normaliser every adapter uses.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pandas as pd

from spreadwatch.adapters import AdapterResult

FORMAT = "source_credibility"

# URL shorteners and link wrappers: the domain says nothing about the source. Kept, but flagged.
SHORTENERS = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "t.co",
        "goo.gl",
        "tinyurl.com",
        "ow.ly",
        "buff.ly",
        "dlvr.it",
        "ift.tt",
        "fb.me",
        "trib.al",
        "is.gd",
        "j.mp",
        "wp.me",
        "lnkd.in",
        "tiny.cc",
        "shar.es",
        "po.st",
        "su.pr",
        "ht.ly",
        "cutt.ly",
        "rebrand.ly",
        "rb.gy",
        "t.ly",
        "shorturl.at",
        "bl.ink",
        "amzn.to",
        "youtu.be",
        "flip.it",
        "apple.news",
        "hubs.ly",
        "bit.do",
        "mol.im",
        "nyti.ms",
        "wapo.st",
        "reut.rs",
        "politi.co",
        "cnn.it",
        "fxn.ws",
        "bbc.in",
        "gu.com",
        "on.wsj.com",
        "econ.st",
        "ab.co",
        "linkis.com",
        "qoo.ly",
        "snip.ly",
    }
)
_ARCHIVE_RE = re.compile(r"^(?:https?://)?(?:www\.)?web\.archive\.org/web/[^/]*/(.+)$", re.I)
_WWW_RE = re.compile(r"^www\.")
_HOST_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


def normalise_domain(url_or_domain, unwrap_archive: bool = True) -> str:
    """Normalised domain of a URL or domain: lower case, no scheme, user info, port, path, ``www.``.

    ``https://WWW.Example.com:443/a?b`` -> ``example.com``; ``politics2020.info/index.php/x`` ->
    ``politics2020.info``. With ``unwrap_archive`` a Wayback Machine URL
    (``web.archive.org/web/<timestamp>/<url>``) gives the archived page's domain. Shorteners
    (``bit.ly``, ``t.co``, ...) are kept as they are; test them with ``is_shortener``. Missing or
    unparseable input gives ``""``.
    """
    if url_or_domain is None or (isinstance(url_or_domain, float) and np.isnan(url_or_domain)):
        return ""
    if url_or_domain is pd.NA:
        return ""
    text = str(url_or_domain).strip().strip("\"'<>").strip()
    if not text:
        return ""
    if unwrap_archive:
        for _ in range(3):  # nested archive links
            m = _ARCHIVE_RE.match(text)
            if not m:
                break
            text = m.group(1)
    text = text.replace("\\", "/")
    if "://" not in text[:12]:
        text = "//" + text.lstrip("/")
    try:
        host = urlsplit(text).netloc
    except ValueError:
        host = text.lstrip("/").split("/", 1)[0]
    host = unquote(host).rsplit("@", 1)[-1]  # user info
    if host.startswith("["):  # IPv6 literal
        return host.split("]", 1)[0].lower() + "]"
    host = host.split(":", 1)[0].strip().strip(".").lower()
    host = _WWW_RE.sub("", host)
    return host


def normalise_domains(values, unwrap_archive: bool = True) -> pd.Series:
    """Vectorised ``normalise_domain`` over unique values; missing/unparseable -> ``<NA>`` (string dtype)."""
    s = pd.Series(values)
    uniques = pd.unique(s.astype(object).to_numpy())
    mapping = {u: normalise_domain(u, unwrap_archive) for u in uniques}
    out = s.astype(object).map(mapping).astype("string")
    return out.mask(out.eq("").fillna(False).astype(bool))


def is_shortener(domain) -> bool:
    """True when the (normalised) domain is a known URL shortener or link wrapper."""
    return normalise_domain(domain) in SHORTENERS


def is_archive_url(url) -> bool:
    """True for Wayback Machine URLs (``web.archive.org/web/...``)."""
    return bool(url) and isinstance(url, str) and _ARCHIVE_RE.match(url.strip()) is not None


def is_hostname(domain: str) -> bool:
    """True for a syntactically plausible host name (letters, digits, hyphens, at least one dot)."""
    return bool(_HOST_RE.match(domain or ""))


def _require(files: dict, name: str, options: dict, optional: bool = False) -> Path | None:
    from spreadwatch.adapters.twitter1516 import require_files

    if optional and (name not in files or files[name] is None):
        return None
    return require_files(files, [name], FORMAT, options)[name]


def _normalise_list_domain(raw: pd.Series, keep_path: bool) -> tuple[pd.Series, pd.Series]:
    """Normalise list entries. Returns (key, had_path). With ``keep_path`` an entry that names a
    section (``facebook.com/news``) keeps ``host/path`` as its key instead of collapsing to the host."""
    text = raw.astype("string").str.strip()
    host = normalise_domains(text)
    body = text.str.replace(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", regex=True).str.rstrip("*").str.rstrip("/")
    path = body.str.split("/", n=1).str[1].astype("string").fillna("")
    had_path = path.str.len().gt(0).fillna(False).astype(bool)
    if keep_path:
        key = host.where(~had_path, host + "/" + path.str.lower())
    else:
        key = host
    return key, had_path


def _dedupe_prefer_exact(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per ``key``: the row whose raw ``domain`` already equals the key wins, else the first."""
    exact = frame["key"].eq(frame["domain"].str.strip().str.lower()).fillna(False).astype(bool).to_numpy()
    ordered = frame.assign(_rank=~exact).sort_values("_rank", kind="stable")
    return ordered[~ordered["key"].duplicated(keep="first").to_numpy()].sort_index().drop(columns="_rank")


def _read_patterns(path: Path) -> pd.Series:
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8-sig").splitlines()]
    return pd.Series([ln for ln in lines if ln and not ln.startswith("#")], dtype="string")


def load(files: dict, options: dict) -> AdapterResult:
    """Merge the credibility lists into one ``domains`` table (see the module docstring)."""
    options = dict(options or {})
    choice = str(options.get("low_credibility_list", "iffy_plus"))
    if choice not in ("iffy_plus", "iffy_2024", "iffy_2023_mixed"):
        raise ValueError(
            f"{FORMAT}: low_credibility_list must be iffy_plus, iffy_2024 or iffy_2023_mixed, got {choice!r}"
        )
    lin_path = _require(files, "lin_pc1", options)
    iffy_path = _require(files, "iffy_plus", options)
    ratings_path = _require(files, "lin_ratings", options, optional=True)
    i24_path = _require(files, "iffy_2024", options, optional=True)
    i23_path = _require(files, "iffy_2023", options, optional=True)
    quirks: list[dict] = []
    rejected: list[dict] = []
    rows_read: dict[str, int] = {}

    def q(name, count, action):
        quirks.append({"table": "domains", "quirk": name, "count": int(count), "action": action})

    # ---- Lin et al. 2023
    lin = pd.read_csv(lin_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    lin.columns = [c.strip().lower() for c in lin.columns]
    rows_read["lin_pc1"] = len(lin)
    lin["key"], had_path = _normalise_list_domain(lin["domain"], keep_path=True)
    lin["pc1"] = pd.to_numeric(lin["pc1"].str.strip(), errors="coerce")
    q(
        "Lin entry names a section (domain/path)",
        had_path.sum(),
        "kept as a `host/path` key (a section rating is not the whole site's rating)",
    )
    odd = ~lin["key"].fillna("").str.split("/").str[0].map(is_hostname)
    q(
        "Lin entry is not a plain host name (e.g. an en dash)",
        (odd & lin["key"].notna()).sum(),
        "kept as written (lower case)",
    )
    changed = lin["key"].ne(lin["domain"].str.strip()).fillna(True).astype(bool)
    q("Lin domain changed by normalisation (case, www.)", (changed & ~had_path).sum(), "normalised")
    bad = lin["key"].isna() | lin["pc1"].isna() | ~lin["pc1"].between(0, 1).fillna(False).astype(bool)
    for idx in np.flatnonzero(bad.to_numpy()):
        rejected.append(
            {
                "table": "domains",
                "file": str(lin_path),
                "row": int(idx) + 2,
                "column": "domain,pc1",
                "value": f"{lin['domain'].iat[idx]},{lin['pc1'].iat[idx]}",
                "reason": "empty domain or pc1 not a number in [0, 1]",
            }
        )
    q("Lin row with empty domain or invalid pc1", bad.sum(), "dropped; listed in rejected")
    lin = lin[~bad.to_numpy()]
    before = len(lin)
    lin = _dedupe_prefer_exact(lin)
    q(
        "Lin domains equal after normalisation (e.g. www.x.com and x.com)",
        before - len(lin),
        "the entry already written in normal form kept (else the first)",
    )
    lin_table = pd.DataFrame({"domain": lin["key"], "lin_pc1": lin["pc1"].astype("float64")})
    if ratings_path is not None:
        ratings = pd.read_csv(ratings_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        ratings.columns = [c.strip().lower() for c in ratings.columns]
        rows_read["lin_ratings"] = len(ratings)
        ratings["key"], _ = _normalise_list_domain(ratings["domain"], keep_path=True)
        ratings = _dedupe_prefer_exact(ratings)
        comp = [c for c in ratings.columns if c not in ("domain", "key", "pc1")]
        extra = ratings[["key"] + comp].rename(columns={"key": "domain"} | {c: f"lin_{c}" for c in comp})
        for c in comp:
            extra[f"lin_{c}"] = pd.to_numeric(extra[f"lin_{c}"], errors="coerce").astype("float64")
        q(
            "Lin ratings domain not in the pc1 file",
            (~extra["domain"].isin(lin_table["domain"])).sum(),
            "component ratings kept on their own rows",
        )
        lin_table = lin_table.merge(extra, on="domain", how="outer")

    # ---- Iffy+ 2020
    iffy = pd.read_csv(iffy_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    rows_read["iffy_plus"] = len(iffy)
    dom_col = next(c for c in iffy.columns if c.strip().lower() == "domain")
    iffy["key"], _ = _normalise_list_domain(iffy[dom_col], keep_path=False)
    empty = iffy["key"].isna()
    for idx in np.flatnonzero(empty.to_numpy()):
        rejected.append(
            {
                "table": "domains",
                "file": str(iffy_path),
                "row": int(idx) + 2,
                "column": dom_col,
                "value": str(iffy[dom_col].iat[idx]),
                "reason": "empty domain",
            }
        )
    q("Iffy+ row with empty domain", empty.sum(), "dropped; listed in rejected")
    iffy = iffy[~empty.to_numpy()]
    dup = iffy["key"].duplicated(keep="first")
    q("Iffy+ domains equal after normalisation", dup.sum(), "first kept")
    iffy = iffy[~dup.to_numpy()]
    iffy_col = next((c for c in iffy.columns if c.strip().lower() == "iffy"), None)
    fact_col = next((c for c in iffy.columns if c.strip().lower() == "mbfc factual"), None)
    index_flag = (
        pd.to_numeric(iffy[iffy_col].str.strip(), errors="coerce") if iffy_col else pd.Series(np.nan, index=iffy.index)
    )
    iffy_table = pd.DataFrame(
        {
            "domain": iffy["key"],
            "iffy_plus": True,
            "iffy_plus_index": index_flag.astype("Float64").round().astype("Int64"),
            "iffy_plus_mbfc_factual": (
                iffy[fact_col].str.strip().str.lower().replace("", pd.NA) if fact_col else pd.NA
            ),
        }
    )
    q(
        "Iffy+ `iffy` column blank",
        iffy_table["iffy_plus_index"].isna().sum(),
        "kept as NA in iffy_plus_index; the domain is on Iffy+ regardless",
    )

    # ---- Iffy URL-pattern lists
    def pattern_list(path: Path | None, name: str) -> pd.DataFrame:
        if path is None:
            return pd.DataFrame({"domain": pd.Series(dtype="string"), name: pd.Series(dtype="boolean")})
        pats = _read_patterns(path)
        rows_read[name] = len(pats)
        key, had_path = _normalise_list_domain(pats, keep_path=False)
        q(f"{name} pattern with a path", had_path.sum(), "reduced to its host (domain-level membership)")
        frame = pd.DataFrame({"domain": key, name: True}).dropna(subset=["domain"])
        dup = frame["domain"].duplicated(keep="first")
        q(f"{name} patterns with the same host", dup.sum(), "one kept")
        return frame[~dup.to_numpy()]

    i24 = pattern_list(i24_path, "iffy_2024")
    i23 = pattern_list(i23_path, "iffy_2023_mixed")

    domains = lin_table
    for part in (iffy_table, i24, i23):
        domains = domains.merge(part, on="domain", how="outer")
    for col in ("iffy_plus", "iffy_2024", "iffy_2023_mixed"):
        if col not in domains:
            domains[col] = pd.NA
        domains[col] = (
            domains[col].astype("boolean").fillna(False)
            if ((col == "iffy_plus") or (col == "iffy_2024" and i24_path) or (col == "iffy_2023_mixed" and i23_path))
            else domains[col].astype("boolean")
        )
    sources = []
    for col, tag in (
        ("lin_pc1", "lin2023"),
        ("iffy_plus", "iffy+2020"),
        ("iffy_2024", "iffy2024"),
        ("iffy_2023_mixed", "iffy2023"),
    ):
        flag = domains[col].notna() if col == "lin_pc1" else domains[col].fillna(False).astype(bool)
        sources.append(np.where(flag.to_numpy(), tag, ""))
    rating_source = [";".join(t for t in parts if t) for parts in zip(*sources)]
    domains["credibility"] = domains["lin_pc1"].astype("float64")
    domains["low_credibility"] = domains[choice].astype("boolean")
    domains["rating_source"] = pd.Series(rating_source, index=domains.index, dtype="string")
    domains["is_shortener"] = pd.array(domains["domain"].isin(SHORTENERS).to_numpy(), dtype="boolean")
    q("domain is a URL shortener", domains["is_shortener"].sum(), "kept; flagged in is_shortener")
    q("low_credibility defined by", int(domains["low_credibility"].sum()), f"membership of the {choice} list")
    front = [
        "domain",
        "credibility",
        "low_credibility",
        "rating_source",
        "lin_pc1",
        "iffy_plus",
        "iffy_plus_index",
        "iffy_plus_mbfc_factual",
        "iffy_2024",
        "iffy_2023_mixed",
        "is_shortener",
    ]
    domains = domains[front + [c for c in domains.columns if c not in front]]
    domains["domain"] = domains["domain"].astype("string")
    domains["iffy_plus_mbfc_factual"] = domains["iffy_plus_mbfc_factual"].astype("string")
    domains = domains.sort_values("domain", kind="stable").reset_index(drop=True)
    rows_read["domains"] = int(sum(rows_read.values()))
    source_files = {"domains": "; ".join(str(p) for p in (lin_path, ratings_path, iffy_path, i24_path, i23_path) if p)}
    rej = None
    if rejected:
        rej = pd.DataFrame(rejected).astype(
            {
                "table": "string",
                "file": "string",
                "row": "int64",
                "column": "string",
                "value": "string",
                "reason": "string",
            }
        )
    return AdapterResult(
        tables={"domains": domains}, source_files=source_files, rows_read=rows_read, quirks=quirks, rejected=rej
    )
