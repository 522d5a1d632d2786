"""The seeded synthetic platform (``spreadwatch.simulate``): its tables are already canonical.

A generated dataset: the workflow's ``simulate`` rule writes the tables to ``results/{dataset}/raw/``
and ingest passes them here (``files`` = table name -> Parquet file), instead of reading registry files
under ``data_root``. Its ``domains`` table carries the simulator's own domain truth, so the domain
evaluation ranks against it (``DOMAIN_LISTS``) rather than against the Lin et al. / Iffy+ lists.
"""

from __future__ import annotations

from pathlib import Path

from spreadwatch.adapters import AdapterResult, generic

GENERATED = True
# the domains table's rating columns: (score column, low-credibility list column)
DOMAIN_LISTS = ("credibility", "low_credibility")


def load(files: dict[str, Path], options: dict | None = None) -> AdapterResult:
    """The simulator's tables read as the generic format (columns as ``docs/data-model.md``)."""
    return generic.load(files, options)
