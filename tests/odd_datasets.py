"""Odd datasets in the generic format, made from data/example_generic at test time (nothing committed).

``write_odd_datasets(project)`` writes ``project/data/odd/<name>/*.csv`` and a registry
``project/configs/odd_datasets.yaml``; it returns the dataset names. Each one is a degenerate case a
real user can hand the workflow: no engagements, a header-only engagements file, one account, one
class, no follows, no domains, a latin-1 accounts file (declared with ``encoding``), an empty follows
file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml
from conftest import REPO

EXAMPLE = REPO / "data" / "example_generic"
TABLES = ("accounts", "posts", "cascades", "engagements", "follows")


def _read(table: str) -> pd.DataFrame:
    return pd.read_csv(EXAMPLE / f"{table}.csv", dtype=str, keep_default_na=False)


def write_odd_datasets(project: Path) -> list[str]:
    root = project / "data" / "odd"
    registry: dict[str, dict] = {}

    def add(name: str, tables: dict[str, pd.DataFrame | bytes | None], options: dict | None = None):
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        files = {}
        for table in TABLES:
            content = tables.get(table, _read(table))
            if content is None:
                continue
            path = folder / f"{table}.csv"
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                content.to_csv(path, index=False)
            files[table] = f"{table}.csv"
        registry[name] = {
            "format": "generic",
            "root": f"data/odd/{name}",
            "files": files,
            "tasks": ["bot", "cascade", "domain"],
            "protocols": {"bot": ["stratified_5fold"], "cascade": ["random_5fold"]},
            "options": options or {},
            "description": f"odd dataset: {name.replace('_', ' ')}",
        }

    accounts = _read("accounts")
    add("no_engagements", {"engagements": None})
    add("header_only_engagements", {"engagements": _read("engagements").iloc[:0]})
    add("one_account", {"accounts": accounts.iloc[:1]})
    add("one_class", {"accounts": accounts.assign(label="human")})
    add("no_follows", {"follows": None})
    add(
        "no_domains",
        {
            "cascades": _read("cascades").drop(columns=["domain", "url"]),
            "posts": _read("posts").drop(columns=["domain"]),
        },
    )
    latin = accounts.copy()
    latin.loc[0, "name"] = "Jérôme Müller"
    add(
        "latin1_accounts",
        {"accounts": latin.to_csv(index=False).encode("latin-1", errors="replace")},
        {"encoding": "latin-1"},
    )
    add("empty_follows", {"follows": b""})
    (project / "configs").mkdir(exist_ok=True)
    with open(project / "configs" / "odd_datasets.yaml", "w", encoding="utf-8") as handle:
        yaml.safe_dump({"datasets": registry}, handle, sort_keys=True)
    names = sorted(registry)
    config = yaml.safe_load((REPO / "configs" / "test.yaml").read_text())
    config.update({"datasets": names, "registry": "configs/odd_datasets.yaml", "seeds": [0]})
    config["bot"] = {"models": ["hgb"], "score_model": "hgb"}
    config["cascade"] = {"models": ["hgb"], "score_model": "hgb", "early_protocols": []}
    config["ranking"]["two_window"]["select_weights"] = False
    with open(project / "configs" / "odd.yaml", "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle, sort_keys=True)
    return names


if __name__ == "__main__":
    import sys

    print(write_odd_datasets(Path(sys.argv[1])))
