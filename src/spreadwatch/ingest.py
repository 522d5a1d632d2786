"""Ingest: dataset registry entry -> validated canonical tables, quarantine file and data card.

``ingest_dataset`` runs the dataset's adapter (``spreadwatch.adapters``), validates the tables
(``spreadwatch.schema``), derives ``engagements.delay_s`` where only absolute times are given, and
writes ``{table}.parquet`` for every canonical table (empty tables included, so later stages have
fixed inputs), ``rejected.parquet`` (columns ``table, file, row, column, value, reason``) and
``datacard.json`` (counts, label distributions, quirks with what was done about each, and
``read = accepted + rejected`` per table).
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

import pandas as pd
import yaml

from spreadwatch.adapters import AdapterResult, adapter_traits, get_adapter
from spreadwatch.graphs import fill_parent_accounts
from spreadwatch.schema import (
    DATASET_NAME_PATTERN,
    REJECTED_COLUMNS,
    TABLE_ORDER,
    InputFileError,
    empty_table,
    problem_lines,
    validate_tables,
)

log = logging.getLogger(__name__)

DEFAULT_DATA_ROOT = "../shared/data"


class DatasetNotAvailable(FileNotFoundError):
    """A registry dataset whose files are not on this machine."""


def load_registry(path: str | Path) -> dict[str, dict]:
    """Read ``configs/datasets.yaml`` and return ``{dataset_name: entry}``."""
    with open(path, encoding="utf-8") as handle:
        registry = yaml.safe_load(handle) or {}
    datasets = registry.get("datasets") or {}
    bad = sorted(str(n) for n in datasets if not re.fullmatch(DATASET_NAME_PATTERN, str(n)))
    if bad:
        raise InputFileError(
            f"dataset name(s) {bad} must match {DATASET_NAME_PATTERN} (they become folder names under results/)",
            path=path,
        )
    return datasets


def resolve_data_root(configured: str | None = None) -> Path:
    """The data root: ``$SPREADWATCH_DATA`` if set, else the configured value, else ``../shared/data``."""
    return Path(os.environ.get("SPREADWATCH_DATA") or configured or DEFAULT_DATA_ROOT).resolve()


def resolve_files(name: str, entry: dict, data_root: Path) -> dict[str, Path]:
    """Absolute paths of a registry entry's files; raise ``DatasetNotAvailable`` naming every missing one.

    Paths are relative to the entry's own ``root`` when it has one (itself relative to the working
    directory, e.g. ``data/example_generic`` for a dataset kept beside the workflow), else to ``data_root``.
    ``optional_files`` are added when they exist and left out otherwise (never an error).
    """
    base = Path(entry["root"]).resolve() if entry.get("root") else data_root
    files = {key: (base / rel) for key, rel in (entry.get("files") or {}).items()}
    missing = [f"{key}: {path}" for key, path in files.items() if not path.exists()]
    files.update(
        {
            key: base / rel
            for key, rel in (entry.get("optional_files") or {}).items()
            if key not in files and (base / rel).is_file()
        }
    )
    if missing:
        raise DatasetNotAvailable(
            f"dataset {name!r}: file(s) not found: {'; '.join(missing)}. "
            + (
                f"Fix `root` of {name!r} in the dataset registry (now: {base})."
                if entry.get("root")
                else f"Set `data_root` in the config or the SPREADWATCH_DATA environment variable "
                f"to the folder that holds them (now: {data_root})."
            )
        )
    return files


def load_with_adapter(name: str, entry: dict, data_root: Path, raw_dir: Path | None = None) -> AdapterResult:
    """Run the adapter of a registry entry. A generated format (``adapter_traits(...).generated``, e.g.
    ``synthetic``) reads the simulator's tables in ``raw_dir``; the others read the registry's files."""
    fmt = entry["format"]
    if adapter_traits(fmt).generated:
        if raw_dir is None:
            raise ValueError(f"dataset {name!r} is generated: it needs raw_dir (the simulator's output folder)")
        files = {p.stem: p for p in sorted(Path(raw_dir).glob("*.parquet"))}
    else:
        files = resolve_files(name, entry, data_root)
    return get_adapter(fmt)(files, dict(entry.get("options") or {}))


def fill_delays(cascades: pd.DataFrame, engagements: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Fill missing ``delay_s`` from ``time`` minus the cascade start; return (engagements, n_filled).

    The cascade start is ``cascades.created_at`` or, where missing, the earliest engagement time.
    """
    need = engagements["delay_s"].isna() & engagements["time"].notna()
    if not need.any():
        return engagements, 0
    first_time = engagements.groupby("cascade_id")["time"].min()
    start = cascades.set_index("cascade_id")["created_at"].reindex(first_time.index)
    start = start.fillna(first_time)
    start_per_row = engagements["cascade_id"].map(start)
    delays = (engagements["time"] - start_per_row).dt.total_seconds().clip(lower=0)
    engagements = engagements.copy()
    engagements.loc[need, "delay_s"] = delays[need]
    return engagements, int(need.sum())


VALIDATION_OPTIONS = ("time_format", "time_window", "collected_at")


def validation_options(entry: dict) -> dict:
    """The validator's options from a registry entry's ``options`` (time_format, time_window, collected_at)."""
    options = entry.get("options") or {}
    return {k: options[k] for k in VALIDATION_OPTIONS if k in options}


