"""Adapters: public dataset formats -> the canonical tables of ``docs/data-model.md``.

Every adapter is a function ``load(files: dict[str, pathlib.Path], options: dict) -> AdapterResult``.
``files`` maps the logical file names that the dataset registry (``configs/datasets.yaml``) lists for the
dataset to absolute paths; ``options`` is the registry entry's ``options`` mapping (may be empty).
Adapters convert and count quirks; they never drop a row silently: a row they cannot convert is put
into ``AdapterResult.rejected`` with a reason, and every quirk they repair is counted in ``quirks``.
Type validation and reference checks happen afterwards in ``spreadwatch.schema.validate_tables``.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd


@dataclass
class AdapterResult:
    """What an adapter returns.

    tables: canonical tables by name (``accounts``, ``posts``, ``cascades``, ``engagements``,
        ``follows``, ``domains``); only the ones the dataset has.
    source_files: table name -> the file it was read from (for error messages and the data card).
    rows_read: table name -> number of raw records read for that table (before any repair).
    quirks: one dict per quirk kind: ``{"table", "quirk", "count", "action"}`` (count may be 0).
    rejected: rows the adapter could not convert, columns ``table, file, row, column, value, reason``.
    """

    tables: dict[str, pd.DataFrame]
    source_files: dict[str, str] = field(default_factory=dict)
    rows_read: dict[str, int] = field(default_factory=dict)
    quirks: list[dict] = field(default_factory=list)
    rejected: pd.DataFrame | None = None


# format name (``format:`` in configs/datasets.yaml) -> "module:function"
ADAPTERS: dict[str, str] = {
    "generic": "spreadwatch.adapters.generic:load",
    # misinformation formats
    "twitter15_16": "spreadwatch.adapters.twitter1516:load",
    "upfd": "spreadwatch.adapters.upfd:load",
    "fakenewsnet": "spreadwatch.adapters.fakenewsnet:load",
    "coaid": "spreadwatch.adapters.coaid:load",
    "source_credibility": "spreadwatch.adapters.credibility:load",
    # bot formats
    "botrepo_v11": "spreadwatch.adapters.botrepo:load",
    "twibot22_v2": "spreadwatch.adapters.twibot:load_twibot22",
    "twibot20": "spreadwatch.adapters.twibot:load_twibot20",
    "caverlee_2011": "spreadwatch.adapters.feature_tables:load_caverlee",
    "gilani_2017": "spreadwatch.adapters.feature_tables:load_gilani",
    "hays2023_features": "spreadwatch.adapters.feature_tables:load_hays",
    "pronbots": "spreadwatch.adapters.label_lists:load_pronbots",
    "id_label_list": "spreadwatch.adapters.label_lists:load_id_labels",
    "nbc_trolls": "spreadwatch.adapters.label_lists:load_nbc_trolls",
    "cresci_users": "spreadwatch.adapters.cresci_users:load",
}


def get_adapter(format_name: str) -> Callable[[dict[str, Path], dict], AdapterResult]:
    """Return the loader for ``format_name``; raise ValueError listing the known formats."""
    if format_name not in ADAPTERS:
        known = ", ".join(sorted(ADAPTERS))
        raise ValueError(f"unknown dataset format {format_name!r}; known formats: {known}")
    module_name, function_name = ADAPTERS[format_name].split(":")
    return getattr(importlib.import_module(module_name), function_name)
