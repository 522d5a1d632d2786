"""Measurement: the torch graph models (spreadwatch.models.gnn) on the real datasets, beside the other models.

For every requested dataset it runs the workflow's own evaluation stage (``pipeline.evaluate.run_evaluate``, so the
folds are exactly those of ``models.make_splits`` used by every other model) for
- ``bigcn`` on the cascade protocols of the registry (Twitter15/16: random_5fold, event_5fold;
  UPFD-Politifact: upfd_20_10_70, time_split), and with ``--ablation`` also BiGCN without the account
  history inputs (structure and relative time only);
  with ``--text`` also BotRGCN with MiniLM description embeddings (``botrgcn_text``);
- ``botrgcn`` on the bot protocol (stratified_5fold) of datasets with edges and labels (synthetic), and
  with ``--simulate N`` beside hgb on a freshly simulated N-account platform (same folds).
Inputs are the workflow's outputs ``results/{dataset}/canonical/*.parquet`` and
``results/{dataset}/features/*.parquet`` (run the ingest/feature rules first). Metrics JSON files go to
``results/bench/gnn/{dataset}/``; the summary, with wall-clock seconds and the workflow's own metrics of
the other models on the same protocol for comparison, to ``results/bench/gnn_eval.json``.

    OMP_NUM_THREADS=1 python bench/gnn_eval.py --datasets twitter15 twitter16 upfd_politifact --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import pandas as pd
import yaml

from spreadwatch import models
from spreadwatch.evaluation import records
from spreadwatch.evaluation.truth import cascade_target
from spreadwatch.ingest import read_canonical
from spreadwatch.models import gnn
from spreadwatch.pipeline.evaluate import run_evaluate

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "results" / "bench"
ANCHORS = {
    ("twitter15", "random_5fold"): "BiGCN paper 0.886 (random 5-fold, with response text); user re-runs 0.828-0.858",
    ("twitter16", "random_5fold"): "BiGCN paper 0.880; user re-run 0.864",
    ("upfd_politifact", "upfd_20_10_70"): "UPFD-SAGE 0.8462 (BERT user-history node features)",
    ("twibot20_sample", "stratified_5fold"): "BotRGCN TwiBot-20 acc 0.8462 (full labelled TwiBot-20)",
}


def _mean(record: dict, key: str):
    value = record.get("metrics", {}).get(key)
    return None if value is None else {"mean": value["mean"], "sd": value["sd"], "n": value["n"]}


def _others(dataset: str, task: str, protocol: str) -> dict:
    """Accuracy / ROC AUC of the models the workflow already evaluated on the same protocol."""
    out = {}
    for path in sorted((REPO / "results" / dataset / "metrics").glob(f"{task}__{protocol}__*.json")):
        record = json.loads(path.read_text())
        out[record["model"]] = {"accuracy": _mean(record, "accuracy"), "roc_auc": _mean(record, "roc_auc")}
    return out


def _ablation(dataset: str, protocol: str, seeds: list[int], target: str, out_json: Path) -> dict:
    """BiGCN without account-history inputs, on the same folds (models.evaluate, as run_evaluate does)."""
    canonical = REPO / "results" / dataset / "canonical"
    tables = read_canonical(canonical, ("cascades", "engagements"))
    trees = gnn.cascade_graphs(tables["cascades"], tables["engagements"])
    cascades = tables["cascades"].set_index("cascade_id")
    y = cascade_target(tables["cascades"], target).dropna().astype(str)
    groups = cascades["event_id"].reindex(y.index)
    times = cascades["created_at"].reindex(y.index)
    keep = groups.notna() & times.notna() if protocol in ("event_5fold", "time_split") else y.notna()
    y = y[keep]
    record, _ = models.evaluate(
        pd.DataFrame(index=y.index),
        y,
        task="cascade",
        protocol=protocol,
        model="bigcn_no_history",
        seeds=seeds,
        groups=groups[keep].astype(str),
        times=times[keep].astype("int64"),
        make_classifier=lambda seed: gnn.BiGCNClassifier(account_history=False, random_state=seed),
        fit_params={"graphs": trees},
    )
    models.write_metrics(record, out_json, {"target": target})
    return record


def simulated_bot_run(n_accounts: int, days: int, seeds: list[int]) -> dict:
    """BotRGCN beside hgb on a freshly simulated platform (``configs/config.yaml`` defaults: seed 0,
    bot share 0.15, difficulty 0.5), account features computed as the workflow's feature rule does."""
    from spreadwatch import features, graphs
    from spreadwatch.schema import validate_tables
    from spreadwatch.simulate import SimulationConfig, simulate_platform

    start = time.perf_counter()
    tables = validate_tables(simulate_platform(SimulationConfig(n_accounts=n_accounts, days=days, seed=0))).tables
    network = graphs.retweet_network(tables["engagements"], tables["cascades"])
    table = features.account_features(
        tables["accounts"],
        tables["posts"],
        network_metrics=graphs.account_network_metrics(network),
        coordination=graphs.co_engagement_pairs(tables["engagements"], window_s=60.0),
        engagements=tables["engagements"],
    )
    prepare_s = time.perf_counter() - start
    labels = tables["accounts"].set_index("account_id")["label"].reindex(table.index).dropna().astype(str)
    graph = gnn.account_graph(table, tables["follows"], tables["engagements"], tables["cascades"])
    dataset = f"synthetic_{n_accounts}"
    results = {
        "prepare_s": round(prepare_s, 1),
        "n_accounts": int(len(table)),
        "n_labelled": int(len(labels)),
        "edges": {k: int(len(v[0])) for k, v in graph.relations.items()},
    }
    for model in ("hgb", "botrgcn"):
        start = time.perf_counter()
        make = (lambda seed: gnn.BotRGCNClassifier(random_state=seed)) if model == "botrgcn" else None
        fit_params = {"graph": graph} if model == "botrgcn" else None
        X = pd.DataFrame(index=labels.index) if model == "botrgcn" else table.loc[labels.index]
        record, _ = models.evaluate(
            X,
            labels,
            task="bot",
            protocol="stratified_5fold",
            model=model,
            seeds=seeds,
            make_classifier=make,
            fit_params=fit_params,
        )
        out_json = OUT / "gnn" / dataset / f"bot__stratified_5fold__{model}.json"
        models.write_metrics(record, out_json, {"target": "label"})
        results[model] = {
            "accuracy": _mean(record, "accuracy"),
            "roc_auc": _mean(record, "roc_auc"),
            "f1": _mean(record, "f1"),
            "wall_s": round(time.perf_counter() - start, 1),
            "metrics_file": str(out_json.relative_to(REPO)),
        }
        print(
            f"{dataset} bot stratified_5fold {model}: accuracy {results[model]['accuracy']['mean']:.4f}, "
            f"roc_auc {results[model]['roc_auc']['mean']:.4f}",
            flush=True,
        )
    return results


