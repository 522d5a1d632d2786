"""Benchmark: bot-scoring throughput and peak memory of the profile model on 1M synthetic accounts.

Headline (``model`` = ``shipped_portable``): the committed portable model
(``spreadwatch.portable.load_bot_model``, src/spreadwatch/shipped) scoring the tiled accounts end to end:
profile features, tier selection, gradient boosting, calibration and prior adjustment
(``PortableBotModel.score``), in one process and one thread. The in-domain models below are comparisons.

Simulates a platform with ``spreadwatch.simulate`` (ground-truth bot labels), trains the profile-only
bot model (``SpreadClassifier`` on ``features.profile_features``) on it, then tiles the simulated
accounts (resampled rows with fresh ids) to ``--accounts`` rows and times, in one process and one
thread, profile features + ``predict_proba`` in chunks of ``--chunk`` accounts. Writes
``results/bench/bot_scoring.json``: accounts/s end to end (features + prediction) per model and per
stage, the peak RSS of the process (ru_maxrss, which includes the simulation and the 1M-row table),
feature count, load average and machine info. Speed is never asserted in tests.

    python bench/bot_scoring.py                       # 1,000,000 accounts (make bench)
    python bench/bot_scoring.py --accounts 200000     # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one process, one thread: the number to compare

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from spreadwatch import features, models, portable  # noqa: E402
from spreadwatch.simulate import SimulationConfig, simulate_platform  # noqa: E402


def tiled_accounts(accounts: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` rows resampled with replacement from ``accounts``, with fresh unique account ids."""
    rows = np.random.default_rng(seed).integers(0, len(accounts), size=n)
    out = accounts.iloc[rows].reset_index(drop=True)
    out["account_id"] = pd.array([f"b{i}" for i in range(n)], dtype="string")
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--simulated", type=int, default=50_000, help="accounts simulated before tiling")
    parser.add_argument("--chunk", type=int, default=250_000)
    parser.add_argument(
        "--models",
        nargs="+",
        default=["hgb_small", "hgb", "logreg"],
        help="profile models to time; the first is the headline number",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="results/bench/bot_scoring.json")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    tables = simulate_platform(SimulationConfig(n_accounts=args.simulated, days=3, seed=args.seed))
    accounts = tables["accounts"]
    simulate_s = time.perf_counter() - t0
    reference = features.reference_time(accounts, tables["posts"])
    del tables

    # the profile model: fitted on the simulated accounts' ground truth; the name model is part of the
    # fitted scorer (fitted once, without labels, on the training names and reused for every chunk)
    name_model = features.fit_name_model(accounts["screen_name"])
    train = features.profile_features(accounts, reference, name_model=name_model)
    labels = accounts.set_index(accounts["account_id"].astype(str))["label"].reindex(train.index)
    keep = labels.notna().to_numpy()
    columns = [c for c in train.columns if train[c].notna().any() and train[c].nunique() > 1]
    fitted, train_s = {}, {}
    for name in args.models:
        t0 = time.perf_counter()
        fitted[name] = models.SpreadClassifier(model=name, random_state=args.seed).fit(
            train.loc[keep, columns], labels[keep].astype(str).to_numpy()
        )
        train_s[name] = time.perf_counter() - t0

    big = tiled_accounts(accounts, args.accounts, args.seed)
    rss_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    feature_s = 0.0
    predict_s = {name: 0.0 for name in args.models}
    bots = {name: 0 for name in args.models}
    for start in range(0, len(big), args.chunk):
        chunk = big.iloc[start : start + args.chunk]
        t0 = time.perf_counter()
        table = features.profile_features(chunk, reference, name_model=name_model)[columns]
        feature_s += time.perf_counter() - t0
        for name, model in fitted.items():
            t0 = time.perf_counter()
            proba = model.predict_proba(table)[:, int(np.flatnonzero(model.classes_ == "bot")[0])]
            predict_s[name] += time.perf_counter() - t0
            bots[name] += int((proba >= 0.5).sum())
    shipped = portable.load_bot_model()
    shipped_s, shipped_scored, shipped_bots = 0.0, 0, 0
    for start in range(0, len(big), args.chunk):
        chunk = big.iloc[start : start + args.chunk]
        t0 = time.perf_counter()
        scores = shipped.score(chunk)
        shipped_s += time.perf_counter() - t0
        shipped_scored += int(scores["bot_probability"].notna().sum())
        shipped_bots += int((scores["bot_probability"] >= 0.5).sum())
    n = len(big)
    per_model = {
        name: {
            "accounts_per_s": n / (feature_s + predict_s[name]),
            "predict_s": predict_s[name],
            "predict_accounts_per_s": n / predict_s[name],
            "scoring_s": feature_s + predict_s[name],
            "train_s": train_s[name],
            "share_scored_bot": bots[name] / n,
        }
        for name in args.models
    }
    per_model["shipped_portable"] = {
        "accounts_per_s": n / shipped_s,
        "scoring_s": shipped_s,
        "model_id": shipped.model_id,
        "share_scored": shipped_scored / n,
        "share_scored_bot": shipped_bots / max(shipped_scored, 1),
    }
    headline = "shipped_portable"
    result = {
        "benchmark": "bot_scoring",
        "model": headline,
        "accounts_per_s": per_model[headline]["accounts_per_s"],
        "models": per_model,
        "n_accounts": n,
        "n_simulated": args.simulated,
        "chunk": args.chunk,
        "n_features": len(columns),
        "features_s": feature_s,
        "features_accounts_per_s": n / feature_s,
        "simulate_s": simulate_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_scoring_mb": rss_before_mb,
        "threads": os.environ.get("OMP_NUM_THREADS"),
        "python": sys.version.split()[0],
        "machine": platform.platform(),
        "cpu_count": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "target_accounts_per_s": 100_000,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, sort_keys=True))
    return result


if __name__ == "__main__":
    main()
