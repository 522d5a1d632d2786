"""Benchmark: latency of the review desk's queue and account pages against the running server.

Starts ``spreadwatch serve`` as a subprocess (real uvicorn, one worker) and times, from a client in
this process, ``--requests`` sequential GETs of each page kind; reports p50/p95/max in ms.

1. ``--dataset`` (default ``synthetic``) as the workflow wrote it under ``--results``.
2. A 1,000,000-row ranked table (``--rows``): the workflow cannot be run at 1M accounts on this
   machine, so the dataset's real ranked rows are resampled (fresh ids, components jittered, score
   recomputed by ``ranking.combine`` with the default weights, re-ranked) into ``/tmp/desk-bench/synthetic_1m`` next to
   the same canonical tables; the dataset's own accounts keep their ids, so their account pages
   carry real timelines, cascades and partners while the queue, neighbours and score-context
   queries run over the million rows. The one-time build of the indexed queue cache is timed too.

Page kinds: ``queue`` (first page), ``queue_deep`` (page 500 when it exists), ``queue_sorted``
(sorted by coordination, descending), ``queue_filtered`` (score >= 0.6 and status unreviewed),
``queue_search`` (free-text search), ``account`` (cycling through the top accounts with canonical
data). Writes ``results/bench/desk.json``. Timings are never asserted in tests.

    python bench/desk.py                      # default: results/synthetic and a 1M-row table
    python bench/desk.py --rows 0             # the dataset only
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from spreadwatch.ranking import COMPONENTS, DEFAULT_WEIGHTS, combine  # noqa: E402 (after the sys.path line)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(results: Path, dataset: str, db: Path) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    t0 = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spreadwatch.cli",
            "serve",
            "--dataset",
            dataset,
            "--port",
            str(port),
            "--results",
            str(results),
            "--db",
            str(db),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    while True:
        if process.poll() is not None:
            raise RuntimeError(process.stdout.read())
        try:
            urllib.request.urlopen(url + "/healthz", timeout=5).read()
            return process, url, time.perf_counter() - t0
        except OSError:
            time.sleep(0.2)
        if time.perf_counter() - t0 > 900:
            raise RuntimeError("server did not start")


def timed(url: str, paths: list[str], n: int) -> dict:
    opener = urllib.request.build_opener()
    opener.open(url + paths[0]).read()  # session cookie and warm caches, not timed
    times, sizes = [], []
    for i in range(n):
        t0 = time.perf_counter()
        body = opener.open(url + paths[i % len(paths)], timeout=60).read()
        times.append((time.perf_counter() - t0) * 1000)
        sizes.append(len(body))
    a = np.asarray(times)
    return {
        "requests": n,
        "p50_ms": round(float(np.percentile(a, 50)), 2),
        "p95_ms": round(float(np.percentile(a, 95)), 2),
        "max_ms": round(float(a.max()), 2),
        "mean_bytes": int(np.mean(sizes)),
        "distinct_paths": len(set(paths)),
    }


def page_kinds(results: Path, dataset: str, total: int) -> dict[str, list[str]]:
    ranked = pd.read_csv(
        results / dataset / "ranked_accounts.csv",
        dtype={"account_id": str, "screen_name": str},
        usecols=["account_id", "screen_name"],
    )
    canonical = pd.read_parquet(results / dataset / "canonical" / "accounts.parquet", columns=["account_id"])
    known = ranked[ranked["account_id"].isin(set(canonical["account_id"]))]
    accounts = [f"/account/{a}" for a in known["account_id"].head(200)]
    name = str(known["screen_name"].dropna().iloc[min(50, len(known) - 1)])[:6]
    kinds = {
        "queue": ["/queue"],
        "queue_sorted": ["/queue?sort=coordination&desc=1"],
        "queue_filtered": ["/queue?min_score=0.6&status=unreviewed"],
        "queue_search": [f"/queue?q={urllib.parse.quote(name)}"],
        "account": accounts,
    }
    if total > 50 * 500:
        kinds["queue_deep"] = ["/queue?page=500"]
    return kinds


def million_table(results: Path, dataset: str, rows: int, out_root: Path, seed: int = 0) -> Path:
    """``out_root/{dataset}_1m``: ranked_accounts.csv with ``rows`` rows and links to the real tables."""
    target = out_root / f"{dataset}_1m"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for item in ("canonical", "scores", "graphs"):
        (target / item).symlink_to((results / dataset / item).resolve())
    shutil.copy(results / dataset / "ranked_domains.csv", target / "ranked_domains.csv")
    real = pd.read_csv(
        results / dataset / "ranked_accounts.csv",
        dtype={"account_id": str, "screen_name": str, "name": str, "top_reasons": str},
    )
    rng = np.random.default_rng(seed)
    extra = real.iloc[rng.integers(0, len(real), size=rows - len(real))].reset_index(drop=True)
    extra["account_id"] = [f"m{i}" for i in range(len(extra))]
    extra["screen_name"] = (
        extra["screen_name"].fillna("acct") + "_" + pd.Series(np.arange(len(extra)) % 9973).astype(str)
    )
    for c in COMPONENTS:  # multiplicative jitter: zero evidence stays zero
        extra[c] = extra[c].to_numpy(float) * np.exp(rng.normal(0, 0.1, len(extra)))
    table = pd.concat([real, extra], ignore_index=True)
    table["score"] = combine(table[list(COMPONENTS)].fillna(0), DEFAULT_WEIGHTS).to_numpy()
    table = table.sort_values(["score", "account_id"], ascending=[False, True], kind="stable")
    table["rank"] = np.arange(1, len(table) + 1)
    table.to_csv(target / "ranked_accounts.csv", index=False, float_format="%.6g")
    return target


def run(results: Path, dataset: str, db: Path, n: int, label: str) -> dict:
    process, url, startup = start(results, dataset, db)
    try:
        total = json.loads(urllib.request.urlopen(url + "/healthz").read())["accounts"]
        record = {"dataset": label, "accounts": total, "server_start_s": round(startup, 2), "pages": {}}
        for kind, paths in page_kinds(results, dataset, total).items():
            record["pages"][kind] = timed(url, paths, n)
            print(label, kind, record["pages"][kind], flush=True)
        return record
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", default="results")
    parser.add_argument("--dataset", default="synthetic")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the large ranked table (0 = skip)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--work", default="/tmp/desk-bench")
    parser.add_argument("--out", default="results/bench/desk.json")
    args = parser.parse_args()
    results, work = Path(args.results), Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    records = [run(results, args.dataset, work / "bench.sqlite", args.requests, args.dataset)]
    if args.rows:
        t0 = time.perf_counter()
        big = million_table(results, args.dataset, args.rows, work)
        generated = time.perf_counter() - t0
        record = run(work, big.name, work / "bench.sqlite", args.requests, f"{big.name} ({args.rows:,} generated rows)")
        record["generate_table_s"] = round(generated, 1)
        record["note"] = (
            "ranked table generated by resampling the dataset's ranked rows (not a 1M-account "
            "workflow run); server_start_s includes the one-time indexed cache build"
        )
        records.append(record)
    out = {
        "benchmark": "desk",
        "requests_per_page_kind": args.requests,
        "target_p95_ms": 200,
        "records": records,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "loadavg": os.getloadavg(),
            "platform": platform.platform(),
        },
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