def _update_summary(path: Path, section: str, key: str, value: dict, machine: dict) -> None:
    """Re-read the summary and set summary[section][key] (several bench runs may share the file)."""
    summary = json.loads(path.read_text()) if path.exists() else {}
    summary.setdefault(section, {})[key] = value
    summary["machine"] = machine
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records.plain_json(summary), indent=2, sort_keys=True) + "\n")


def _botrgcn_text(dataset: str, protocol: str, seeds: list[int], out_json: Path) -> dict:
    """BotRGCN with MiniLM description embeddings (cached under results/bench/text_cache), same folds."""
    from spreadwatch.text import MiniLMEmbedder

    canonical = REPO / "results" / dataset / "canonical"
    tables = read_canonical(canonical, ("accounts", "follows", "engagements", "cascades"))
    table = pd.read_parquet(REPO / "results" / dataset / "features" / "accounts.parquet").set_index("account_id")
    accounts = tables["accounts"].set_index("account_id")
    texts = accounts["description"].reindex(table.index).fillna("").astype(str).tolist()
    embedded = MiniLMEmbedder(cache_dir=OUT / "text_cache").embed(texts)
    graph = gnn.account_graph(
        table,
        tables["follows"],
        tables["engagements"],
        tables["cascades"],
        text=pd.DataFrame(embedded, index=table.index),
    )
    labels = accounts["label"].reindex(table.index).dropna().astype(str)
    record, _ = models.evaluate(
        pd.DataFrame(index=labels.index),
        labels,
        task="bot",
        protocol=protocol,
        model="botrgcn_text",
        seeds=seeds,
        make_classifier=lambda seed: gnn.BotRGCNClassifier(random_state=seed),
        fit_params={"graph": graph},
    )
    models.write_metrics(record, out_json, {"target": "label"})
    return record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=["twitter15", "twitter16", "upfd_politifact", "synthetic"])
    parser.add_argument("--protocols", nargs="*", default=None, help="only these protocols (default: the registry's)")
    parser.add_argument(
        "--models", nargs="*", default=None, help="only these models (bigcn, botrgcn, bigcn_no_history, botrgcn_text)"
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--ablation", action="store_true", help="also BiGCN without account-history inputs")
    parser.add_argument("--text", action="store_true", help="also BotRGCN with MiniLM description embeddings")
    parser.add_argument("--registry", default=str(REPO / "configs" / "datasets.yaml"))
    parser.add_argument(
        "--simulate",
        type=int,
        nargs="*",
        default=[],
        help="also BotRGCN vs hgb on freshly simulated platforms of these sizes (14 days)",
    )
    args = parser.parse_args()
    registry = yaml.safe_load(Path(args.registry).read_text())["datasets"]
    summary_path = OUT / "gnn_eval.json"
    machine = {
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
        "torch_threads": 1,
        "note": "2 CPU cores shared with other jobs: wall_s is indicative only",
    }
    for dataset in args.datasets:
        entry = registry[dataset]
        canonical = REPO / "results" / dataset / "canonical"
        if not (canonical / "cascades.parquet").exists():
            print(f"{dataset}: no canonical tables under {canonical}; run the ingest rule first")
            continue
        jobs = [
            ("cascade", p, "bigcn")
            for p in (entry.get("protocols") or {}).get("cascade", [])
            if "cascade" in entry.get("tasks", [])
        ]
        edges = sum(len(read_canonical(canonical, (t,))[t]) for t in ("follows", "engagements"))
        jobs += [
            ("bot", p, "botrgcn")
            for p in (entry.get("protocols") or {}).get("bot", [])
            if "bot" in entry.get("tasks", []) and p == "stratified_5fold" and edges
        ]
        if args.ablation:
            jobs += [("cascade", p, "bigcn_no_history") for task, p, m in list(jobs) if m == "bigcn"]
        if args.text:
            jobs += [("bot", p, "botrgcn_text") for task, p, m in list(jobs) if m == "botrgcn"]
        for task, protocol, model in jobs:
            if (args.protocols and protocol not in args.protocols) or (args.models and model not in args.models):
                continue
            target = entry.get("cascade_target", "is_misinformation") if task == "cascade" else "label"
            out_json = OUT / "gnn" / dataset / f"{task}__{protocol}__{model}.json"
            features = (
                REPO / "results" / dataset / "features" / f"{'accounts' if task == 'bot' else 'cascades'}.parquet"
            )
            start = time.perf_counter()
            if model == "botrgcn_text":
                record = _botrgcn_text(dataset, protocol, args.seeds, out_json)
            elif model == "bigcn_no_history":
                record = _ablation(dataset, protocol, args.seeds, target, out_json)
            else:
                record = run_evaluate(task, features, canonical, protocol, model, args.seeds, out_json, target=target)
            seconds = time.perf_counter() - start
            result = {
                "accuracy": _mean(record, "accuracy"),
                "roc_auc": _mean(record, "roc_auc"),
                "f1": _mean(record, "f1"),
                "pooled_accuracy": record.get("pooled", {}).get("accuracy"),
                "per_class_f1": {k: v["mean"] for k, v in record.get("metrics", {}).items() if k.startswith("f1_")},
                "seeds": args.seeds,
                "wall_s": round(seconds, 1),
                "n_rows": record.get("n_rows"),
                "metrics_file": str(out_json.relative_to(REPO)),
                "anchor": ANCHORS.get((dataset, protocol)),
                "other_models_same_protocol": _others(dataset, task, protocol),
            }
            _update_summary(summary_path, "runs", f"{dataset}/{task}__{protocol}__{model}", result, machine)
            acc = result["accuracy"]
            print(
                f"{dataset} {task} {protocol} {model}: accuracy {acc['mean']:.4f} ± {acc['sd']:.4f} "
                f"(n={acc['n']}), {seconds:.0f} s",
                flush=True,
            )
    for n_accounts in args.simulate:
        _update_summary(
            summary_path, "simulated", f"synthetic_{n_accounts}", simulated_bot_run(n_accounts, 14, args.seeds), machine
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
