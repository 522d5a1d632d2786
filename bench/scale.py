"""Scaling benchmark: the synthetic workflow at several sizes, per-rule time and memory, growth exponents.

    python bench/scale.py --sizes 20000 100000 300000 1000000 [--evaluation reduced|default] [--cores 2]

For each size N it writes a config (the default config with ``simulation.n_accounts = N``, cascades
started at ``N / 35`` per day so there are about 10 engagements per account or more, and with
``--evaluation reduced`` one seed, the hgb bot model and the hgb cascade model beside the two leakage
baselines), runs the real Snakemake workflow in ``results/bench/scale/N`` (``--directory``, so runs do
not collide) and reads every rule's ``benchmark:`` file. Output: ``results/bench/scale.json`` with, per
size, the wall time, per-rule seconds / CPU seconds / peak RSS (MB), rows per canonical table, and the
growth exponent ``log(t2 / t1) / log(N2 / N1)`` of every rule and of the whole run between consecutive
sizes (1 = linear; ``rules_cpu`` / ``cpu`` from CPU seconds, which a busy machine distorts less); and
``results/bench/scale.png`` (log-log seconds and peak RSS against accounts).
Sizes already measured in scale.json are kept, so sizes can be added one run at a time. Timings are
wall-clock on whatever machine runs it; the JSON records the CPU count and the load average.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "results" / "bench"
TABLES = ("accounts", "posts", "engagements", "cascades", "follows")


def scale_config(n_accounts: int, evaluation: str) -> dict:
    """The default config at ``n_accounts`` accounts (absolute registry path; see module docstring)."""
    config = yaml.safe_load((REPO / "configs" / "config.yaml").read_text())
    config["registry"] = str(REPO / "configs" / "datasets.yaml")
    config["data_root"] = str((REPO / config.get("data_root", "../shared/data")).resolve())
    config["simulation"] = {
        **config["simulation"],
        "n_accounts": int(n_accounts),
        "cascades_per_day": max(5.0, n_accounts / 35.0),
    }
    if evaluation == "reduced":
        config["seeds"] = config["seeds"][:1]
        config["bot"] = {**config["bot"], "models": ["hgb"]}
        config["cascade"] = {**config["cascade"], "models": ["hgb", "source_time_only", "source_user_only"]}
    return config


def read_benchmarks(workdir: Path) -> dict[str, dict]:
    """``{rule job: {seconds, cpu_seconds, max_rss_mb}}`` from the run's benchmark TSV files."""
    rules = {}
    for path in sorted((workdir / "benchmarks").rglob("*.tsv")):
        frame = pd.read_csv(path, sep="\t")
        if frame.empty:
            continue
        row = frame.iloc[-1]
        name = str(path.relative_to(workdir / "benchmarks")).removesuffix(".tsv").split("/", 1)[-1]
        rss = pd.to_numeric(row.get("max_rss"), errors="coerce")
        rules[name] = {
            "seconds": float(row["s"]),
            "cpu_seconds": float(pd.to_numeric(row.get("cpu_time"), errors="coerce")),
            "max_rss_mb": None if pd.isna(rss) else float(rss),
        }
    return rules


def table_rows(workdir: Path) -> dict[str, int]:
    import pyarrow.parquet as pq

    canonical = workdir / "results" / "synthetic" / "canonical"
    return {
        t: int(pq.read_metadata(canonical / f"{t}.parquet").num_rows)
        for t in TABLES
        if (canonical / f"{t}.parquet").exists()
    }


def run_size(n_accounts: int, evaluation: str, cores: int, timeout_s: float | None) -> dict:
    workdir = OUT / "scale" / str(n_accounts)
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "config.yaml"
    config_path.write_text(yaml.safe_dump(scale_config(n_accounts, evaluation), sort_keys=True))
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "src"),
        "PYTHONHASHSEED": "0",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(config_path),
        "--cores",
        str(cores),
        "--rerun-incomplete",
    ]
    start = time.perf_counter()
    with open(workdir / "snakemake.log", "w") as log:
        try:
            done = subprocess.run(
                command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout_s, check=False
            )
            status = "ok" if done.returncode == 0 else f"failed (exit {done.returncode})"
        except subprocess.TimeoutExpired:
            status = f"timed out after {timeout_s:.0f} s"
    wall = time.perf_counter() - start
    rules = read_benchmarks(workdir)
    rows = table_rows(workdir)
    rss = [r["max_rss_mb"] for r in rules.values() if r["max_rss_mb"] is not None]
    return {
        "n_accounts": n_accounts,
        "status": status,
        "evaluation": evaluation,
        "cores": cores,
        "wall_seconds": wall,
        "sum_rule_seconds": sum(r["seconds"] for r in rules.values()),
        "sum_rule_cpu_seconds": sum(r["cpu_seconds"] for r in rules.values() if r["cpu_seconds"] == r["cpu_seconds"]),
        "peak_rss_mb": max(rss) if rss else None,
        "engagements_per_account": rows.get("engagements", 0) / n_accounts,
        "rows": rows,
        "rules": rules,
        "load_average_after": os.getloadavg(),
    }


