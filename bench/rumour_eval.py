"""Measurement: rumour detection with the claim text on Twitter15/16, every protocol x model x baseline.

Reads the workflow's outputs for each dataset (``results/{dataset}/canonical`` and
``results/{dataset}/features/cascades.parquet``; build them with
``snakemake --cores 2 --configfile configs/real_misinfo.yaml --config 'datasets=[twitter15,twitter16]'
-- results/twitter15/features/cascades.parquet ...``) and runs, through ``models.evaluate`` and the
protocol registry (``spreadwatch.evaluation.protocols``):

- models: ``text_only`` (MiniLM + training-fold PCA + logistic regression), ``text_psa`` (the same plus
  fold-safe publisher-style aggregation), ``propagation`` (the cascade model without text: structure,
  relative timing, engager and root-account history), ``fused`` (propagation + claim-text PCA),
  ``fused_psa`` (fused + PSA), and the leakage baselines ``source_time_only`` / ``source_user_only``;
- protocols: ``event_separated`` (Wu & Hooi's fixed split), ``event_5fold``, ``leave_one_event_out``
  and ``random_5fold`` (leaky, for comparison with BiGCN only; nothing is chosen on it);
- model selection on the dev split only: every model is fitted on ``train`` and scored on ``dev``
  (``dev_accuracy``); the fused variant with the best dev accuracy is the one named ``selected``;
- same-text claims: ``duplicate_texts`` before/after per protocol (grouped protocols union them into the
  events; the others drop test-side duplicates);
- early detection (``--early``) on event_separated with ``pipeline.early_detection.run_early_detection``.

Writes ``results/bench/rumour_eval.json`` (merged per dataset) and the per-run metrics files under
``results/bench/rumour/{dataset}/``.

    OMP_NUM_THREADS=1 python bench/rumour_eval.py --datasets twitter16 twitter15 --seeds 0
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch import features, models
from spreadwatch.evaluation.cascade_inputs import root_pairs
from spreadwatch.evaluation.rumour import TextOnlyModel, text_side_data
from spreadwatch.evaluation.truth import cascade_target
from spreadwatch.ingest import read_canonical
from spreadwatch.pipeline.early_detection import run_early_detection

REPO = Path(__file__).resolve().parents[1]
CASCADE_MODELS = ("propagation", "fused", "fused_psa")
TEXT_MODELS = ("text_only", "text_psa")
ALL_MODELS = TEXT_MODELS + CASCADE_MODELS + models.BASELINES


def factories(name: str, cascades: pd.DataFrame, engagements: pd.DataFrame, side: dict, classifier: str):
    """(``seed -> estimator``, its fit params) for a bench model name."""
    publishers = side["publishers"]
    if name in TEXT_MODELS:
        text_side = models.CascadeSideData(text_embeddings=side["embeddings"], publishers=publishers)
        return (lambda seed: TextOnlyModel(psa=name == "text_psa", random_state=seed)), {"side": text_side}
    if name in models.BASELINES:
        return (lambda seed: models.make_baseline(name, seed)), None
    cascade_side = models.CascadeSideData(
        participants=features.participation(cascades, engagements),
        root_participants=root_pairs(cascades),
        text_embeddings=None if name == "propagation" else side["embeddings"],
        publishers=publishers if name == "fused_psa" else None,
    )
    return (lambda seed: models.CascadeModel(model=classifier, random_state=seed)), {"side": cascade_side}


def summary(record: dict) -> dict:
    pooled = record.get("pooled", {})
    out = {k: round(pooled[k]["mean"], 4) for k in ("accuracy", "f1") if k in pooled and pooled[k]["mean"] is not None}
    out["accuracy_sd"] = round(pooled["accuracy"]["sd"], 4) if "accuracy" in pooled else None
    out["n_test"] = record.get("n_test")
    out.update({k: record[k] for k in ("protocol_note", "duplicate_texts") if k in record})
    per_class = {k[3:]: round(v["mean"], 3) for k, v in pooled.items() if k.startswith("f1_")}
    if per_class:
        out["per_class_f1"] = per_class
    return out


def markdown(stored: dict) -> str:
    """The protocol x model table of docs/cascade-model.md from rumour_eval.json (accuracy / macro-F1)."""
    names = list(ALL_MODELS)
    lines = [
        "| dataset | protocol | events train/dev/test | "
        + " | ".join(names)
        + " | same-text test rows before -> after |",
        "|---" * (len(names) + 4) + "|",
    ]
    for dataset, rows in stored.items():
        ev = rows.get("events_per_split", {})
        dev = rows.get("dev", {})
        if dev:
            cells = [f"{dev[m]['accuracy']:.3f} / {dev[m]['f1']:.3f}" if m in dev else "" for m in names]
            lines.append(
                f"| {dataset} | event_separated: fit train, score dev (selection) | "
                f"{ev.get('train')}/{ev.get('dev')}/- | " + " | ".join(cells) + " | |"
            )
        for protocol, by_model in rows.get("results", {}).items():
            cells = [
                f"{by_model[m]['accuracy']:.3f} / {by_model[m]['f1']:.3f}" if m in by_model else "not run"
                for m in names
            ]
            dup = next((r["duplicate_texts"] for r in by_model.values() if "duplicate_texts" in r), None)
            moved = f"{dup['before']['test_rows']} -> {dup['after']['test_rows']}" if dup else ""
            events = (
                f"{ev.get('train')}+{ev.get('dev')}/-/{ev.get('test')}"
                if protocol == "event_separated"
                else f"{rows.get('events')} in all"
            )
            lines.append(f"| {dataset} | {protocol} | {events} | " + " | ".join(cells) + f" | {moved} |")
    return "\n".join(lines)


def evaluate_dataset(dataset: str, args, summary_path: Path) -> None:
    """Every requested protocol x model (and early detection) on one dataset; updates the summary after each run."""
    results = REPO / "results" / dataset
    canonical = results / "canonical"
    out = REPO / "results" / "bench" / "rumour" / dataset
    out.mkdir(parents=True, exist_ok=True)
    tables = read_canonical(canonical, ("cascades", "engagements", "posts"))
    cascades, engagements = tables["cascades"], tables["engagements"]
    side = text_side_data(cascades, tables["posts"], cache_dir=results / "cache" / "minilm")
    table = pd.read_parquet(results / "features" / "cascades.parquet").set_index("cascade_id")
    labels = cascade_target(cascades, "label").reindex(table.index)
    meta = cascades.set_index("cascade_id")
    groups = meta["event_id"].reindex(table.index).astype(str)
    times = meta["created_at"].reindex(table.index).astype("int64")
    baseline_inputs = models.baseline_inputs(cascades, engagements).reindex(table.index)
    assignment = side["assignment"].reindex(table.index.astype(str)).set_axis(table.index)
    text_groups = side["text_groups"].reindex(table.index.astype(str)).set_axis(table.index)
    known = labels.notna()
    y = labels[known].astype(str)
    idx = y.index
    rows: dict = {
        "n_cascades": int(len(y)),
        "n_texts": int(side["texts"].notna().sum()),
        "events_per_split": {s: int(groups[idx][assignment[idx] == s].nunique()) for s in ("train", "dev", "test")},
        "events": int(groups[idx].nunique()),
        "seeds": args.seeds,
        "classifier": args.classifier,
        "results": {},
        "dev": {},
        "wall_s": {},
    }

    def save():  # after every run, so an interrupted measurement keeps what it finished
        stored = json.loads(summary_path.read_text()) if summary_path.exists() else {}
        stored[dataset] = rows
        summary_path.parent.mkdir(parents=True, exist_ok=True)
        summary_path.write_text(json.dumps(stored, indent=2, sort_keys=True, default=float) + "\n")

    def run(protocol: str, name: str, assign=None, rows_mask=None):
        keep = idx if rows_mask is None else idx[rows_mask]
        X = baseline_inputs.loc[keep] if name in models.BASELINES else table.loc[keep]
        make_classifier, fit_params = factories(name, cascades, engagements, side, args.classifier)
        t0 = time.time()
        record, _ = models.evaluate(
            X,
            y.loc[keep],
            task="cascade",
            protocol=protocol,
            model=name,
            seeds=args.seeds,
            groups=groups.loc[keep],
            times=times.loc[keep],
            assignment=(assignment if assign is None else assign).loc[keep],
            text_groups=text_groups.loc[keep],
            make_classifier=make_classifier,
            fit_params=fit_params,
        )
        return record, round(time.time() - t0, 1)

    # model selection on the dev split: fit on train, score dev (the test split is not looked at)
    dev_assign = assignment.map({"train": "train", "dev": "test"})
    dev_rows = assignment.loc[idx].isin(["train", "dev"]).to_numpy()
    for name in args.models:
        record, seconds = run("event_separated", name, assign=dev_assign, rows_mask=dev_rows)
        rows["dev"][name] = summary(record)
        rows["wall_s"][f"dev__{name}"] = seconds
        print(dataset, "dev", name, rows["dev"][name].get("accuracy"), f"{seconds}s", flush=True)
        save()
    fused = [m for m in CASCADE_MODELS if m in rows["dev"]]
    if fused:
        rows["selected"] = max(fused, key=lambda m: (rows["dev"][m]["accuracy"], -CASCADE_MODELS.index(m)))
    for protocol in args.protocols:
        for name in args.models:
            if protocol == "leave_one_event_out" and name not in args.loeo_models:
                continue
            if protocol == "random_5fold" and name not in args.random_models:
                continue
            record, seconds = run(protocol, name)
            models.write_metrics(record, out / f"cascade__{protocol}__{name}.json")
            rows["results"].setdefault(protocol, {})[name] = summary(record)
            rows["wall_s"][f"{protocol}__{name}"] = seconds
            print(
                dataset,
                protocol,
                name,
                rows["results"][protocol][name].get("accuracy"),
                rows["results"][protocol][name].get("f1"),
                f"{seconds}s",
                flush=True,
            )
            save()
    if args.early:
        features_early = results / "features" / "cascades_early.parquet"
        for name in (args.classifier, *models.BASELINES):
            t0 = time.time()
            path = out / f"cascade_early__event_separated__{name}.json"
            run_early_detection(
                results / "features" / "cascades.parquet",
                features_early,
                canonical,
                "event_separated",
                name,
                args.seeds,
                path,
                target="label",
                text_cache_dir=results / "cache" / "minilm",
            )
            early = json.loads(path.read_text())["metrics_by_cutoff"]
            rows.setdefault("early_event_separated", {})[name] = {
                c: round(v["accuracy"]["mean"], 4) for c, v in early.items()
            }
            rows["wall_s"][f"early__{name}"] = round(time.time() - t0, 1)
            print(dataset, "early", name, rows["early_event_separated"][name], flush=True)
            save()
    save()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", action="store_true", help="print the markdown table of the stored results")
    parser.add_argument("--datasets", nargs="+", default=["twitter16", "twitter15"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument(
        "--protocols", nargs="+", default=["event_separated", "event_5fold", "random_5fold", "leave_one_event_out"]
    )
    parser.add_argument("--models", nargs="+", default=list(ALL_MODELS), choices=ALL_MODELS)
    parser.add_argument(
        "--loeo-models",
        nargs="+",
        default=list(ALL_MODELS),
        choices=ALL_MODELS,
        help="models run under leave_one_event_out (one fit per event)",
    )
    parser.add_argument(
        "--random-models",
        nargs="+",
        default=list(ALL_MODELS),
        choices=ALL_MODELS,
        help="models run under random_5fold (leaky comparison only)",
    )
    parser.add_argument("--classifier", default="rf", choices=models.MODEL_NAMES)
    parser.add_argument("--early", action="store_true", help="early detection on event_separated")
    args = parser.parse_args()
    summary_path = REPO / "results" / "bench" / "rumour_eval.json"
    if args.table:
        print(markdown(json.loads(summary_path.read_text())))
        return
    for dataset in args.datasets:
        evaluate_dataset(dataset, args, summary_path)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
