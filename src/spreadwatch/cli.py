"""spreadwatch command line.

  spreadwatch simulate --accounts 20000 --days 14 --seed 0 --out results/synthetic/raw
  spreadwatch validate --accounts my/accounts.csv --engagements my/engagements.csv ...
  spreadwatch ingest --dataset twitter15 [--registry configs/datasets.yaml] [--data-root DIR]
  spreadwatch datasets                       list the registry and whether each dataset's files exist
  spreadwatch run [snakemake arguments...]   run the workflow (same as `snakemake --cores all ...`)
  spreadwatch export --dataset synthetic --pseudonymise --salt SECRET [--out DIR]
                                             ranked lists for sharing: salted hashes, no free text
  spreadwatch reviews --file reviews/synthetic.csv   check a reviews file (account_id,verdict,...)
  spreadwatch serve --dataset synthetic [--port 8765] [--host 127.0.0.1] [--db reviews/desk.sqlite]
                                             the review desk: a local web app to triage and record verdicts
  spreadwatch train [--out src/spreadwatch/shipped]  retrain the shipped portable bot model (needs ../shared/data)
  spreadwatch score --accounts a.csv [--cascades c.csv --engagements e.csv ...] --out DIR
                                             score generic-format files with the shipped model (no labels needed)

Every command prints what it did; errors name the file, row and column to fix.
Exit codes: 0 clean, 1 rows were rejected (reasons printed), 2 unusable input or arguments,
3 internal error (a bug; the traceback is written to a file whose path is printed).
After a crash or kill: `spreadwatch run --resume [same arguments]` unlocks and reruns incomplete jobs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from spreadwatch.runlog import script_logging
from spreadwatch.schema import TABLE_ORDER, InputFileError

# exit codes: 0 clean, 1 rows rejected (see the reasons), 2 unusable input or arguments, 3 a bug
EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE, EXIT_BUG = 0, 1, 2, 3


def _cmd_simulate(args) -> int:
    from spreadwatch.simulate import SimulationConfig, simulate_platform, write_tables

    config = SimulationConfig(
        n_accounts=args.accounts,
        days=args.days,
        seed=args.seed,
        bot_share=args.bot_share,
        difficulty=args.difficulty,
    )
    tables = simulate_platform(config)
    paths = write_tables(tables, Path(args.out))
    for name, path in sorted(paths.items()):
        print(f"{name:12s} {len(tables[name]):>9,d} rows -> {path}")
    return 0


def _cmd_validate(args) -> int:
    from spreadwatch.adapters.generic import load
    from spreadwatch.ingest import combine_rejections
    from spreadwatch.schema import problem_lines, validate_tables

    files = {t: Path(getattr(args, t)) for t in TABLE_ORDER if getattr(args, t)}
    if not files:
        print("give at least one table file, e.g. --accounts accounts.csv", file=sys.stderr)
        return 2
    options = {"encoding": args.encoding} if args.encoding else {}
    result = load(files, options)
    validation = {"time_format": args.time_format} if args.time_format else {}
    report = validate_tables(result.tables, result.source_files, options=validation)
    rejected, counts = combine_rejections(result, report)
    for table, c in counts.items():
        if table in files:
            print(f"{table:12s} read {c['read']:>8,d} = accepted {c['accepted']:>8,d} + rejected {c['rejected']:>6,d}")
    for quirk in result.quirks + report.notes:
        print(f"  note: {quirk['table']}: {quirk['quirk']} ({quirk['count']}): {quirk['action']}")
    for line in problem_lines(rejected, limit=args.show):
        print("  " + line)
    if args.rejected_out and len(rejected):
        from spreadwatch.safe_csv import write_csv

        write_csv(rejected, args.rejected_out)
        print(f"rejected rows with reasons -> {args.rejected_out}")
    return EXIT_REJECTED if len(rejected) else EXIT_OK


def _cmd_ingest(args) -> int:
    from spreadwatch.ingest import ingest_dataset, load_registry

    registry = load_registry(args.registry)
    if args.dataset not in registry:
        print(f"unknown dataset {args.dataset!r}; known: {', '.join(sorted(registry))}", file=sys.stderr)
        return 2
    out = Path(args.out or f"results/{args.dataset}/canonical")
    card = ingest_dataset(args.dataset, registry[args.dataset], out, data_root=args.data_root, raw_dir=args.raw_dir)
    print(json.dumps(card["counts"], indent=2))
    print(f"canonical tables, rejected.parquet and datacard.json -> {out}")
    n_rejected = sum(c["rejected"] for c in card["counts"].values())
    if n_rejected:
        print(f"{n_rejected:,d} row(s) rejected: reasons in {out / 'rejected.parquet'} and datacard.json")
    return EXIT_REJECTED if n_rejected else EXIT_OK


def _cmd_datasets(args) -> int:
    from spreadwatch.adapters import adapter_traits
    from spreadwatch.ingest import DatasetNotAvailable, load_registry, resolve_data_root, resolve_files

    registry = load_registry(args.registry)
    root = resolve_data_root(args.data_root)
    print(f"data root: {root}")
    for name, entry in sorted(registry.items()):
        status = "built in"
        if not adapter_traits(entry["format"]).generated:
            try:
                resolve_files(name, entry, root)
                status = "available"
            except DatasetNotAvailable:
                status = "files missing"
        print(f"{name:32s} {entry['format']:20s} tasks={','.join(entry.get('tasks', [])):20s} {status}")
    return 0


def _cmd_export(args) -> int:
    from spreadwatch.export import run_export

    if not args.pseudonymise:
        print("only pseudonymised exports exist: add --pseudonymise", file=sys.stderr)
        return 2
    try:
        paths = run_export(args.results, args.dataset, args.salt or "", args.out or f"exports/{args.dataset}")
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in paths:
        print(f"-> {path}")
    return 0


def _cmd_reviews(args) -> int:
    from spreadwatch.reviews import ReviewFileError, read_reviews

    try:
        reviews = read_reviews(args.file)
    except ReviewFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not Path(args.file).exists():
        print(f"error: {args.file} does not exist", file=sys.stderr)
        return 2
    print(f"{args.file}: {len(reviews)} account(s) reviewed: {reviews['verdict'].value_counts().to_dict()}")
    return 0


def _cmd_serve(args) -> int:
    from spreadwatch.desk.server import serve

    return serve(
        dataset=args.dataset,
        results=args.results,
        db=args.db,
        host=args.host,
        port=args.port,
        token=args.token,
        configfile=args.configfile,
    )


def _cmd_train(args) -> int:
    from spreadwatch import portable
    from spreadwatch.ingest import load_registry

    registry = load_registry(args.registry)
    datasets = args.datasets or portable.DEFAULT_BOT_DATASETS
    unknown = [d for d in datasets if d not in registry]
    if unknown:
        print(f"unknown dataset(s) {unknown}; known: {', '.join(sorted(registry))}", file=sys.stderr)
        return 2
    card = portable.run_train(
        datasets,
        registry,
        args.data_root,
        args.out,
        seed=args.seed,
        predictions_out=args.predictions_out,
        prior=args.prior,
    )
    print(
        f"portable bot model {card['model_id']}: mean leave-one-dataset-out ROC AUC {card['mean_roc_auc']:.3f} "
        f"over {', '.join(card['mean_over'])}"
    )
    for row in card["lodo"]:
        auc = "   -  " if row["roc_auc"] is None else f"{row['roc_auc']:.3f}"
        print(f"  {row['evaluation']:28s} n={row['n']:>6d}  ROC AUC {auc}  ECE {row['ece']:.3f}")
    print(f"model, card and calibration figure -> {args.out}; held-out probabilities -> {args.predictions_out}")
    return 0


def _cmd_score(args) -> int:
    from spreadwatch.portable import run_score_files

    files = {t: Path(getattr(args, t)) for t in TABLE_ORDER if getattr(args, t, None)}
    if "accounts" not in files:
        print("give at least --accounts accounts.csv", file=sys.stderr)
        return 2
    summary = run_score_files(files, args.out, prior=args.prior, registry=args.registry, data_root=args.data_root)
    print(json.dumps(summary, indent=2, sort_keys=True))
    return 0


RESUME_HELP = (
    "after a crash or kill, resume with: spreadwatch run --resume [the same snakemake arguments] "
    "(unlocks the folder, then reruns incomplete jobs)"
)


def _cmd_run(args, extra: list[str]) -> int:
    resume = "--resume" in extra
    extra = [a for a in extra if a != "--resume"]
    base = [sys.executable, "-m", "snakemake"] + (
        [] if any(a in ("--cores", "-c") or a.startswith(("--cores=", "-c")) for a in extra) else ["--cores", "all"]
    )
    if resume:
        unlock = [*base, *extra, "--unlock"]
        print("+", " ".join(unlock))
        code = subprocess.call(unlock)
        if code != 0:
            return code
        extra = [*extra, "--rerun-incomplete"] + ([] if "--keep-going" in extra else ["--keep-going"])
    command = [*base, *extra]
    print("+", " ".join(command))
    code = subprocess.call(command)
    if code != 0 and not resume:
        print(RESUME_HELP, file=sys.stderr)
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spreadwatch", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sim = sub.add_parser("simulate", help="generate the synthetic platform as canonical Parquet tables")
    sim.add_argument("--accounts", type=int, default=20000)
    sim.add_argument("--days", type=int, default=14)
    sim.add_argument("--seed", type=int, default=0)
    sim.add_argument("--bot-share", type=float, default=0.15)
    sim.add_argument("--difficulty", type=float, default=0.5)
    sim.add_argument("--out", default="results/synthetic/raw")
    val = sub.add_parser("validate", help="check files in the generic format against the data model")
    for table in TABLE_ORDER:
        val.add_argument(f"--{table}", metavar="FILE", help=f"{table} table (.csv, .jsonl or .parquet)")
    val.add_argument("--show", type=int, default=20, help="how many problems to print")
    val.add_argument("--rejected-out", help="write all rejected rows with reasons to this CSV")
    val.add_argument("--encoding", help="text encoding of files without a byte-order mark (default utf-8)")
    val.add_argument("--time-format", help="strftime format of day/month dates, e.g. %%d/%%m/%%Y")
    ing = sub.add_parser("ingest", help="ingest one registry dataset into canonical tables")
    ing.add_argument("--dataset", required=True)
    ing.add_argument("--registry", default="configs/datasets.yaml")
    ing.add_argument("--data-root", default=None)
    ing.add_argument("--raw-dir", default=None, help="simulator output (generated datasets only, e.g. synthetic)")
    ing.add_argument("--out", default=None)
    ds = sub.add_parser("datasets", help="list registry datasets and whether their files are present")
    ds.add_argument("--registry", default="configs/datasets.yaml")
    ds.add_argument("--data-root", default=None)
    exp = sub.add_parser("export", help="pseudonymised ranked lists for sharing outside the team")
    exp.add_argument("--dataset", required=True)
    exp.add_argument("--pseudonymise", action="store_true", help="hash ids and names with the salt; drop free text")
    exp.add_argument("--salt", help="secret salt (>= 8 characters); keep it to re-identify, never share it")
    exp.add_argument("--results", default="results")
    exp.add_argument("--out", default=None, help="folder (default exports/DATASET)")
    rev = sub.add_parser("reviews", help="validate a reviews file (account_id, verdict, reviewer, note, date)")
    rev.add_argument("--file", required=True)
    srv = sub.add_parser("serve", help="the monitoring team's review desk (local web app) over a dataset's results")
    srv.add_argument("--dataset", required=True)
    srv.add_argument("--port", type=int, default=8765)
    srv.add_argument("--host", default="127.0.0.1", help="bind address; anything but loopback requires the token")
    srv.add_argument("--results", default="results")
    srv.add_argument("--db", default=None, help="verdict database (default: config ranking.reviews_db)")
    srv.add_argument("--configfile", default="configs/config.yaml", help="where ranking.reviews_db is read")
    srv.add_argument("--token", default=None, help="access token (default: a per-install secret beside the db)")
    trn = sub.add_parser("train", help="retrain the shipped portable bot model from the shared labelled datasets")
    trn.add_argument("--registry", default="configs/datasets.yaml")
    trn.add_argument("--data-root", default=None)
    trn.add_argument("--datasets", nargs="*", help="registry names (default: portable.DEFAULT_BOT_DATASETS)")
    trn.add_argument("--out", default="src/spreadwatch/shipped")
    trn.add_argument(
        "--predictions-out",
        default="results/portable/bot_lodo_predictions.parquet",
        help="per-account held-out probabilities (Parquet; stays outside the repository)",
    )
    trn.add_argument("--seed", type=int, default=0)
    trn.add_argument("--prior", type=float, default=0.15, help="default expected bot share (Botometer CAP 0.15)")
    sco = sub.add_parser("score", help="score generic-format files with the shipped portable model")
    for table in TABLE_ORDER:
        sco.add_argument(f"--{table}", metavar="FILE", help=f"{table} table (.csv, .jsonl or .parquet)")
    sco.add_argument("--out", required=True, help="folder for account_scores.csv / cascade_scores.csv")
    sco.add_argument("--prior", type=float, default=None, help="expected bot share (default: the model's, 0.15)")
    sco.add_argument("--registry", default="configs/datasets.yaml", help="for the source-credibility lists")
    sco.add_argument("--data-root", default=None)
    sub.add_parser(
        "run",
        help="run the Snakemake workflow; extra arguments go to snakemake; "
        "--resume unlocks and reruns incomplete jobs after a crash or kill",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["run"]:
        return _cmd_run(None, argv[1:])
    args = build_parser().parse_args(argv)
    handlers = {
        "simulate": _cmd_simulate,
        "validate": _cmd_validate,
        "ingest": _cmd_ingest,
        "datasets": _cmd_datasets,
        "export": _cmd_export,
        "reviews": _cmd_reviews,
        "serve": _cmd_serve,
        "train": _cmd_train,
        "score": _cmd_score,
    }
    with script_logging(None):
        try:
            return handlers[args.command](args)
        except (InputFileError, FileNotFoundError) as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_UNUSABLE
        except Exception as error:  # noqa: BLE001 - a bug: say so once, keep the traceback in a file
            return _report_crash(error)


def _report_crash(error: Exception) -> int:
    import tempfile
    import traceback

    handle, path = tempfile.mkstemp(prefix="spreadwatch-crash-", suffix=".log")
    with open(handle, "w", encoding="utf-8") as out:
        traceback.print_exception(error, file=out)
    print(
        f"internal error (a bug in spreadwatch, not in your data): {type(error).__name__}: {error}\n"
        f"the traceback is in {path}; please report it",
        file=sys.stderr,
    )
    return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
