"""The metrics record: one type for every ``results/{dataset}/metrics/{task}__{protocol}__{model}.json``.

Every metrics file is written with :func:`write` and read with :func:`read`; both validate against
``workflow/schemas/metrics.schema.json`` (the same schema ships in the package). A record is either
``status == "ok"`` (metrics computed) or ``status == "skipped"`` with a ``reason`` (the protocol or
ranker could not run on this data); the JSON keeps the reason under ``skipped`` as before.

The positive class of a binary task is decided here, once (:func:`positive_index`).
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

OK, SKIPPED = "ok", "skipped"

# ---- the positive class (bot, misinformation), decided once -------------------------------------
POSITIVE_LABELS = ("bot", True, "fake", "misinformation")


def positive_index(classes) -> int:
    """Index of the positive class among ``classes``: bot, misinformation (True / fake), else the last."""
    for label in POSITIVE_LABELS:
        for i, c in enumerate(classes):
            if isinstance(label, bool):
                if isinstance(c, (bool, np.bool_)) and bool(c) is label:
                    return i
            elif isinstance(c, str) and c == label:
                return i
    return len(classes) - 1


def positive_class(classes):
    """The positive label itself (``classes[positive_index(classes)]``)."""
    classes = list(classes)
    return classes[positive_index(classes)]


# ---- the record ------------------------------------------------------------------------------
@dataclass
class MetricsRecord:
    """One evaluation of (task, protocol, model). Optional blocks are ``None`` when absent and are then
    left out of the JSON. ``reason`` is written as ``skipped`` (the key the files have always used)."""

    task: str
    protocol: str
    model: str
    status: str = OK
    reason: str | None = None
    n_train: int = 0
    n_test: int = 0
    metrics: dict = field(default_factory=dict)
    seeds: list = field(default_factory=list)
    # classification (models.evaluate, leave-one-dataset-out)
    n_rows: int | None = None
    classes: list | None = None
    class_counts: dict | None = None
    positive_class: str | None = None
    features: list | None = None
    pooled: dict | None = None
    protocol_kind: str | None = None
    protocol_note: str | None = None
    target: str | None = None
    fold_fitted_inputs: str | None = None
    duplicate_texts: dict | None = None
    # early detection (cascade_early): pooled metrics per cut-off
    metrics_by_cutoff: dict | None = None
    metrics_by_cutoff_basis: str | None = None
    # leave-one-dataset-out (bots)
    held_out: str | None = None
    calibration: str | None = None
    train_sources: dict | None = None
    datasets_left_out: Any = None
    train_rows_removed_as_overlap: int | None = None
    # ranking evaluations (planted sources, two windows)
    n_truth: int | None = None
    curve: list | None = None
    windows: dict | None = None
    oracle_removed_share_at_k: dict | None = None
    oracle: str | None = None
    labels_window1: str | None = None
    outcome: str | None = None
    note: str | None = None
    weights: dict | None = None
    weight_selection: dict | None = None
    # domain ranking against expert ratings
    coverage: dict | None = None
    definition: str | None = None

    def __post_init__(self) -> None:
        if self.status not in (OK, SKIPPED):
            raise ValueError(f"status must be {OK!r} or {SKIPPED!r}, not {self.status!r}")
        if (self.status == SKIPPED) != (self.reason is not None):
            raise ValueError("a skipped record needs a reason, and only a skipped record has one")

    @property
    def skipped(self) -> bool:
        return self.status == SKIPPED

    def summary(self, key: str, basis: str = "metrics") -> dict | None:
        """``{mean, sd, n}`` of one metric (``basis``: metrics = per fold, pooled = per seed), or None."""
        value = (getattr(self, basis) or {}).get(key)
        return value if isinstance(value, dict) and value.get("mean") is not None else None

    def to_dict(self) -> dict:
        """The JSON form: absent blocks left out, NaN as null, the reason under ``skipped``."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            out["skipped" if f.name == "reason" else f.name] = plain_json(value)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> MetricsRecord:
        """A record from its JSON form (or a record dict built in code); unknown keys are an error."""
        data = dict(data)
        if "skipped" in data:
            data["reason"] = data.pop("skipped")
            data.setdefault("status", SKIPPED if data["reason"] is not None else OK)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"metrics record {data.get('task')}/{data.get('protocol')}/{data.get('model')}: "
                f"unknown keys {unknown} (add them to MetricsRecord and metrics.schema.json)"
            )
        return cls(**data)


def skipped_record(task: str, protocol: str, model: str, reason: str, seeds=(), **extra) -> MetricsRecord:
    """A record for an evaluation that could not run on this data, and why."""
    return MetricsRecord(
        task=task, protocol=protocol, model=model, status=SKIPPED, reason=str(reason), seeds=list(seeds), **extra
    )


def plain_json(value):
    """JSON-ready: NaN -> None, numpy scalars -> Python, recursively."""
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


# ---- schema, write, read -----------------------------------------------------------------------
def schema() -> dict:
    """The JSON schema of a metrics file (``spreadwatch/evaluation/metrics.schema.json``, a copy of
    ``workflow/schemas/metrics.schema.json``: a test keeps them equal)."""
    return json.loads(resources.files("spreadwatch.evaluation").joinpath("metrics.schema.json").read_text("utf-8"))


def validate(data: dict, where: str = "metrics record") -> None:
    """Raise ``ValueError`` naming the first problem when ``data`` does not follow the schema."""
    import jsonschema

    errors = sorted(jsonschema.Draft202012Validator(schema()).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        path = "/".join(map(str, first.path)) or "(top level)"
        raise ValueError(f"{where}: {path}: {first.message}")


def write(record: MetricsRecord | dict, path: str | Path) -> MetricsRecord:
    """Validate and write a record as sorted, indented JSON (NaN as null); returns the record."""
    if not isinstance(record, MetricsRecord):
        record = MetricsRecord.from_dict(record)
    data = record.to_dict()
    validate(data, str(path))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return record


def read(path: str | Path) -> MetricsRecord:
    """Read and validate one metrics file."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    validate(data, str(path))
    return MetricsRecord.from_dict(data)


def read_all(paths) -> list[MetricsRecord]:
    """Records of ``paths`` in sorted path order."""
    return [read(p) for p in sorted(map(str, paths))]
