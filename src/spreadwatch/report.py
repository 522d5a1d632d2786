"""Report: one self-contained HTML page per dataset (no external assets; opens offline) plus PNG figures.

Every piece of dataset text (account names, descriptions, titles, domains, reasons) is untrusted and
goes through ``html.escape``; figures are embedded as base64 PNG data URIs.
"""
from __future__ import annotations

import base64
import html
import io
import json
import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import roc_auc_score, roc_curve  # noqa: E402

from spreadwatch.evaluation import protocols as protocol_registry  # noqa: E402

PACKAGES = ("spreadwatch", "networkx", "pandas", "scikit-learn", "torch", "transformers", "snakemake", "numpy")

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1200px;color:#1d2330;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;border-bottom:1px solid #d8dde6;padding-bottom:.3rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.88rem;margin:.5rem 0}
th,td{border:1px solid #d8dde6;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f4f9}td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#5a6475;font-size:.88rem}.figs{display:flex;flex-wrap:wrap;gap:1rem}.figs img{max-width:560px;width:100%}
.warn{background:#fff6e0;border-left:4px solid #e0a400;padding:.5rem .8rem}
"""



def _generated_note() -> str:
    """'Generated <time>; ' only when asked (SOURCE_DATE_EPOCH or SPREADWATCH_REPORT_TIME=1): the report
    holds no wall-clock time by default, so reruns are byte-identical."""
    import os

    if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        when = datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), tz=timezone.utc)
    elif os.environ.get("SPREADWATCH_REPORT_TIME") == "1":
        when = datetime.now(timezone.utc)
    else:
        return ""
    return f"Generated {when:%Y-%m-%d %H:%M} UTC; "


def measurements_wanted() -> bool:
    """Measured timings go into the report only when asked (same switches as the time stamp), so that
    reruns stay byte-identical by default; the table itself is always written beside the benchmarks."""
    import os

    return os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit() or os.environ.get("SPREADWATCH_REPORT_TIME") == "1"


def esc(value) -> str:
    """Escape any value for HTML text and attribute context."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


def _fmt(value) -> str:
    if isinstance(value, (float, np.floating)):
        return "" if value != value else f"{value:.3f}"
    return esc(value)


def html_table(frame: pd.DataFrame, numeric_columns: set[str] | None = None) -> str:
    """An escaped HTML table of a frame."""
    numeric_columns = numeric_columns or {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, record):
            css = ' class="num"' if column in numeric_columns else ""
            cells.append(f"<td{css}>{_fmt(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def roc_figure(curves: dict[str, tuple[np.ndarray, np.ndarray]], title: str, path: str | Path) -> None:
    """Save ROC curves ``{name: (y_true01, score)}`` to a PNG."""
    fig, ax = plt.subplots(figsize=(5.2, 4.4), dpi=110)
    for name, (y, s) in curves.items():
        mask = ~np.isnan(s)
        if mask.sum() == 0 or len(np.unique(y[mask])) < 2:
            continue
        fpr, tpr, _ = roc_curve(y[mask], s[mask])
        ax.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y[mask], s[mask]):.3f})")
    ax.plot([0, 1], [0, 1], color="#999", lw=0.8, ls="--", label="chance")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def placeholder_figure(text: str, path: str | Path) -> None:
    fig, ax = plt.subplots(figsize=(5.2, 1.2), dpi=110)
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=9)
    fig.savefig(path)
    plt.close(fig)


