"""Report: one self-contained HTML page per dataset (no external assets; opens offline) plus PNG figures.

The page is the jinja2 template ``report_assets/report.html.j2`` rendered with autoescape on: every
piece of dataset text (account names, descriptions, titles, domains, reasons) is escaped by the
template engine. The CSS and the one script (``report_assets/*.css|js``) are inlined at build time and
figures are embedded as base64 PNG data URIs. The report reads declared outputs only: metrics records
(``evaluation.records``), score and ranked tables, the data card, the model cards and the ranking
stage's evidence file (``evidence.account_evidence``).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import platform
from datetime import UTC, datetime
from importlib import metadata, resources
from pathlib import Path

import jinja2
import matplotlib
from markupsafe import Markup

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import roc_auc_score, roc_curve  # noqa: E402

from spreadwatch import evidence as evidence_io  # noqa: E402
from spreadwatch.evaluation import protocols as protocol_registry  # noqa: E402
from spreadwatch.evaluation import records as records_io  # noqa: E402
from spreadwatch.evaluation.records import MetricsRecord, positive_class  # noqa: E402

PACKAGES = ("spreadwatch", "networkx", "pandas", "scikit-learn", "torch", "transformers", "snakemake", "numpy")
ASSETS = "report_assets"


def _asset(name: str) -> str:
    return resources.files("spreadwatch").joinpath(ASSETS, name).read_text(encoding="utf-8")


STYLE = _asset("report.css")
# The only script on the page. It reads and reorders existing DOM nodes and sets textContent; it never
# writes HTML, so escaped text stays text. The CSP allows exactly this script through its SHA-256 hash.
TABLE_SCRIPT = _asset("ranked_table.js")
ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("spreadwatch", ASSETS),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def _generated_note() -> str:
    """'Generated <time>; ' only when asked (SOURCE_DATE_EPOCH or SPREADWATCH_REPORT_TIME=1): the report
    holds no wall-clock time by default, so reruns are byte-identical."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        when = datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), tz=UTC)
    elif os.environ.get("SPREADWATCH_REPORT_TIME") == "1":
        when = datetime.now(UTC)
    else:
        return ""
    return f"Generated {when:%Y-%m-%d %H:%M} UTC; "


def measurements_wanted() -> bool:
    """Measured timings go into the report only when asked (same switches as the time stamp), so that
    reruns stay byte-identical by default; the table itself is always written beside the benchmarks."""
    return os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit() or os.environ.get("SPREADWATCH_REPORT_TIME") == "1"


