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


def single_feature_aucs(features: pd.DataFrame, labels: pd.Series, positive: str) -> pd.DataFrame:
    """max(AUC, 1 - AUC) of each feature alone (NaN filled with the median). Columns: feature, auc."""
    known = labels.notna()
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


def metrics_table(metric_files: list[str | Path]) -> pd.DataFrame:
    rows = []
    for path in sorted(map(str, metric_files)):
        record = json.loads(Path(path).read_text())
        if record.get("task") == "rank":
            continue
        row = {"task": record["task"], "protocol": record["protocol"], "model": record["model"],
               "n_train": record.get("n_train"), "n_test": record.get("n_test")}
        for key in ("roc_auc", "pr_auc", "f1", "accuracy"):
            m = record.get("metrics", {}).get(key)
            row[key] = f"{m['mean']:.3f} ± {m['sd']:.3f}" if m and m.get("mean") is not None else ""
        row["note"] = record.get("skipped", "")
        rows.append(row)
    return pd.DataFrame(rows)


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
) -> Path:
    """Write ``out_html`` (self-contained) and the figures ``roc_bot.png`` / ``roc_cascade.png``."""
    figure_dir = Path(figure_dir)
    figure_dir.mkdir(parents=True, exist_ok=True)
    card = json.loads(Path(datacard_path).read_text())
    account_scores = pd.read_parquet(account_scores_path)
    cascade_scores = pd.read_parquet(cascade_scores_path)
    ranked = pd.read_csv(ranked_accounts_path, dtype={"account_id": str})
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
        f"<p class='note'>Generated {esc(datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC'))}; "
        f"seeds {esc(seeds)}; "
        + ", ".join(f"{esc(k)} {esc(v)}" for k, v in versions.items())
        + "</p><h3>Rows read, accepted and rejected</h3>"
        + html_table(counts)
    )
    if card.get("quirks"):
        sections.append("<h3>Data quirks and what was done</h3>" + html_table(pd.DataFrame(card["quirks"])))
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
    table = metrics_table(metric_files)
    sections.append(
        "<h2>Model evaluation</h2><p class='note'>mean ± sd over folds and seeds; scores in the tables "
        "below are out-of-fold for labelled rows.</p>"
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
    rank_files = [f for f in metric_files if json.loads(Path(f).read_text()).get("task") == "rank"]
    if rank_files:
        rows = []
        for f in sorted(map(str, rank_files)):
            r = json.loads(Path(f).read_text())
            rows.append({"ranker": r["model"], "protocol": r["protocol"],
                         **{f"precision@{k}": v for k, v in r["metrics"]["precision_at_k"].items()},
                         "random expectation": r["metrics"].get("random_expectation")})
        sections.append("<h2>Ranking quality against ground truth</h2>" + html_table(pd.DataFrame(rows)))
    shown = [c for c in ["rank", "account_id", "screen_name", "name", "score", "fib_index", "misinfo_seeded",
                         "bot_amplification", "coordination", "bot_probability", "top_reasons"] if c in ranked]
    sections.append(
        f"<h2>Top {top_n} suspicious accounts</h2>"
        "<p class='note'>Score = weighted mean of the components' percentile ranks; every component is shown.</p>"
        + html_table(ranked[shown].head(top_n))
    )
    sections.append(f"<h2>Top {min(top_n, len(domains))} domains</h2>" + html_table(domains.head(top_n)))
    if config:
        sections.append("<h2>Configuration</h2><pre>" + esc(json.dumps(config, indent=2, sort_keys=True, default=str)) + "</pre>")

    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"
        f"<title>spreadwatch report: {esc(dataset)}</title><style>{STYLE}</style></head><body>"
        f"<h1>spreadwatch: suspicious sources in {esc(dataset)}</h1>"
        + "".join(sections)
        + "</body></html>"
    )
    out_html = Path(out_html)
    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_html.write_text(page, encoding="utf-8")
    return out_html