def _img(path: str | Path, alt: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def single_feature_aucs(features: pd.DataFrame, labels: pd.Series, positive: str,
                        max_rows: int = 50_000, seed: int = 0) -> pd.DataFrame:
    """max(AUC, 1 - AUC) of each feature alone (NaN filled with the median). Columns: feature, auc.

    At most ``max_rows`` labelled rows are used (a seeded uniform sample beyond that), so the cost is
    bounded whatever the dataset's size; the full tables stay in Parquet."""
    known = labels.notna()
    if int(known.sum()) > max_rows:
        chosen = np.random.default_rng(seed).choice(np.flatnonzero(known.to_numpy()), size=max_rows, replace=False)
        known = pd.Series(np.isin(np.arange(len(labels)), chosen), index=labels.index)
    y = (labels[known] == positive).astype(int).to_numpy()
    if len(np.unique(y)) < 2:
        return pd.DataFrame(columns=["feature", "auc"])
    rows = []
    for column in features.columns:
        x = features.loc[known, column].astype(float)
        x = x.fillna(x.median() if x.notna().any() else 0.0).to_numpy()
        auc = roc_auc_score(y, x) if np.unique(x).size > 1 else 0.5
        rows.append((column, max(auc, 1 - auc)))
    return pd.DataFrame(rows, columns=["feature", "auc"]).sort_values("auc", ascending=False, kind="stable")


# Protocol kinds: the honest ones (no shared events / no looking back from the future) are the headline;
# random folds and the fixed UPFD split are kept for comparison with the published numbers.
PROTOCOL_KINDS = {name: spec.label for name, spec in protocol_registry.PROTOCOLS.items()}  # evaluation.protocols
PROTOCOL_ORDER = list(PROTOCOL_KINDS)


def _protocol_key(protocol: str) -> int:
    return PROTOCOL_ORDER.index(protocol) if protocol in PROTOCOL_ORDER else len(PROTOCOL_ORDER)


def _model_records(metric_files: list[str | Path]) -> list[dict]:
    records = [json.loads(Path(path).read_text()) for path in sorted(map(str, metric_files))]
    records = [r for r in records if r.get("task") not in ("rank", "domains", "cascade_early")]
    return sorted(records, key=lambda r: (r["task"], _protocol_key(r["protocol"]), r["protocol"], r["model"]))


def _mean_sd(record: dict, key: str, basis: str = "metrics") -> str:
    m = record.get(basis, {}).get(key)
    return f"{m['mean']:.3f} ± {m['sd']:.3f}" if m and m.get("mean") is not None else ""


def headline_table(metric_files: list[str | Path], baselines=("source_time_only", "source_user_only")) -> pd.DataFrame:
    """One row per cascade protocol, honest protocols first: the best model by accuracy (over each
    seed's whole test set) beside the leakage baselines on the same folds."""
    records = [r for r in _model_records(metric_files) if r["task"] == "cascade" and r.get("metrics")]
    rows = []
    for protocol in sorted({r["protocol"] for r in records}, key=lambda p: (_protocol_key(p), p)):
        here = [r for r in records if r["protocol"] == protocol]
        models_ = [r for r in here if r["model"] not in baselines and r.get("pooled", {}).get("accuracy")]
        if not models_:
            continue
        best = max(models_, key=lambda r: r["pooled"]["accuracy"]["mean"])
        row = {"protocol": protocol, "kind": PROTOCOL_KINDS.get(protocol, ""), "best model": best["model"],
               "accuracy": _mean_sd(best, "accuracy", "pooled"), "macro/binary F1": _mean_sd(best, "f1", "pooled")}
        for name in baselines:
            match = [r for r in here if r["model"] == name]
            row[f"{name} accuracy"] = _mean_sd(match[0], "accuracy", "pooled") if match else ""
        rows.append(row)
    return pd.DataFrame(rows)


def metrics_table(metric_files: list[str | Path]) -> pd.DataFrame:
    rows = []
    for record in _model_records(metric_files):
        row = {"task": record["task"], "protocol": record["protocol"],
               "kind": PROTOCOL_KINDS.get(record["protocol"], ""), "model": record["model"],
               "n_train": record.get("n_train"), "n_test": record.get("n_test")}
        for key in ("roc_auc", "pr_auc", "f1", "accuracy"):
            m = record.get("metrics", {}).get(key)
            row[key] = f"{m['mean']:.3f} ± {m['sd']:.3f}" if m and m.get("mean") is not None else ""
        row["note"] = record.get("skipped", "")
        rows.append(row)
    return pd.DataFrame(rows)


def score_sources_html(account_scores: pd.DataFrame, cascade_scores: pd.DataFrame, figure_dir) -> str:
    """Where every score came from (in-domain model, shipped model, not scored), the model ids, and the
    expected bot share (the mean calibrated probability at the stated prior) beside the observed
    distribution of bot probabilities (histogram ``bot_score_distribution.png``)."""
    rows = []
    for what, frame, score in (("accounts", account_scores, "bot_probability"),
                               ("cascades", cascade_scores, "misinfo_probability")):
        sources = frame["score_source"] if "score_source" in frame else pd.Series(
            np.where(frame[score].notna(), "in_domain_model", "not_scored"), index=frame.index)
        ids = frame["model_id"] if "model_id" in frame else pd.Series("", index=frame.index)
        for (source, model_id), n in pd.DataFrame({"s": sources, "m": ids.fillna("")}).value_counts().sort_index().items():
            rows.append({"rows": what, "score_source": source, "model_id": model_id, "n": int(n)})
        if "label_source" in frame:
            for source, n in frame["label_source"].fillna("no label").value_counts().sort_index().items():
                rows.append({"rows": f"{what} (labels)", "score_source": f"label: {source}", "model_id": "", "n": int(n)})
    p = account_scores["bot_probability"].dropna().to_numpy(dtype=float)
    text = "<h2>Where the scores come from</h2>" + html_table(pd.DataFrame(rows))
    if len(p):
        prior = account_scores["prior"].dropna().iloc[0] if "prior" in account_scores and account_scores["prior"].notna().any() else None
        stated = f"stated prior P(bot) = {prior:.2f}; " if prior is not None else ""
        text += (f"<p>Expected bot share (mean bot probability): <b>{p.mean():.3f}</b> ({stated}"
                 f"share of scored accounts with probability ≥ 0.5: {(p >= 0.5).mean():.3f}; "
                 f"{len(p)} of {len(account_scores)} accounts scored, the rest shown as not scored).</p>")
        path = Path(figure_dir) / "bot_score_distribution.png"
        fig, ax = plt.subplots(figsize=(5.2, 2.6), dpi=100)
        ax.hist(p, bins=np.linspace(0, 1, 21), color="#4c72b0")
        ax.axvline(p.mean(), color="black", linestyle="--", label=f"expected bot share {p.mean():.2f}")
        ax.set_xlabel("bot probability")
        ax.set_ylabel("accounts")
        ax.legend(loc="upper right", fontsize=8)
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)
        text += f"<div class='figs'>{_img(path, 'distribution of bot probabilities')}</div>"
    return text


