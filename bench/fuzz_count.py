"""Fuzz-count run (issue 14 target: 0 tracebacks over >= 1,000 examples): the property-based tests of
``tests/test_fuzz.py`` (generated malformed tables; byte-mutated CSV/JSON Lines files) run with
``--examples`` examples each (seeded, derandomised), counting examples, unusable-file errors and
failures. Progress is written to results/bench/fuzz_count.json every 25 examples, so a cut-short run
still reports what it did.

    python bench/fuzz_count.py [--examples 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "results" / "bench" / "fuzz_count.json"
sys.path.insert(0, str(REPO / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000)
    args = parser.parse_args()
    import test_fuzz as fuzz
    from hypothesis import HealthCheck, given, settings

    record = {"examples_per_property": args.examples, "properties": {}}
    OUT.parent.mkdir(parents=True, exist_ok=True)

    def save():
        OUT.write_text(json.dumps(record, indent=2) + "\n")

    class Factory:  # stands in for pytest's tmp_path_factory
        def mktemp(self, name):
            return Path(tempfile.mkdtemp(prefix=name, dir=workdir))

    workdir = tempfile.mkdtemp(prefix="fuzz-count-")
    for name, strategy, body in (
        (
            "generated_tables",
            (fuzz.TABLES,),
            fuzz.test_generated_tables_never_crash_and_lose_nothing.hypothesis.inner_test,
        ),
        (
            "byte_mutated_files",
            (fuzz.mutated(), fuzz.st.sampled_from([None, "latin-1"])),
            fuzz.test_byte_mutated_files_are_an_error_or_a_balanced_quarantine.hypothesis.inner_test,
        ),
    ):
        stats = {"examples": 0, "failures": 0, "seconds": 0.0, "first_failure": None}
        record["properties"][name] = stats
        start = time.perf_counter()

        def make(_body, _stats, _name, _start):
            def counted(values):
                _stats["examples"] += 1
                try:
                    if _name == "byte_mutated_files":
                        _body(Factory(), *values)
                    else:
                        _body(*values)
                except Exception:  # noqa: BLE001 - counted and recorded, the run goes on
                    _stats["failures"] += 1
                    _stats["first_failure"] = _stats["first_failure"] or traceback.format_exc()[-2000:]
                if _stats["examples"] % 25 == 0:
                    _stats["seconds"] = round(time.perf_counter() - _start, 1)
                    save()

            return counted

        counting_body = make(body, stats, name, start)

        run = settings(
            max_examples=args.examples,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )(given(fuzz.st.tuples(*strategy))(counting_body))
        run()
        stats["seconds"] = round(time.perf_counter() - start, 1)
        save()
        print(f"{name}: {stats['examples']} examples, {stats['failures']} failures, {stats['seconds']} s")
    record["total_examples"] = sum(s["examples"] for s in record["properties"].values())
    record["total_failures"] = sum(s["failures"] for s in record["properties"].values())
    save()
    print(f"total {record['total_examples']} examples, {record['total_failures']} failures -> {OUT}")


if __name__ == "__main__":
    main()
