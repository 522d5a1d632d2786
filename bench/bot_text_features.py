"""Does the text family (MiniLM description + post embeddings) add to the bot model?

Simulates a platform (default 5,000 accounts, 7 days, seed 0), builds the account features with and
without `features.text_features`, and runs the bot model's stratified 5-fold protocol on both (same
folds, same seeds). Writes results/bench/bot_text_features.json with ROC AUC / accuracy of each and
the embedding time.

    python bench/bot_text_features.py [--accounts 5000] [--model hgb]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from spreadwatch import features, models
from spreadwatch.simulate import SimulationConfig, simulate_platform
from spreadwatch.text import MiniLMEmbedder

OUT = Path(__file__).resolve().parents[1] / "results" / "bench" / "bot_text_features.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--model", default="hgb")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = parser.parse_args()
    tables = simulate_platform(SimulationConfig(n_accounts=args.accounts, days=args.days, seed=0))
    accounts, posts = tables["accounts"], tables["posts"]
    y = accounts.set_index(accounts["account_id"].astype(str))["label"]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:
        text = features.text_features(accounts, posts, MiniLMEmbedder(cache_dir=cache).embed)
    embed_seconds = time.perf_counter() - start
    record = {
        "accounts": args.accounts,
        "days": args.days,
        "model": args.model,
        "seeds": args.seeds,
        "protocol": "stratified_5fold",
        "embedding_seconds": embed_seconds,
        "variants": {},
    }
    for name, extra in (("without_text", None), ("with_text", text)):
        X = features.account_features(accounts, posts, text=extra)
        result, _ = models.evaluate(
            X, y.reindex(X.index), task="bot", protocol="stratified_5fold", model=args.model, seeds=args.seeds
        )
        record["variants"][name] = {
            "n_features": X.shape[1],
            **{m: result["metrics"][m] for m in ("roc_auc", "accuracy", "f1")},
        }
        print(
            name, X.shape[1], {m: round(result["metrics"][m]["mean"], 4) for m in ("roc_auc", "accuracy")}, flush=True
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    print(f"-> {OUT}")


if __name__ == "__main__":
    main()