def combine_rejections(result: AdapterResult, report) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    """Adapter rejections + validator rejections, and ``{table: {read, accepted, rejected}}``.

    Rows the adapter (or reader) could not use count as read and rejected, so read = accepted + rejected.
    """
    rejected = report.rejected
    adapter = result.rejected if result.rejected is not None and len(result.rejected) else None
    if adapter is not None:
        rejected = pd.concat([adapter[REJECTED_COLUMNS].astype(rejected.dtypes.to_dict()), rejected], ignore_index=True)
    counts = {}
    for table in TABLE_ORDER:
        validated = report.counts.get(table, {"read": 0, "accepted": 0, "rejected": 0})
        adapter_rejected = int((adapter["table"] == table).sum()) if adapter is not None else 0
        counts[table] = {
            "read": validated["read"] + adapter_rejected,
            "accepted": validated["accepted"],
            "rejected": validated["rejected"] + adapter_rejected,
        }
    return rejected, counts


def _label_distribution(frame: pd.DataFrame, column: str) -> dict[str, int]:
    if column not in frame or frame.empty:
        return {}
    counts = frame[column].astype("string").fillna("<missing>").value_counts()
    return {str(k): int(v) for k, v in sorted(counts.items())}


def ingest_dataset(
    name: str,
    entry: dict,
    out_dir: str | Path,
    data_root: str | Path | None = None,
    raw_dir: str | Path | None = None,
) -> dict:
    """Ingest one dataset into ``out_dir`` and return its data card (also written as datacard.json)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data_root = resolve_data_root(str(data_root) if data_root else None)
    result = load_with_adapter(name, entry, data_root, Path(raw_dir) if raw_dir else None)
    report = validate_tables(result.tables, result.source_files, options=validation_options(entry))
    tables = report.tables
    quirks = list(result.quirks) + list(report.notes)
    if "engagements" in tables and "cascades" in tables:
        tables["engagements"], n_filled = fill_delays(tables["cascades"], tables["engagements"])
        quirks.append(
            {
                "table": "engagements",
                "quirk": "delay_s derived from absolute time",
                "count": n_filled,
                "action": "delay_s = time - cascade start (created_at, else first engagement)",
            }
        )
        tables["engagements"], n_resolved = fill_parent_accounts(tables["cascades"], tables["engagements"])
        if n_resolved:
            quirks.append(
                {
                    "table": "engagements",
                    "quirk": "parent_account_id resolved",
                    "count": n_resolved,
                    "action": "parent_account_id = account of parent_engagement_id, else the cascade's root account",
                }
            )
    rejected, counts = combine_rejections(result, report)
    for table in TABLE_ORDER:
        frame = tables.get(table, empty_table(table))
        frame.to_parquet(out_dir / f"{table}.parquet", index=False)
    rejected.to_parquet(out_dir / "rejected.parquet", index=False)
    for table, c in counts.items():
        if c["read"]:
            log.info("%s: %s read %d = accepted %d + rejected %d", name, table, c["read"], c["accepted"], c["rejected"])
    for line in problem_lines(rejected, limit=20):
        log.warning("rejected: %s", line)
    accounts = tables.get("accounts", empty_table("accounts"))
    cascades = tables.get("cascades", empty_table("cascades"))
    card = {
        "dataset": name,
        "format": entry.get("format"),
        "description": entry.get("description", ""),
        "citation": entry.get("citation", ""),
        "tasks": list(entry.get("tasks", [])),
        "feature_only": bool(entry.get("feature_only", False)),
        "source_files": {k: str(v) for k, v in sorted(result.source_files.items())},
        "rows_read_by_adapter": dict(sorted(result.rows_read.items())),
        "counts": counts,
        "account_labels": _label_distribution(accounts, "label"),
        "account_kinds": _label_distribution(accounts, "account_kind"),
        "cascade_labels": _label_distribution(cascades, "label"),
        "cascade_misinformation": _label_distribution(cascades, "is_misinformation"),
        "n_events": int(cascades["event_id"].nunique()) if "event_id" in cascades else 0,
        "time_window": report.time_window,
        "quirks": sorted(quirks, key=lambda q: (q.get("table", ""), q.get("quirk", ""))),
        "rejected_reasons": {
            f"{t}.{c}: {r}": int(n)
            for (t, c, r), n in rejected.groupby(["table", "column", "reason"]).size().sort_index().items()
        },
    }
    with open(out_dir / "datacard.json", "w", encoding="utf-8") as handle:
        json.dump(card, handle, indent=2, sort_keys=False, default=str)
    return card


def read_canonical(folder: str | Path, tables: tuple[str, ...] = TABLE_ORDER) -> dict[str, pd.DataFrame]:
    """Read canonical tables written by ``ingest_dataset``."""
    return {t: pd.read_parquet(Path(folder) / f"{t}.parquet") for t in tables}


def credibility_ratings(registry_path, data_root=None, name: str = "source_credibility") -> pd.DataFrame:
    """The domain rating table (Lin et al. pc1, Iffy+) from the ``source_credibility`` registry entry."""
    entry = load_registry(registry_path)[name]
    return load_with_adapter(name, entry, resolve_data_root(data_root)).tables["domains"]


def credibility_ratings_or_none(credibility) -> pd.DataFrame | None:
    """A domain ratings table from a DataFrame, a Parquet/CSV path, or ``(registry_path, data_root)``;
    None (logged) when the source_credibility files are absent."""
    if credibility is None or isinstance(credibility, pd.DataFrame):
        return credibility
    if isinstance(credibility, (tuple, list)):
        try:
            return credibility_ratings(*credibility)
        except (DatasetNotAvailable, FileNotFoundError, KeyError) as error:
            log.info("no source-credibility ratings (%s): cascades get no credibility label", error)
            return None
    path = Path(credibility)
    if not path.exists():
        log.info("no source-credibility ratings at %s: cascades get no credibility label", path)
        return None
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
