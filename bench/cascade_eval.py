"""Measurement: the cascade model (features + fold-safe engager history + claim titles) on the real datasets.

For every requested dataset it runs the workflow's own stage functions on the workflow's outputs
(``results/{dataset}/canonical``, ``features/accounts.parquet``, ``scores/accounts.parquet``):
``pipeline.features.run_cascade_features`` and ``run_cascade_features_early`` (features at every cut-off),
``run_evaluate`` for the model and the leakage baselines on each registry protocol (the same folds as
every other model, ``models.make_splits``), and ``run_early_detection``. Files go to
``results/bench/cascade/{dataset}/`` (features/, metrics/ with the workflow's file names, and
early_detection.png); the summary with wall-clock seconds to ``results/bench/cascade_eval.json``.

    OMP_NUM_THREADS=1 python bench/cascade_eval.py --datasets twitter16 --model rf --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import yaml

from spreadwatch import models
from spreadwatch.pipeline.early_detection import run_early_detection
from spreadwatch.pipeline.evaluate import run_evaluate
from spreadwatch.pipeline.features import (
    run_cascade_features,
    run_cascade_features_early,
)
from spreadwatch.report import early_detection_figure

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["twitter15", "twitter16", "upfd_politifact"])
    parser.add_argument("--model", default="rf", choices=models.MODEL_NAMES)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--no-early", action="store_true", help="skip the early-detection runs")
    parser.add_argument("--no-text", action="store_true", help="no MiniLM claim-title features")
    args = parser.parse_args()
    registry = yaml.safe_load((REPO / "configs" / "datasets.yaml").read_text())["datasets"]
    summary_path = REPO / "results" / "bench" / "cascade_eval.json"
    for dataset in args.datasets:
        entry = registry[dataset]
        target = entry.get("cascade_target", "is_misinformation")
        results = REPO / "results" / dataset
        canonical = results / "canonical"
        out = REPO / "results" / "bench" / "cascade" / dataset
        text_cache = None if args.no_text else results / "cache" / "minilm"
        started = time.time()
        run_cascade_features(
            canonical,
            results / "features" / "accounts.parquet",
            results / "scores" / "accounts.parquet",
            out / "features" / "cascades.parquet",
        )
        if not args.no_early:
            run_cascade_features_early(
                canonical,
                results / "features" / "accounts.parquet",
                results / "scores" / "accounts.parquet",
                out / "features" / "cascades_early.parquet",
            )
        timings = {"features_s": round(time.time() - started, 1)}
        rows = {}
        early_files = []
        for protocol in entry["protocols"]["cascade"]:
            for model in (args.model, *models.BASELINES):
                t0 = time.time()
                record = run_evaluate(
                    "cascade",
                    out / "features" / "cascades.parquet",
                    canonical,
                    protocol,
                    model,
                    args.seeds,
                    out / "metrics" / f"cascade__{protocol}__{model}.json",
                    target=target,
                    text_cache_dir=text_cache,
                )
                timings[f"{protocol}__{model}_s"] = round(time.time() - t0, 1)
                rows[f"{protocol}__{model}"] = {k: round(v["mean"], 4) for k, v in record["pooled"].items()}
                if args.no_early:
                    continue
                t0 = time.time()
                path = out / "metrics" / f"cascade_early__{protocol}__{model}.json"
                run_early_detection(
                    out / "features" / "cascades.parquet",
                    out / "features" / "cascades_early.parquet",
                    canonical,
                    protocol,
                    model,
                    args.seeds,
                    path,
                    target=target,
                    text_cache_dir=text_cache,
                )
                timings[f"early__{protocol}__{model}_s"] = round(time.time() - t0, 1)
                early = json.loads(path.read_text())["metrics_by_cutoff"]
                rows[f"early__{protocol}__{model}"] = {c: round(v["accuracy"]["mean"], 4) for c, v in early.items()}
                early_files.append(path)
        if early_files:
            early_detection_figure(early_files, out / "early_detection.png")
        summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
        summary[dataset] = {
            "model": args.model,
            "seeds": args.seeds,
            "text": not args.no_text,
            "pooled_means": rows,
            "wall_s": timings,
        }
        summary_path.parent.mkdir(parents=True, exist_ok=True)
        summary_path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
        print(dataset, json.dumps(rows, indent=1), flush=True)


if __name__ == "__main__":
    main()