def growth_exponents(runs: list[dict]) -> list[dict]:
    """Between consecutive sizes: exponent of every rule present in both, and of the whole run."""
    out = []
    ok = sorted((r for r in runs if r["status"] == "ok"), key=lambda r: r["n_accounts"])
    for small, large in itertools.pairwise(ok):
        ratio = math.log(large["n_accounts"] / small["n_accounts"])
        per_rule, per_rule_cpu = {}, {}
        for name in sorted(set(small["rules"]) & set(large["rules"])):
            for key, target in (("seconds", per_rule), ("cpu_seconds", per_rule_cpu)):
                a, b = small["rules"][name][key], large["rules"][name][key]
                if a > 0 and b > 0:
                    target[name] = math.log(b / a) / ratio
        out.append(
            {
                "from": small["n_accounts"],
                "to": large["n_accounts"],
                "wall": math.log(large["wall_seconds"] / small["wall_seconds"]) / ratio,
                "cpu": math.log(large["sum_rule_cpu_seconds"] / small["sum_rule_cpu_seconds"]) / ratio,
                "rules": per_rule,
                "rules_cpu": per_rule_cpu,
            }
        )
    return out


def figure(runs: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = sorted((r for r in runs if r["status"] == "ok"), key=lambda r: r["n_accounts"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5), dpi=110)
    if ok:
        sizes = [r["n_accounts"] for r in ok]
        left.plot(sizes, [r["wall_seconds"] for r in ok], "k-o", lw=2, label="whole run (wall)")
        heavy = sorted(
            {name for r in ok for name in r["rules"]}, key=lambda name: -ok[-1]["rules"].get(name, {}).get("seconds", 0)
        )[:8]
        for name in heavy:
            points = [(r["n_accounts"], r["rules"][name]["seconds"]) for r in ok if name in r["rules"]]
            left.plot(*zip(*points), "-o", ms=3, lw=1, label=name)
            points = [
                (r["n_accounts"], r["rules"][name]["max_rss_mb"])
                for r in ok
                if name in r["rules"] and r["rules"][name]["max_rss_mb"]
            ]
            if points:
                right.plot(*zip(*points), "-o", ms=3, lw=1, label=name)
        ref = [sizes[0], sizes[-1]]
        left.plot(
            ref,
            [ok[0]["wall_seconds"], ok[0]["wall_seconds"] * sizes[-1] / sizes[0]],
            "k:",
            lw=0.8,
            label="linear growth",
        )
    for ax, label in ((left, "seconds"), (right, "peak RSS (MB)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("accounts")
        ax.set_ylabel(label)
        ax.legend(fontsize=6)
    fig.suptitle("spreadwatch synthetic workflow: time and memory against size")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000, 300_000, 1_000_000])
    parser.add_argument("--evaluation", choices=["reduced", "default"], default="reduced")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=None, help="seconds per size (the run is stopped after)")
    parser.add_argument(
        "--collect-only",
        action="store_true",
        help="do not run; re-read the benchmark files of sizes already in scale.json",
    )
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "scale.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    runs = {r["n_accounts"]: r for r in previous.get("runs", []) if r.get("evaluation") == args.evaluation}
    for n in args.sizes:
        if args.collect_only:
            if n not in runs:
                continue
            workdir = OUT / "scale" / str(n)
            rules = read_benchmarks(workdir)
            rss = [r["max_rss_mb"] for r in rules.values() if r["max_rss_mb"] is not None]
            runs[n].update(
                rules=rules,
                rows=table_rows(workdir),
                peak_rss_mb=max(rss) if rss else None,
                sum_rule_seconds=sum(r["seconds"] for r in rules.values()),
                sum_rule_cpu_seconds=sum(
                    r["cpu_seconds"] for r in rules.values() if r["cpu_seconds"] == r["cpu_seconds"]
                ),
            )
        else:
            print(f"running {n} accounts ...", flush=True)
            runs[n] = run_size(n, args.evaluation, args.cores, args.timeout)
        print(
            f"  {runs[n]['status']}: {runs[n]['wall_seconds']:.0f} s, peak RSS {runs[n]['peak_rss_mb']} MB", flush=True
        )
        ordered = [runs[k] for k in sorted(runs)]
        result = {
            "cpu_count": os.cpu_count(),
            "evaluation": args.evaluation,
            "runs": ordered,
            "growth_exponents": growth_exponents(ordered),
        }
        path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
        figure(ordered, OUT / "scale.png")
    print(f"wrote {path} and {OUT / 'scale.png'}")


if __name__ == "__main__":
    main()
