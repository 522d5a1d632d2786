"""Benchmark: validating engagements that hold a 300-deep reply chain whose first post is missing,
against the same data with the chain's root present (issue 14 target: <= 1.2x).

The engagements table has ``--n`` rows in ``--n // 20`` cascades; most rows hang from the cascade
root or from an earlier engagement of their cascade (random trees, seeded), plus one chain of
``--depth`` engagements. In the ``missing_root`` variant the chain's first engagement points at an id
that does not exist, so all ``depth`` rows must be rejected; in ``with_root`` it hangs from the root.
Each variant is timed ``--repeat`` times (``validate_tables`` only, data already in memory; the
minimum is reported). Also checks that exactly ``depth`` rows are rejected. Writes
results/bench/validate_chain.json.

    python bench/validate_chain.py [--n 2000000] [--depth 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch.schema import validate_tables

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "results" / "bench" / "validate_chain.json"


def make_tables(n: int, depth: int, missing_root: bool, seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_cascades, n_accounts = max(n // 20, 1), max(n // 10, 2)
    cascade = np.sort(rng.integers(0, n_cascades, n - depth))
    first = np.searchsorted(cascade, cascade, side="left")  # first row of each row's cascade
    offset = np.arange(n - depth) - first
    parent = np.where(offset > 0, first + (rng.random(n - depth) * offset).astype(np.int64), -1)
    ids = np.char.add("e", np.arange(n).astype(str))
    parent_ids = np.where(parent >= 0, ids[np.clip(parent, 0, None)], None).astype(object)
    chain_ids = ids[n - depth :]
    chain_parents = np.concatenate([["missing" if missing_root else None], chain_ids[:-1]]).astype(object)
    engagements = pd.DataFrame(
        {
            "engagement_id": ids,
            "cascade_id": np.concatenate([np.char.add("c", cascade.astype(str)), np.full(depth, "c0")]),
            "parent_engagement_id": np.concatenate([parent_ids, chain_parents]),
            "child_account_id": np.char.add("a", rng.integers(0, n_accounts, n).astype(str)),
            "kind": "retweet",
            "delay_s": np.round(rng.exponential(600, n), 3).astype(str),
        }
    )
    return {
        "accounts": pd.DataFrame({"account_id": np.char.add("a", np.arange(n_accounts).astype(str))}),
        "cascades": pd.DataFrame({"cascade_id": np.char.add("c", np.arange(n_cascades).astype(str))}),
        "engagements": engagements,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2_000_000)
    parser.add_argument("--depth", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    record = {
        "n_engagements": args.n,
        "depth": args.depth,
        "repeat": args.repeat,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "seconds": {},
    }
    for variant in ("with_root", "missing_root"):
        tables = make_tables(args.n, args.depth, missing_root=variant == "missing_root")
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            report = validate_tables({k: v.copy() for k, v in tables.items()})
            times.append(time.perf_counter() - start)
        rejected = report.counts["engagements"]["rejected"]
        expected = args.depth if variant == "missing_root" else 0
        if rejected != expected:
            raise SystemExit(f"{variant}: {rejected} engagements rejected, expected {expected}")
        record["seconds"][variant] = {"min": round(min(times), 3), "all": [round(t, 3) for t in times]}
        record[f"rejected_{variant}"] = rejected
        print(f"{variant:13s} min {min(times):.2f} s over {args.repeat} runs; {rejected} rejected")
    ratio = record["seconds"]["missing_root"]["min"] / record["seconds"]["with_root"]["min"]
    record["ratio_missing_over_with_root"] = round(ratio, 3)
    record["target_ratio"] = 1.2
    print(f"ratio {ratio:.3f} (target <= 1.2)")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(record, indent=2) + "\n")
    print(f"-> {OUT}")


if __name__ == "__main__":
    main()
