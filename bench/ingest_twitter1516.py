"""Benchmark: ingest of Twitter15 + Twitter16 (~1M tree lines) against a plain pandas read of the same lines.

Each measurement runs in a fresh Python process, so peak RSS (ru_maxrss) belongs to that step alone:
- `ingest`: spreadwatch's full ingest of both datasets (adapter: parse, deduplicate, link every edge;
  validator: types, keys, references; Parquet + data card written), one dataset after the other;
- `adapter`: the adapters alone (no validation, nothing written);
- `pandas_read`: `pandas.read_csv` of the same tree lines, already extracted to one plain text file,
  into a single unsplit string column (the floor any reader pays).
Writes results/bench/ingest_twitter1516.json. Needs ../shared/data (or SPREADWATCH_DATA).

    python bench/ingest_twitter1516.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "results" / "bench" / "ingest_twitter1516.json"

STEP = r"""
import json, resource, sys, time, tempfile
import pandas as pd
from spreadwatch.ingest import ingest_dataset, load_registry, load_with_adapter, resolve_data_root
step, arg = sys.argv[1], sys.argv[2]
registry = load_registry(arg) if step != "pandas_read" else None
start = time.perf_counter()
rows = 0
if step == "ingest":
    with tempfile.TemporaryDirectory() as out:
        for name in ("twitter15", "twitter16"):
            card = ingest_dataset(name, registry[name], f"{out}/{name}")
            rows += card["counts"]["engagements"]["read"]
elif step == "adapter":
    for name in ("twitter15", "twitter16"):
        result = load_with_adapter(name, registry[name], resolve_data_root(None))
        rows += len(result.tables["engagements"])
else:
    frame = pd.read_csv(arg, sep="\t", header=None, names=["line"], dtype="string[pyarrow]",
                        engine="c", quoting=3)
    rows = len(frame)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rows": rows}))
"""


def extract_tree_lines(archive: Path, target: Path) -> int:
    """Concatenate every tree file of the archive into one text file; return the line count."""
    lines = 0
    with tarfile.open(archive) as tar, open(target, "wb") as out:
        for member in tar:
            if member.isfile() and "/tree/" in member.name:
                data = tar.extractfile(member).read()
                out.write(data if data.endswith(b"\n") else data + b"\n")
                lines += data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return lines


def run_step(step: str, arg: str) -> dict:
    done = subprocess.run([sys.executable, "-c", STEP, step, arg], capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the minimum time is reported")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    from spreadwatch.ingest import resolve_data_root

    archive = resolve_data_root(None) / "misinfo" / "twitter15_16" / "twitter15_16_trees.tar.gz"
    if not archive.exists():
        sys.exit(f"{archive} not found: set SPREADWATCH_DATA to the shared data folder")
    registry = str(REPO / "configs" / "datasets.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        lines_file = Path(tmp) / "tree_lines.txt"
        n_lines = extract_tree_lines(archive, lines_file)
        results = {}
        for step, arg in (("pandas_read", str(lines_file)), ("adapter", registry), ("ingest", registry)):
            runs = [run_step(step, arg) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["seconds"])
            results[step] = {
                "seconds_min": best["seconds"],
                "seconds_all": [r["seconds"] for r in runs],
                "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
                "rows": best["rows"],
            }
            print(step, results[step], flush=True)
    base = results["pandas_read"]
    record = {
        "benchmark": "ingest_twitter1516",
        "tree_lines": n_lines,
        "steps": results,
        "ratio_vs_pandas_read": {
            step: {
                "time": results[step]["seconds_min"] / base["seconds_min"],
                "peak_memory": results[step]["peak_rss_mb"] / base["peak_rss_mb"],
            }
            for step in ("adapter", "ingest")
        },
        "machine": {
            "python": platform.python_version(),
            "processor": platform.processor(),
            "cpus": __import__("os").cpu_count(),
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    print(f"-> {OUT}")


if __name__ == "__main__":
    main()