EMPTY_TABLE_EFFECT = {
    "accounts": "no bot model, no account ranking",
    "cascades": "no cascade model, no domain ranking",
    "engagements": "no engagements: no propagation graphs; cascade structure, spread and engager features are missing",
    "posts": "no post-level features",
    "follows": "no follow-graph features",
    "domains": "no domain ratings: the FIB-index and domain lists use the cascade scores only",
}


def skip_notes(card: dict, metric_files: list) -> pd.DataFrame:
    """One row per thing not done for this dataset (``what``, ``why``): tables with no accepted rows
    and metric records marked ``skipped``."""
    rows = []
    for table, counts in card.get("counts", {}).items():
        if counts.get("accepted", 0) == 0:
            read = counts.get("read", 0)
            why = "no file or an empty file" if read == 0 else f"all {read} rows rejected (see rejected.parquet)"
            rows.append({"what": f"{table}: {EMPTY_TABLE_EFFECT.get(table, 'not used')}", "why": why})
    for path in metric_files:
        record = json.loads(Path(path).read_text())
        if record.get("skipped"):
            rows.append({"what": Path(path).stem.replace("__", " / "), "why": str(record["skipped"])})
    return pd.DataFrame(rows, columns=["what", "why"])


def build_report(
    dataset: str,
    out_html: str | Path,
    figure_dir: str | Path,
    datacard_path: str | Path,
    metric_files: list[str | Path],
    account_scores_path: str | Path,
    cascade_scores_path: str | Path,
    account_features_path: str | Path,
    ranked_accounts_path: str | Path,
    ranked_domains_path: str | Path,
    config: dict | None = None,
    top_n: int = 50,
    canonical_dir: str | Path | None = None,
    coordination_path: str | Path | None = None,
    model_dir: str | Path | None = None,
    table_rows: int = 1000,
    early_detection_png: str | Path | None = None,
    run_stats_path: str | Path | None = None,
) -> Path:
    """Write ``out_html`` (self-contained) and the figures ``roc_bot.png`` / ``roc_cascade.png`` (and
    ``dismantling.png`` when two-window metrics are given). ``run_stats_path``: the per-stage time and
    memory table (``runstats.run_stats`` CSV) shown in the run summary.

    The first ``table_rows`` ranked accounts go into a sortable, filterable table; the first ``top_n``
    get a section of their own (needs ``canonical_dir``; ``coordination_path`` adds partners)."""
    figure_dir = Path(figure_dir)
    figure_dir.mkdir(parents=True, exist_ok=True)
    card = json.loads(Path(datacard_path).read_text())
    account_scores = pd.read_parquet(account_scores_path)
    cascade_scores = pd.read_parquet(cascade_scores_path)
    ranked = pd.read_csv(ranked_accounts_path, dtype={"account_id": str, "screen_name": str, "name": str,
                                                       "review_status": str, "reviewer": str, "top_reasons": str})
    domains = pd.read_csv(ranked_domains_path)
    sections = []

    # run summary
    counts = pd.DataFrame(
        [{"table": t, **c} for t, c in card["counts"].items() if c["read"]]
    )
    versions = package_versions()
    seeds = sorted({s for f in metric_files for s in json.loads(Path(f).read_text()).get("seeds", [])})
    sections.append(
        "<h2>Run summary</h2>"
        f"<p>Dataset <b>{esc(dataset)}</b> ({esc(card.get('format'))}). {esc(card.get('description'))}</p>"
        f"<p class='note'>{esc(_generated_note())}seeds {esc(seeds)}; "
        + ", ".join(f"{esc(k)} {esc(v)}" for k, v in versions.items())
        + "</p><h3>Rows read, accepted and rejected</h3>"
        + html_table(counts)
    )
    if run_stats_path is not None and Path(run_stats_path).exists() and not measurements_wanted():
        sections.append(f"<h3>Time and memory per stage</h3><p class='note'>Measured per run, so kept out of this "
                        f"page (reruns stay byte-identical): see <code>{esc(run_stats_path)}</code>, or rebuild "
                        "the report with SPREADWATCH_REPORT_TIME=1 to include the table.</p>")
    elif run_stats_path is not None and Path(run_stats_path).exists():
        stats = pd.read_csv(run_stats_path)
        sections.append("<h3>Time and memory per stage</h3><p class='note'>From the workflow's benchmark files "
                        "(seconds summed over a stage's jobs, which may run in parallel; peak resident memory "
                        "of its largest job). The report's own job is not included.</p>" + html_table(stats))
    if card.get("quirks"):
        sections.append("<h3>Data quirks and what was done</h3>" + html_table(pd.DataFrame(card["quirks"])))
    skips = skip_notes(card, metric_files)
    if len(skips):
        sections.append("<h3>Skipped, and why</h3>" + html_table(skips))
    labels = pd.DataFrame(
        [{"what": "account labels", **card.get("account_labels", {})},
         {"what": "cascade labels", **card.get("cascade_labels", {})}]
    ).astype(object).fillna("")
    sections.append("<h3>Labels</h3>" + html_table(labels))

    # model metrics + ROC figures
    figures = []
    for task, frame, label_col, score_col, positive in (
        ("bot", account_scores, "label", "bot_probability", "bot"),
        ("cascade", cascade_scores, "label", "misinfo_probability", "misinformation"),
    ):
        path = figure_dir / f"roc_{task}.png"
        known = frame[label_col].notna() & frame[score_col].notna()
        if known.sum() and frame.loc[known, label_col].nunique() == 2:
            y = (frame.loc[known, label_col] == positive).astype(int).to_numpy()
            roc_figure({f"{task} model (out-of-fold)": (y, frame.loc[known, score_col].to_numpy(dtype=float))},
                       f"{dataset}: {task} model ROC", path)
        else:
            placeholder_figure(f"{task}: no binary labels to draw a ROC curve", path)
        figures.append(_img(path, f"ROC curve of the {task} model"))
    sections.append(score_sources_html(account_scores, cascade_scores, figure_dir))
    table = metrics_table(metric_files)
    headline = headline_table(metric_files)
    headline_html = ""
    if len(headline):
        headline_html = (
            "<h3>Headline: cascade model on the honest protocols</h3><p class='note'>Event-grouped folds and "
            "the time-ordered split come first; random folds and the fixed UPFD split are there for comparison "
            "with the papers. The leakage baselines see only the source tweet's time or its account: a model "
            "that does not beat them on the same folds has learned nothing beyond the leak. Accuracy over "
            "each seed's whole test set, mean ± sd over seeds.</p>" + html_table(headline))
    sections.append(
        "<h2>Model evaluation</h2>" + headline_html
        + "<h3>All models and protocols</h3><p class='note'>mean ± sd over folds and seeds; scores in the "
        "tables below are out-of-fold for labelled rows.</p>"
        + (html_table(table) if len(table) else "<p>No model was evaluated.</p>")
        + f"<div class='figs'>{''.join(figures)}</div>"
    )
    feats = pd.read_parquet(account_features_path).set_index("account_id")
    account_labels = account_scores.set_index("account_id")["label"].reindex(feats.index)
    aucs = single_feature_aucs(feats, account_labels, "bot")
    if len(aucs):
        best = aucs.iloc[0]
        warn = "" if best["auc"] < 0.99 else "<p class='warn'>A single feature separates bots almost perfectly.</p>"
        sections.append(
            "<h3>How separable is the data? (single-feature ROC AUC, bot vs human)</h3>"
            f"<p>Best single feature: {esc(best['feature'])} (AUC {best['auc']:.3f}).</p>{warn}"
            + html_table(aucs.head(10))
        )

    # rankings
    rank_files = [f for f in metric_files if json.loads(Path(f).read_text()).get("protocol") == "planted_sources"]
    if rank_files:
        rows = []
        for f in sorted(map(str, rank_files)):
            r = json.loads(Path(f).read_text())
            rows.append({"ranker": r["model"], "protocol": r["protocol"],
                         **{f"precision@{k}": v for k, v in r["metrics"]["precision_at_k"].items()},
                         "random expectation": r["metrics"].get("random_expectation")})
        sections.append("<h2>Ranking quality against ground truth</h2>" + html_table(pd.DataFrame(rows)))
    sections.append(evaluation_sections(metric_files, figure_dir, dataset))
    if early_detection_png and Path(early_detection_png).exists():  # drawn by early_detection_figure (rule of its own)
        sections.append("<h2>Early detection</h2><div class='figs'>"
                        + _img(early_detection_png, "early-detection curves") + "</div>")
    from spreadwatch import ranking as _ranking

    # compact columns so the table fits the page; every component is on the account's own section
    shown = [c for c in ["rank", "account_id", "screen_name", "score", "bot_score_source", "review_status", "top_reasons"] if c in ranked]
    pages, anchors = "", {}
    if canonical_dir is not None:
        from spreadwatch.ingest import read_canonical

        tables = read_canonical(canonical_dir, ("accounts", "cascades", "engagements", "posts"))
        coordination = pd.read_parquet(coordination_path) if coordination_path else None
        pages, anchors = account_pages(ranked, tables, coordination, top_n=top_n)
    # what a reader acts on comes first: the ranked accounts, then the domains; research metrics after
    sections.insert(0,
        f"<h2>Suspicious accounts (first {min(table_rows, len(ranked))} of {len(ranked)})</h2>"
        f"<p class='note'>Score = weighted mean of the components ({esc(', '.join(_ranking.COMPONENTS))}) as "
        "percentile ranks; the components of each linked account are in its section below and in "
        "ranked_accounts.csv. Click a column to sort, type to filter.</p>"
        + ranked_table_html(ranked.head(table_rows), shown, anchors)
    )
    if pages:
        sections.append(f"<h2>Flagged accounts (top {min(top_n, len(ranked))})</h2>" + pages)
    sections.append(model_cards_html(model_dir, metric_files))
    sections.insert(1, f"<h2>Top {min(top_n, len(domains))} domains</h2>" + html_table(domains.head(top_n))
                    + "<h2 id='research'>Research details</h2><p class='note'>Data, models and evaluation behind "
                    "the lists above.</p>")
    if config:
        sections.append("<h2>Configuration</h2><pre>" + esc(json.dumps(config, indent=2, sort_keys=True, default=str)) + "</pre>")

    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{content_security_policy()}\">"
        f"<title>spreadwatch report: {esc(dataset)}</title><style>{STYLE}{EXTRA_STYLE}{RANKED_STYLE}</style></head><body>"
        f"<h1>spreadwatch: suspicious sources in {esc(dataset)}</h1>"
        + "".join(sections)
        + f"<script>{TABLE_SCRIPT}</script></body></html>"
    )
    out_html = Path(out_html)
    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_html.write_text(page, encoding="utf-8")
    return out_html