def _fmt(value) -> str:
    """Text of one table cell: floats with three decimals, missing values empty."""
    if value is None:
        return ""
    if isinstance(value, (float, np.floating)):
        return "" if np.isnan(value) else f"{value:.3f}"
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def table_data(frame: pd.DataFrame, numeric_columns: set[str] | None = None) -> dict:
    """A frame as the template's table: ``{columns, rows: [[{text, num}]]}`` (text escaped by the template)."""
    numeric_columns = numeric_columns or {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    rows = [
        [{"text": _fmt(value), "num": column in numeric_columns} for column, value in zip(frame.columns, row)]
        for row in frame.itertuples(index=False)
    ]
    return {"columns": [str(c) for c in frame.columns], "rows": rows}


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


def _data_uri(png: str | Path | bytes) -> str:
    """A PNG (file or bytes) as a data URI."""
    data = png if isinstance(png, bytes) else Path(png).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def single_feature_aucs(
    features: pd.DataFrame, labels: pd.Series, positive: str, max_rows: int = 50_000, seed: int = 0
) -> pd.DataFrame:
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


def _records(items) -> list[MetricsRecord]:
    """Records from metrics files (read and validated) or records already read, in sorted path order."""
    items = list(items)
    if all(isinstance(item, MetricsRecord) for item in items):
        return items
    return records_io.read_all(items)


def _model_records(metric_files) -> list[MetricsRecord]:
    """The model evaluations (bot, cascade) sorted by task, protocol (registry order) and model."""
    found = [r for r in _records(metric_files) if r.task not in ("rank", "domains", "cascade_early")]
    return sorted(found, key=lambda r: (r.task, _protocol_key(r.protocol), r.protocol, r.model))


def _mean_sd(record: MetricsRecord, key: str, basis: str = "metrics") -> str:
    m = record.summary(key, basis)
    return f"{m['mean']:.3f} ± {m['sd']:.3f}" if m else ""


def headline_table(metric_files, baselines=("source_time_only", "source_user_only")) -> pd.DataFrame:
    """One row per cascade protocol, honest protocols first: the best model by accuracy (over each
    seed's whole test set) beside the leakage baselines on the same folds. Columns: protocol, kind,
    best model, accuracy, macro/binary F1, {baseline} accuracy."""
    found = [r for r in _model_records(metric_files) if r.task == "cascade" and not r.skipped and r.metrics]
    rows = []
    for protocol in sorted({r.protocol for r in found}, key=lambda p: (_protocol_key(p), p)):
        here = [r for r in found if r.protocol == protocol]
        models_ = [r for r in here if r.model not in baselines and r.summary("accuracy", "pooled")]
        if not models_:
            continue
        best = max(models_, key=lambda r: r.summary("accuracy", "pooled")["mean"])
        row = {
            "protocol": protocol,
            "kind": PROTOCOL_KINDS.get(protocol, ""),
            "best model": best.model,
            "accuracy": _mean_sd(best, "accuracy", "pooled"),
            "macro/binary F1": _mean_sd(best, "f1", "pooled"),
        }
        for name in baselines:
            match = [r for r in here if r.model == name]
            row[f"{name} accuracy"] = _mean_sd(match[0], "accuracy", "pooled") if match else ""
        rows.append(row)
    return pd.DataFrame(rows)


def metrics_table(metric_files) -> pd.DataFrame:
    """Every model evaluation. Columns: task, protocol, kind, model, n_train, n_test, roc_auc, pr_auc,
    f1, accuracy (mean ± sd over folds and seeds), note (why it was skipped)."""
    rows = []
    for record in _model_records(metric_files):
        row = {
            "task": record.task,
            "protocol": record.protocol,
            "kind": PROTOCOL_KINDS.get(record.protocol, ""),
            "model": record.model,
            "n_train": record.n_train,
            "n_test": record.n_test,
        }
        for key in ("roc_auc", "pr_auc", "f1", "accuracy"):
            row[key] = _mean_sd(record, key)
        row["note"] = record.reason if record.skipped else ""
        rows.append(row)
    return pd.DataFrame(rows)


def score_sources(account_scores: pd.DataFrame, cascade_scores: pd.DataFrame, figure_dir) -> dict:
    """Where every score came from (in-domain model, shipped model, not scored), the model ids, and the
    expected bot share (the mean calibrated probability at the stated prior) beside the observed
    distribution of bot probabilities (histogram ``bot_score_distribution.png``). Returns the
    template's ``sources`` block."""
    rows = []
    for what, frame, score in (
        ("accounts", account_scores, "bot_probability"),
        ("cascades", cascade_scores, "misinfo_probability"),
    ):
        sources = (
            frame["score_source"]
            if "score_source" in frame
            else pd.Series(np.where(frame[score].notna(), "in_domain_model", "not_scored"), index=frame.index)
        )
        ids = frame["model_id"] if "model_id" in frame else pd.Series("", index=frame.index)
        for (source, model_id), n in (
            pd.DataFrame({"s": sources, "m": ids.fillna("")}).value_counts().sort_index().items()
        ):
            rows.append({"rows": what, "score_source": source, "model_id": model_id, "n": int(n)})
        if "label_source" in frame:
            for source, n in frame["label_source"].fillna("no label").value_counts().sort_index().items():
                rows.append(
                    {"rows": f"{what} (labels)", "score_source": f"label: {source}", "model_id": "", "n": int(n)}
                )
    p = account_scores["bot_probability"].dropna().to_numpy(dtype=float)
    out = {"table": table_data(pd.DataFrame(rows)), "scored": len(p), "total": len(account_scores)}
    if len(p):
        prior = (
            account_scores["prior"].dropna().iloc[0]
            if "prior" in account_scores and account_scores["prior"].notna().any()
            else None
        )
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
        out.update(
            mean=f"{p.mean():.3f}",
            prior=None if prior is None else f"{prior:.2f}",
            share_high=f"{(p >= 0.5).mean():.3f}",
            figure=_data_uri(path),
        )
    return out


EMPTY_TABLE_EFFECT = {
    "accounts": "no bot model, no account ranking",
    "cascades": "no cascade model, no domain ranking",
    "engagements": "no engagements: no propagation graphs; cascade structure, spread and engager features are missing",
    "posts": "no post-level features",
    "follows": "no follow-graph features",
    "domains": "no domain ratings: the FIB-index and domain lists use the cascade scores only",
}


def skip_notes(card: dict, metric_files) -> pd.DataFrame:
    """One row per thing not done for this dataset (``what``, ``why``): tables with no accepted rows
    and metrics records with status ``skipped``."""
    rows = []
    for table, counts in card.get("counts", {}).items():
        if counts.get("accepted", 0) == 0:
            read = counts.get("read", 0)
            why = "no file or an empty file" if read == 0 else f"all {read} rows rejected (see rejected.parquet)"
            rows.append({"what": f"{table}: {EMPTY_TABLE_EFFECT.get(table, 'not used')}", "why": why})
    for record in _records(metric_files):
        if record.skipped:
            rows.append({"what": f"{record.task} / {record.protocol} / {record.model}", "why": record.reason})
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
    evidence_path: str | Path | None = None,
    model_dir: str | Path | None = None,
    table_rows: int = 1000,
    early_detection_png: str | Path | None = None,
    run_stats_path: str | Path | None = None,
) -> Path:
    """Write ``out_html`` (self-contained) and the figures ``roc_bot.png`` / ``roc_cascade.png`` (and
    ``dismantling.png`` when two-window metrics are given). ``run_stats_path``: the per-stage time and
    memory table (``runstats.run_stats`` CSV) shown in the run summary.

    The first ``table_rows`` ranked accounts go into a sortable, filterable table; the first ``top_n``
    with evidence (``evidence_path``, written by the ranking stage) get a section of their own."""
    from spreadwatch import ranking

    figure_dir = Path(figure_dir)
    figure_dir.mkdir(parents=True, exist_ok=True)
    card = json.loads(Path(datacard_path).read_text())
    found = _records(metric_files)
    account_scores = pd.read_parquet(account_scores_path)
    cascade_scores = pd.read_parquet(cascade_scores_path)
    ranked = pd.read_csv(
        ranked_accounts_path,
        dtype={
            "account_id": str,
            "screen_name": str,
            "name": str,
            "review_status": str,
            "reviewer": str,
            "top_reasons": str,
        },
    )
    domains = pd.read_csv(ranked_domains_path)

    run_stats = {"path": None, "table": None}
    if run_stats_path is not None and Path(run_stats_path).exists():
        run_stats["path"] = str(run_stats_path)
        if measurements_wanted():
            run_stats["table"] = table_data(pd.read_csv(run_stats_path))
    labels = (
        pd.DataFrame(
            [
                {"what": "account labels", **card.get("account_labels", {})},
                {"what": "cascade labels", **card.get("cascade_labels", {})},
            ]
        )
        .astype(object)
        .fillna("")
    )
    skips = skip_notes(card, found)

    roc_figures = []
    for task, frame, score_col in (
        ("bot", account_scores, "bot_probability"),
        ("cascade", cascade_scores, "misinfo_probability"),
    ):
        path = figure_dir / f"roc_{task}.png"
        known = frame["label"].notna() & frame[score_col].notna()
        if known.sum() and frame.loc[known, "label"].nunique() == 2:
            positive = positive_class(sorted(frame.loc[known, "label"].astype(str).unique()))
            y = (frame.loc[known, "label"].astype(str) == positive).astype(int).to_numpy()
            roc_figure(
                {f"{task} model (out-of-fold)": (y, frame.loc[known, score_col].to_numpy(dtype=float))},
                f"{dataset}: {task} model ROC",
                path,
            )
        else:
            placeholder_figure(f"{task}: no binary labels to draw a ROC curve", path)
        roc_figures.append({"src": _data_uri(path), "alt": f"ROC curve of the {task} model"})
    headline = headline_table(found)
    all_models = metrics_table(found)

    separability = None
    feats = pd.read_parquet(account_features_path).set_index("account_id")
    aucs = single_feature_aucs(feats, account_scores.set_index("account_id")["label"].reindex(feats.index), "bot")
    if len(aucs):
        best = aucs.iloc[0]
        separability = {
            "best": best["feature"],
            "auc": f"{best['auc']:.3f}",
            "warn": best["auc"] >= 0.99,
            "table": table_data(aucs.head(10)),
        }

    planted = [r for r in found if r.protocol == "planted_sources" and not r.skipped]
    planted_table = (
        table_data(
            pd.DataFrame(
                [
                    {
                        "ranker": r.model,
                        "protocol": r.protocol,
                        **{f"precision@{k}": v for k, v in r.metrics["precision_at_k"].items()},
                        "random expectation": r.metrics.get("random_expectation"),
                    }
                    for r in planted
                ]
            )
        )
        if planted
        else None
    )

    # compact columns so the table fits the page; every component is on the account's own section
    shown = [
        c
        for c in ["rank", "account_id", "screen_name", "score", "bot_score_source", "review_status", "top_reasons"]
        if c in ranked
    ]
    pages = account_pages(ranked, evidence_io.read_evidence(evidence_path), top_n=top_n)
    anchors = {page["account_id"]: page["anchor"] for page in pages}
    context = {
        "csp": Markup(content_security_policy()),
        "css": Markup(STYLE),
        "script": Markup(TABLE_SCRIPT),
        "dataset": dataset,
        "components": ", ".join(ranking.COMPONENTS),
        "ranked": {
            "shown": min(table_rows, len(ranked)),
            "total": len(ranked),
            "table": ranked_table(ranked.head(table_rows), shown, anchors),
        },
        "domains": {"shown": min(top_n, len(domains)), "table": table_data(domains.head(top_n))},
        "card": {"format": _fmt(card.get("format")), "description": _fmt(card.get("description"))},
        "generated": _generated_note(),
        "seeds": sorted({s for r in found for s in r.seeds}),
        "versions": package_versions(),
        "counts": table_data(pd.DataFrame([{"table": t, **c} for t, c in card["counts"].items() if c["read"]])),
        "run_stats": run_stats,
        "quirks": table_data(pd.DataFrame(card["quirks"])) if card.get("quirks") else None,
        "skips": table_data(skips) if len(skips) else None,
        "labels": table_data(labels),
        "sources": score_sources(account_scores, cascade_scores, figure_dir),
        "headline": table_data(headline) if len(headline) else None,
        "all_models": table_data(all_models) if len(all_models) else None,
        "roc_figures": roc_figures,
        "separability": separability,
        "planted": planted_table,
        **evaluation_blocks(found, figure_dir, dataset),
        "early_detection": _data_uri(early_detection_png)
        if early_detection_png and Path(early_detection_png).exists()
        else None,
        "pages": pages,
        "pages_shown": min(top_n, len(ranked)),
        "cards": model_cards(model_dir, found),
        "config": json.dumps(config, indent=2, sort_keys=True, default=str) if config else None,
    }
    out_html = Path(out_html)
    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_html.write_text(ENVIRONMENT.get_template("report.html.j2").render(context), encoding="utf-8")
    return out_html