# ---- monitoring-team report: sortable/filterable table, account pages, model cards -----------------
# The only script on the page. It reads and reorders existing DOM nodes and sets textContent; it never
# writes HTML, so escaped text stays text. The CSP allows exactly this script through its SHA-256 hash.
TABLE_SCRIPT = """
(function(){
  var table=document.getElementById('ranked'); if(!table){return;}
  var body=table.tBodies[0], heads=table.tHead.rows[0].cells, filter=document.getElementById('ranked-filter');
  var status=document.getElementById('ranked-status'), review=document.getElementById('review-filter');
  function cellValue(row,i){var c=row.cells[i]; var v=c.getAttribute('data-v'); return v===null?c.textContent:v;}
  function sortBy(i){
    var dir=heads[i].getAttribute('aria-sort')==='descending'?1:-1;
    for(var h=0;h<heads.length;h++){heads[h].removeAttribute('aria-sort');}
    heads[i].setAttribute('aria-sort',dir===1?'ascending':'descending');
    var rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){var x=cellValue(a,i),y=cellValue(b,i),nx=parseFloat(x),ny=parseFloat(y);
      if(!isNaN(nx)&&!isNaN(ny)){return dir*(nx-ny);} return dir*x.localeCompare(y);});
    rows.forEach(function(r){body.appendChild(r);});
  }
  function applyFilter(){
    var q=(filter.value||'').toLowerCase(), want=review?review.value:'', shown=0;
    Array.prototype.forEach.call(body.rows,function(r){
      var ok=r.textContent.toLowerCase().indexOf(q)>=0 && (!want||r.getAttribute('data-review')===want);
      r.hidden=!ok; if(ok){shown++;}});
    status.textContent=shown+' of '+body.rows.length+' accounts shown';
  }
  for(var i=0;i<heads.length;i++){(function(i){heads[i].addEventListener('click',function(){sortBy(i);});
    heads[i].setAttribute('tabindex','0');})(i);}
  filter.addEventListener('input',applyFilter); if(review){review.addEventListener('change',applyFilter);}
  table.setAttribute('data-ready','1'); applyFilter();
})();
"""