# ---- monitoring-team report: sortable/filterable table, account pages, model cards -----------------
def script_hash(script: str = TABLE_SCRIPT) -> str:
    """CSP source for an inline script: 'sha256-<base64 digest>'."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy() -> str:
    return (
        f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src {script_hash()}; "
        "base-uri 'none'; form-action 'none'"
    )


def ranked_table(ranked: pd.DataFrame, columns: list[str], page_ids: dict[str, str]) -> dict:
    """The sortable, filterable ranked table for the template: numeric cells carry ``v`` (data-v, for
    sorting), account ids with a page of their own link to it (``page_ids``: account_id -> anchor).
    Returns ``{columns, rows: [{review, cells: [{text, num, v, href}]}]}``."""
    rows = []
    for record in ranked[columns].itertuples(index=False):
        values = dict(zip(columns, record))
        cells = []
        for column, value in values.items():
            if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
                cells.append({"num": True, "v": "" if pd.isna(value) else f"{value:.6g}", "text": _fmt(value)})
            else:
                href = page_ids.get(str(value)) if column == "account_id" else None
                cells.append({"num": False, "href": href, "text": _fmt(value)})
        rows.append({"review": _fmt(values.get("review_status", "unreviewed")), "cells": cells})
    return {"columns": list(columns), "rows": rows}


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


def account_pages(ranked: pd.DataFrame, evidence: list[dict], top_n: int = 50) -> list[dict]:
    """One page per flagged account (the first ``top_n`` rows of ``ranked`` that have evidence): scores
    and components, reasons, review status, profile text, the largest cascades it seeded or amplified
    with propagation pictures, coordination partners and sample posts. Returns the template's pages
    (``anchor`` = acct-{position})."""
    from spreadwatch import ranking

    by_account = {e["account_id"]: e for e in evidence}
    component_columns = [
        c
        for c in [
            "score",
            *ranking.COMPONENTS,
            "n_cascades_seeded",
            "n_misinfo_cascades_seeded",
            "reshares_of_misinfo",
            "total_reshares_received",
        ]
        if c in ranked
    ]
    pages = []
    for position, row in enumerate(ranked.head(top_n).itertuples(index=False), start=1):
        row = row._asdict()
        account = str(row["account_id"])
        found = by_account.get(account)
        if found is None:
            continue
        reviewer = row.get("reviewer")
        cascades = []
        for c in found["cascades"]:
            caption = f"{c['role']} cascade {c['cascade_id']} ({c['size']} engagements; label {c['label']})"
            png = propagation_png([tuple(e) for e in c["edges"]], account, f"{c['size']} engagements")
            cascades.append({"src": _data_uri(png), "caption": caption, "title": c["title"]})
        partners = pd.DataFrame(found["partners"], columns=["account", "n_cascades"]).rename(
            columns={"account": "partner account"}
        )
        pages.append(
            {
                "anchor": f"acct-{position}",
                "account_id": account,
                "rank": _fmt(row.get("rank")),
                "screen_name": _fmt(row.get("screen_name")),
                "name": _fmt(row.get("name")),
                "status": str(row.get("review_status") or "unreviewed"),
                "reviewer": _fmt(reviewer) if isinstance(reviewer, str) and reviewer else "",
                "label": _fmt(row.get("label")),
                "top_reasons": _fmt(row.get("top_reasons")),
                "description": found["description"] or "",
                "scores": table_data(pd.DataFrame([{c: row[c] for c in component_columns}])),
                "cascades": cascades,
                "partners": table_data(partners) if len(partners) else None,
                "posts": found["posts"],
            }
        )
    return pages


KNOWN_LIMITS = {
    "bot": "Trained on the dataset's own labels; labels come from collection lists, so a model can learn the "
    "collection rather than automation (see the single-feature AUC table). Scores for unlabelled accounts "
    "come from a model fitted on all labelled rows.",
    "cascade": "Structure and early-spread features only; no raw ids or absolute times (LEAKAGE_CHECKS.md). Compare "
    "with the source_time_only / source_user_only leakage baselines before trusting a number.",
    "ranking": "Rank on window 1, measure on window 2; unlabelled window-2 cascades count as not misinformation. "
    "Bot probabilities and predicted cascade labels come from models fitted on the whole period.",
}


def model_cards(model_dir: str | Path | None, found: list[MetricsRecord]) -> list[dict]:
    """Model cards: data, protocol, metrics and known limits of each fitted model (from the
    ``*.skops.json`` cards next to the models) and of the ranking. Returns ``[{title, data, protocol,
    limits}]``."""
    cards = []
    if model_dir and Path(model_dir).exists():
        for path in sorted(Path(model_dir).glob("*.skops.json")):
            card = json.loads(path.read_text())
            task = card.get("task", "")
            rows = [r for r in found if r.task == task and r.model == card.get("model")]
            metrics = (
                "; ".join(
                    f"{r.protocol}: "
                    + ", ".join(
                        f"{k} {v['mean']:.3f}"
                        for k, v in r.metrics.items()
                        if k in ("roc_auc", "accuracy", "f1") and v.get("mean") is not None
                    )
                    for r in rows
                )
                or "not evaluated"
            )
            cards.append(
                {
                    "title": f"{task} model ({_fmt(card.get('model'))})",
                    "data": f"{card.get('n_labelled', 0)} labelled rows {card.get('class_counts', {})}; positive class "
                    f"{_fmt(card.get('positive_class'))}; {len(card.get('features', []))} features.",
                    "protocol": f"Protocol and metrics: {metrics}.",
                    "limits": f"{KNOWN_LIMITS.get(task, '')} {card.get('skipped', '')}",
                }
            )
    two_window = [r for r in found if r.protocol == "two_window" and r.model == "combined" and not r.skipped]
    if two_window:
        r = two_window[0]
        cards.append(
            {
                "title": "Suspicious-account ranking (combined score)",
                "data": f"window 1 = engagements before {r.windows['boundary']}; weights {r.weights} (chosen inside "
                f"window 1: {(r.weight_selection or {}).get('chosen', 'config')}).",
                "protocol": "Protocol: two windows; metric: share of window-2 misinformation reshares removed with the "
                f"top k accounts: {r.metrics['removed_share_at_k']}.",
                "limits": KNOWN_LIMITS["ranking"],
            }
        )
    return cards


def dismantling_figure(found: list[MetricsRecord], title: str, path: str | Path) -> None:
    """Save the dismantling curves (share of window-2 misinformation reshares removed vs k) to a PNG."""
    fig, ax = plt.subplots(figsize=(5.2, 4.0), dpi=110)
    for record in sorted(found, key=lambda r: r.model):
        curve = pd.DataFrame(record.curve or [])
        if len(curve):
            ax.plot(curve["k"], curve["removed_share"], marker="o", ms=3, label=record.model)
    ax.set_xscale("log")
    ax.set_xlabel("accounts removed (k, ranked on window 1)")
    ax.set_ylabel("share of window-2 misinformation reshares removed")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def evaluation_blocks(found: list[MetricsRecord], figure_dir: str | Path, dataset: str) -> dict:
    """The two-window ranking block (table, dismantling figure, or why it was skipped) and the
    domain-evaluation table, for the template (``two_window``, ``domain_eval``; None when absent)."""
    out = {"two_window": None, "domain_eval": None}
    two = [r for r in found if r.protocol == "two_window"]
    skipped = [r for r in two if r.skipped]
    if skipped:
        out["two_window"] = {"skipped": skipped[0].reason}
    elif two:
        rows = []
        for r in sorted(two, key=lambda r: r.model):
            row = {"ranker": r.model}
            row.update({f"removed@{k}": v for k, v in r.metrics.get("removed_share_at_k", {}).items()})
            row.update({f"precision@{k}": v for k, v in r.metrics.get("precision_at_k", {}).items()})
            row["note"] = r.note or ""
            rows.append(row)
        path = Path(figure_dir) / "dismantling.png"
        dismantling_figure(two, f"{dataset}: two-window dismantling", path)
        w = two[0].windows
        out["two_window"] = {
            "skipped": None,
            "boundary": w["boundary"],
            "n_misinfo": w["n_misinfo_reshares_window2"],
            "n_ranked": w["n_accounts_ranked"],
            "table": table_data(pd.DataFrame(rows)),
            "figure": _data_uri(path),
        }
    domains = [r for r in found if r.task == "domains"]
    if domains:
        rows = [
            {
                "list": r.protocol,
                "ranker": r.model,
                "spearman": r.metrics.get("spearman"),
                **{f"precision@{k}": v for k, v in r.metrics.get("precision_at_k", {}).items()},
                "coverage": json.dumps(r.coverage or {}),
                "note": r.reason or "",
            }
            for r in domains
        ]
        out["domain_eval"] = table_data(pd.DataFrame(rows))
    return out


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
    found = [r for r in _records(metric_files) if r.metrics_by_cutoff]
    if not found:
        placeholder_figure("no early-detection metrics", path)
        return
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, kind, xlabel in ((axes[0], 0, "minutes since the cascade started"), (axes[1], 1, "first k engagements")):
        for r in sorted(found, key=lambda r: (r.protocol, r.model)):
            cut = r.metrics_by_cutoff
            names = sorted((n for n in cut if _cutoff_order(n)[0] in (kind, 2) and metric in cut[n]), key=_cutoff_order)
            if not names:
                continue
            labels = [n.removesuffix("min").removeprefix("k") for n in names]
            means = [cut[n][metric]["mean"] for n in names]
            sds = [cut[n][metric]["sd"] or 0.0 for n in names]
            means = [np.nan if m is None else m for m in means]
            style = "--" if r.model in ("source_time_only", "source_user_only") else "-"
            ax.errorbar(
                range(len(names)),
                means,
                yerr=sds,
                linestyle=style,
                marker="o",
                capsize=3,
                label=f"{r.protocol} / {r.model}",
            )
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