EXTRA_STYLE = """
th[aria-sort]{background:#dfe7f5}th{cursor:pointer}.controls{margin:.5rem 0}
.acct{border:1px solid #d8dde6;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.status-confirmed{color:#a00;font-weight:600}.status-dismissed{color:#777}.status-unsure{color:#b60}
.prop img{max-width:260px}.card{background:#f7f9fc;padding:.5rem 1rem;border-left:4px solid #7a8dac;margin:.8rem 0}
"""


# the ranked table fits the page width: fixed layout, narrow number columns, reasons wrap
RANKED_STYLE = """
#ranked{table-layout:fixed;width:100%}#ranked td{overflow-wrap:anywhere}
#ranked th:nth-child(1){width:3.5rem}#ranked th:nth-child(2){width:11rem}#ranked th:nth-child(3){width:10rem}
#ranked th:nth-child(4){width:4.5rem}#ranked th:nth-child(5){width:6.5rem}
"""


def script_hash(script: str = TABLE_SCRIPT) -> str:
    """CSP source for an inline script: 'sha256-<base64 digest>'."""
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy() -> str:
    return (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src {script_hash()}; "
            "base-uri 'none'; form-action 'none'")


def ranked_table_html(ranked: pd.DataFrame, columns: list[str], page_ids: dict[str, str]) -> str:
    """The sortable, filterable ranked table: every cell escaped, numeric cells carry data-v for sorting,
    account ids with a page of their own link to it (``page_ids``: account_id -> anchor)."""
    head = "".join(f"<th scope='col'>{esc(c)}</th>" for c in columns)
    rows = []
    for record in ranked[columns].itertuples(index=False):
        values = dict(zip(columns, record))
        cells = []
        for column, value in values.items():
            if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
                number = "" if value != value else (f"{value:.6g}")
                cells.append(f"<td class='num' data-v='{esc(number)}'>{_fmt(value)}</td>")
            elif column == "account_id" and str(value) in page_ids:
                cells.append(f"<td><a href='#{esc(page_ids[str(value)])}'>{esc(value)}</a></td>")
            else:
                cells.append(f"<td>{esc(value)}</td>")
        status = esc(values.get("review_status", "unreviewed"))
        rows.append(f"<tr data-review='{status}'>" + "".join(cells) + "</tr>")
    options = "".join(f"<option value='{v}'>{v or 'any review status'}</option>"
                      for v in ("", "unreviewed", "confirmed", "unsure", "dismissed"))
    return (
        "<div class='controls'><label>Filter <input id='ranked-filter' type='search' "
        "placeholder='name, id, reason...'></label> <label>Review <select id='review-filter'>"
        f"{options}</select></label> <span id='ranked-status' class='note'>(sorting and filtering need "
        "JavaScript)</span></div>"
        f"<table id='ranked'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def propagation_png(edges: list[tuple[str, str]], highlight: str, title: str) -> bytes:
    """A small PNG of one cascade's propagation graph (networkx spring layout, seeded); the
    highlighted account is drawn in red. ``edges``: (parent account, child account) pairs."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_edges_from(edges[:300])
    if highlight not in graph:
        graph.add_node(highlight)
    pos = nx.spring_layout(graph, seed=0, k=None, iterations=30)
    fig, ax = plt.subplots(figsize=(2.6, 2.2), dpi=80)
    colours = ["#c0392b" if n == highlight else "#4a6fa5" for n in graph.nodes]
    sizes = [40 if n == highlight else 8 for n in graph.nodes]
    nx.draw_networkx_edges(graph, pos, ax=ax, width=0.4, alpha=0.5, arrows=False)
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, node_size=sizes)
    ax.set_title(title, fontsize=7)
    ax.axis("off")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def _png_img(data: bytes, alt: str) -> str:
    return f"<img alt='{esc(alt)}' src='data:image/png;base64,{base64.b64encode(data).decode('ascii')}'>"


def account_pages(
    ranked: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    coordination: pd.DataFrame | None,
    top_n: int = 50,
    cascades_per_account: int = 2,
    posts_per_account: int = 3,
) -> tuple[str, dict[str, str]]:
    """One section per flagged account (the first ``top_n`` rows of ``ranked``): scores and
    components, reasons, review status, profile text, the largest cascades it seeded or amplified with
    propagation pictures, coordination partners and sample posts. Returns (html, {account_id: anchor})."""
    from spreadwatch import ranking

    accounts = tables.get("accounts", pd.DataFrame(columns=["account_id"])).set_index("account_id")
    cascades = tables.get("cascades", pd.DataFrame(columns=["cascade_id", "root_account_id"]))
    engagements = tables.get("engagements", pd.DataFrame(columns=["cascade_id", "child_account_id"]))
    posts = tables.get("posts", pd.DataFrame(columns=["account_id", "text"]))
    edges = ranking.reshare_edges(cascades, engagements) if len(engagements) else pd.DataFrame(columns=["cascade_id", "source", "target"])
    size = engagements.groupby("cascade_id").size()
    labels = cascades.set_index("cascade_id")["label"] if "label" in cascades else pd.Series(dtype="string")
    titles = cascades.set_index("cascade_id")["title"] if "title" in cascades else pd.Series(dtype="string")
    # only the accounts that get a page are looked up: the cost stays bounded by top_n, not the dataset
    shown_ids = set(ranked.head(top_n)["account_id"].astype(str))
    seeded = cascades[["cascade_id", "root_account_id"]].rename(columns={"root_account_id": "account_id"})
    amplified = engagements[["cascade_id", "child_account_id"]].rename(columns={"child_account_id": "account_id"})
    seeded = seeded[seeded["account_id"].astype(str).isin(shown_ids)]
    amplified = amplified[amplified["account_id"].astype(str).isin(shown_ids)]
    posted = pd.concat([seeded.assign(role="seeded"), amplified.assign(role="amplified")]
                       ).dropna().drop_duplicates(["cascade_id", "account_id"])
    posted["account_id"] = posted["account_id"].astype(str)
    posted["size"] = posted["cascade_id"].map(size).fillna(0)
    posted = posted.sort_values(["account_id", "size", "cascade_id"], ascending=[True, False, True], kind="stable")
    by_account = {a: g for a, g in posted.groupby("account_id", sort=False)}
    needed = set(posted.groupby("account_id", sort=False).head(cascades_per_account)["cascade_id"])
    edges = edges[edges["cascade_id"].isin(needed)]
    edges_by_cascade = {c: list(zip(g["source"], g["target"])) for c, g in edges.groupby("cascade_id", sort=False)}
    partners = {}
    if coordination is not None and len(coordination):
        pairs = pd.concat([coordination.rename(columns={"account_a": "a", "account_b": "b"}),
                           coordination.rename(columns={"account_a": "b", "account_b": "a"})])
        pairs = pairs[pairs["a"].astype(str).isin(shown_ids)]
        pairs = pairs.sort_values(["a", "n_cascades", "b"], ascending=[True, False, True], kind="stable")
        partners = {str(a): g for a, g in pairs.groupby("a", sort=False)}
    if "text" in posts and len(posts):
        posts = posts[posts["account_id"].astype(str).isin(shown_ids) & posts["text"].notna()]
    component_columns = [c for c in ["score", *ranking.COMPONENTS, "n_cascades_seeded", "n_misinfo_cascades_seeded",
                                     "reshares_of_misinfo", "total_reshares_received"] if c in ranked]
    anchors, sections = {}, []
    for position, row in enumerate(ranked.head(top_n).itertuples(index=False), start=1):
        row = row._asdict()
        account = str(row["account_id"])
        anchor = f"acct-{position}"
        anchors[account] = anchor
        status = str(row.get("review_status") or "unreviewed")
        profile = accounts.loc[account] if account in accounts.index else pd.Series(dtype=object)
        scores = pd.DataFrame([{c: row[c] for c in component_columns}])
        parts = [
            f"<section class='acct' id='{anchor}'><h3>#{esc(row.get('rank'))} {esc(row.get('screen_name'))} "
            f"<span class='note'>({esc(row.get('name'))}; id {esc(account)})</span></h3>",
            f"<p>Review status: <span class='status-{esc(status)}'>{esc(status)}</span>"
            + (f" by {esc(row.get('reviewer'))}" if row.get("reviewer") == row.get("reviewer") and row.get("reviewer") else "")
            + f". Label: {esc(row.get('label')) or 'none'}.</p>",
            f"<p><b>Top reasons:</b> {esc(row.get('top_reasons'))}</p>",
            f"<p class='note'>Profile description: {esc(profile.get('description')) or '(none)'}</p>",
            html_table(scores),
        ]
        seen = by_account.get(account, pd.DataFrame(columns=["cascade_id", "role", "size"])).head(cascades_per_account)
        if len(seen):
            pictures = []
            for c in seen.itertuples(index=False):
                caption = f"{c.role} cascade {c.cascade_id} ({int(c.size)} engagements; label {labels.get(c.cascade_id, '')})"
                png = propagation_png(edges_by_cascade.get(c.cascade_id, []), account, f"{int(c.size)} engagements")
                pictures.append(f"<figure>{_png_img(png, caption)}<figcaption class='note'>{esc(caption)}"
                                f"<br>{esc(titles.get(c.cascade_id, ''))}</figcaption></figure>")
            parts.append("<h4>Cascades it seeded or amplified (largest first)</h4><div class='figs prop'>"
                         + "".join(pictures) + "</div>")
        mates = partners.get(account)
        if mates is not None and len(mates):
            parts.append("<h4>Coordination partners (co-engaged within seconds)</h4>"
                         + html_table(mates[["b", "n_cascades"]].head(10).rename(columns={"b": "partner account"})))
        if "text" in posts and len(posts):
            sample = posts[(posts["account_id"].astype(str) == account) & posts["text"].notna()]
            sample = sample.sort_values("post_id", kind="stable").head(posts_per_account) if "post_id" in sample else sample.head(posts_per_account)
            if len(sample):
                parts.append("<h4>Sample posts</h4><ul>" + "".join(f"<li>{esc(t)}</li>" for t in sample["text"]) + "</ul>")
        parts.append("<p><a href='#ranked'>back to the ranked table</a></p></section>")
        sections.append("".join(parts))
    return "".join(sections), anchors


KNOWN_LIMITS = {
    "bot": "Trained on the dataset's own labels; labels come from collection lists, so a model can learn the "
           "collection rather than automation (see the single-feature AUC table). Scores for unlabelled accounts "
           "come from a model fitted on all labelled rows.",
    "cascade": "Structure and early-spread features only; no raw ids or absolute times (LEAKAGE_CHECKS.md). Compare "
               "with the source_time_only / source_user_only leakage baselines before trusting a number.",
    "ranking": "Rank on window 1, measure on window 2; unlabelled window-2 cascades count as not misinformation. "
               "Bot probabilities and predicted cascade labels come from models fitted on the whole period.",
}


def model_cards_html(model_dir: str | Path | None, metric_files: list[str | Path]) -> str:
    """Model cards: data, protocol, metrics and known limits of each fitted model (from the
    ``*.skops.json`` cards next to the models) and of the ranking."""
    records = [json.loads(Path(f).read_text()) for f in sorted(map(str, metric_files))]
    cards = []
    if model_dir and Path(model_dir).exists():
        for path in sorted(Path(model_dir).glob("*.skops.json")):
            card = json.loads(path.read_text())
            task = card.get("task", "")
            rows = [r for r in records if r.get("task") == task and r.get("model") == card.get("model")]
            metrics = "; ".join(
                f"{esc(r['protocol'])}: " + ", ".join(f"{esc(k)} {v['mean']:.3f}" for k, v in r.get("metrics", {}).items()
                                                       if k in ("roc_auc", "accuracy", "f1") and v.get("mean") is not None)
                for r in rows) or "not evaluated"
            cards.append(
                f"<div class='card'><b>{esc(task)} model ({esc(card.get('model'))})</b><br>"
                f"Data: {esc(card.get('n_labelled', 0))} labelled rows {esc(card.get('class_counts', {}))}; "
                f"positive class {esc(card.get('positive_class'))}; {esc(len(card.get('features', [])))} features.<br>"
                f"Protocol and metrics: {metrics}.<br>"
                f"Known limits: {esc(KNOWN_LIMITS.get(task, ''))} {esc(card.get('skipped', ''))}</div>")
    two_window = [r for r in records if r.get("protocol") == "two_window" and r.get("model") == "combined"
                  and not r.get("skipped")]
    if two_window:
        r = two_window[0]
        cards.append(
            "<div class='card'><b>Suspicious-account ranking (combined score)</b><br>"
            f"Data: window 1 = engagements before {esc(r['windows']['boundary'])}; weights {esc(r.get('weights'))} "
            f"(chosen inside window 1: {esc((r.get('weight_selection') or {}).get('chosen', 'config'))}).<br>"
            f"Protocol: two windows; metric: share of window-2 misinformation reshares removed with the top k "
            f"accounts: {esc(r['metrics']['removed_share_at_k'])}.<br>Known limits: {esc(KNOWN_LIMITS['ranking'])}</div>")
    return "<h2>Model cards</h2>" + ("".join(cards) if cards else "<p>No model card.</p>")


def dismantling_figure(records: list[dict], title: str, path: str | Path) -> None:
    """Save the dismantling curves (share of window-2 misinformation reshares removed vs k) to a PNG."""
    fig, ax = plt.subplots(figsize=(5.2, 4.0), dpi=110)
    for record in sorted(records, key=lambda r: r["model"]):
        curve = pd.DataFrame(record.get("curve", []))
        if len(curve):
            ax.plot(curve["k"], curve["removed_share"], marker="o", ms=3, label=record["model"])
    ax.set_xscale("log")
    ax.set_xlabel("accounts removed (k, ranked on window 1)")
    ax.set_ylabel("share of window-2 misinformation reshares removed")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def evaluation_sections(metric_files: list[str | Path], figure_dir: str | Path, dataset: str) -> str:
    """Two-window ranking and domain-evaluation tables (and the dismantling figure) from metrics files."""
    records = [json.loads(Path(f).read_text()) for f in sorted(map(str, metric_files))]
    out = []
    two = [r for r in records if r.get("protocol") == "two_window"]
    skipped = [r for r in two if r.get("skipped")]
    if skipped:
        out.append("<h2>Two-window evaluation</h2>"
                   f"<p class='note'>Not run for this dataset: {esc(skipped[0]['skipped'])}.</p>")
        two = []
    if two:
        rows = []
        for r in sorted(two, key=lambda r: r["model"]):
            row = {"ranker": r["model"]}
            row.update({f"removed@{k}": v for k, v in r["metrics"].get("removed_share_at_k", {}).items()})
            row.update({f"precision@{k}": v for k, v in r["metrics"].get("precision_at_k", {}).items()})
            row["note"] = r.get("note", "")
            rows.append(row)
        path = Path(figure_dir) / "dismantling.png"
        dismantling_figure(two, f"{dataset}: two-window dismantling", path)
        w = two[0]["windows"]
        out.append(
            "<h2>Two-window evaluation (rank on window 1, remove from window 2)</h2>"
            f"<p class='note'>Window boundary {esc(w['boundary'])}; {esc(w['n_misinfo_reshares_window2'])} "
            f"misinformation reshares in window 2; {esc(w['n_accounts_ranked'])} accounts ranked.</p>"
            + html_table(pd.DataFrame(rows)) + f"<div class='figs'>{_img(path, 'dismantling curves')}</div>")
    domains = [r for r in records if r.get("task") == "domains"]
    if domains:
        rows = [{"list": r["protocol"], "ranker": r["model"], "spearman": r.get("metrics", {}).get("spearman"),
                 **{f"precision@{k}": v for k, v in r.get("metrics", {}).get("precision_at_k", {}).items()},
                 "coverage": json.dumps(r.get("coverage", {})), "note": r.get("skipped", "")} for r in domains]
        out.append("<h2>Domain ranking against expert ratings</h2>" + html_table(pd.DataFrame(rows)))
    return "".join(out)


# ---- early detection (cascade model; metrics files cascade_early__{protocol}__{model}.json) -------
def _cutoff_order(name: str) -> tuple[int, float]:
    if name == "full":
        return (2, 0.0)
    if name.startswith("k"):
        return (1, float(name[1:]))
    return (0, float(name.removesuffix("min")))


def early_detection_figure(metric_files: list[str | Path], path: str | Path, metric: str = "accuracy") -> None:
    """Curves of a metric against the early-detection cut-off, one line per (protocol, model).

    Reads ``metrics_by_cutoff`` of ``cascade_early__*`` metrics files; two panels: minutes since the
    cascade's start (10 ... 240, then "full") and first k engagements (5 ... 50, then "full"). Error bars
    are the sd over seeds. Leakage baselines are drawn dashed. Writes a PNG.
    """
    records = [json.loads(Path(f).read_text()) for f in sorted(map(str, metric_files))]
    records = [r for r in records if r.get("metrics_by_cutoff")]
    if not records:
        placeholder_figure("no early-detection metrics", path)
        return
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, kind, xlabel in ((axes[0], 0, "minutes since the cascade started"), (axes[1], 1, "first k engagements")):
        for r in sorted(records, key=lambda r: (r["protocol"], r["model"])):
            cut = r["metrics_by_cutoff"]
            names = sorted((n for n in cut if _cutoff_order(n)[0] in (kind, 2) and metric in cut[n]), key=_cutoff_order)
            if not names:
                continue
            labels = [n.removesuffix("min").removeprefix("k") for n in names]
            means = [cut[n][metric]["mean"] for n in names]
            sds = [cut[n][metric]["sd"] or 0.0 for n in names]
            means = [np.nan if m is None else m for m in means]
            style = "--" if r["model"] in ("source_time_only", "source_user_only") else "-"
            ax.errorbar(range(len(names)), means, yerr=sds, linestyle=style, marker="o", capsize=3,
                        label=f"{r['protocol']} / {r['model']}")
            ax.set_xticks(range(len(names)), labels)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(metric)
    axes[1].legend(fontsize=7, loc="lower right")
    fig.suptitle(f"Early detection: {metric} by cut-off (test folds, mean ± sd over seeds)")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
