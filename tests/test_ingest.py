import json
import subprocess
import sys

import pandas as pd
from conftest import FIXTURES, REPO

from spreadwatch.ingest import ingest_dataset, load_registry

GENERIC = FIXTURES / "generic"


def test_generic_ingest_writes_tables_quarantine_and_datacard(tmp_path):
    entry = {
        "format": "generic",
        "tasks": ["bot", "cascade"],
        "files": {t: f"{t}.csv" for t in ("accounts", "cascades", "engagements")},
    }
    card = ingest_dataset("mine", entry, tmp_path, data_root=GENERIC)
    on_disk = json.loads((tmp_path / "datacard.json").read_text())
    assert on_disk["counts"] == card["counts"]
    rejected = pd.read_parquet(tmp_path / "rejected.parquet")
    for table, c in card["counts"].items():
        accepted = pd.read_parquet(tmp_path / f"{table}.parquet")
        assert len(accepted) == c["accepted"]
        assert (rejected["table"] == table).sum() == c["rejected"]
        assert c["read"] == c["accepted"] + c["rejected"]
    engagements = pd.read_parquet(tmp_path / "engagements.parquet").set_index("engagement_id")
    assert engagements.loc["g1", "delay_s"] == 30.0  # derived from the absolute time
    assert engagements.loc["g2", "delay_s"] == 95.5
    assert card["account_labels"] == {"bot": 1, "human": 2}


def test_worked_example_in_data_ingests_cleanly_from_its_registry_root(tmp_path, monkeypatch):
    """The generic-format example of docs/datasets.md works as documented: `root` is relative to the cwd."""
    entry = load_registry(REPO / "configs" / "datasets.yaml")["example_generic"]
    monkeypatch.chdir(REPO)
    card = ingest_dataset("example_generic", entry, tmp_path, data_root=tmp_path / "not-used")
    counts = card["counts"]
    assert {t: c["read"] for t, c in counts.items() if c["read"]} == {
        "accounts": 200,
        "cascades": 30,
        "posts": 744,
        "engagements": 185,
        "follows": 2720,
    }
    assert all(c["rejected"] == 0 for c in counts.values())
    assert card["account_labels"]["bot"] > 0 and card["account_labels"]["human"] > 0


def test_missing_dataset_files_give_one_clear_message(tmp_path):
    entry = {"format": "generic", "tasks": ["bot"], "files": {"accounts": "nowhere/accounts.csv"}}
    try:
        ingest_dataset("ghost", entry, tmp_path, data_root=tmp_path)
    except FileNotFoundError as error:
        assert "ghost" in str(error) and "nowhere/accounts.csv" in str(error) and "SPREADWATCH_DATA" in str(error)
    else:
        raise AssertionError("expected FileNotFoundError")


def test_cli_validate_reports_problems_and_exit_code(tmp_path):
    out = tmp_path / "rejected.csv"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "spreadwatch",
            "validate",
            "--accounts",
            str(GENERIC / "accounts.csv"),
            "--rejected-out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert "read        8 = accepted        3 + rejected      5" in run.stdout
    assert "row 6, column 'created_at'" in run.stdout
    assert len(pd.read_csv(out)) == 5


def test_cli_validate_unreadable_json_names_the_line(tmp_path):
    bad = tmp_path / "accounts.jsonl"
    bad.write_text('{"account_id": "1"}\n{"account_id": \n')
    run = subprocess.run(
        [sys.executable, "-m", "spreadwatch", "validate", "--accounts", str(bad)], capture_output=True, text=True
    )
    assert run.returncode == 1  # the broken line is quarantined with its line number, the rest is used
    assert "read        2 = accepted        1 + rejected      1" in run.stdout
    assert "accounts.jsonl: row 2, column '<record>': line 2: not valid JSON" in run.stdout


def test_generated_format_is_an_adapter_trait_and_ingests_from_the_simulator_folder(tmp_path):
    """Any dataset with a generated format reads the simulator's tables, whatever its name; the domain
    lists it ships come from its adapter, not from a format test in the rules."""
    import pytest

    from spreadwatch.adapters import adapter_traits
    from spreadwatch.ingest import load_with_adapter
    from spreadwatch.simulate import SimulationConfig, simulate_platform, write_tables

    assert adapter_traits("synthetic").generated and adapter_traits("synthetic").domain_lists == (
        "credibility",
        "low_credibility",
    )
    assert not adapter_traits("generic").generated and adapter_traits("generic").domain_lists is None
    with pytest.raises(ValueError, match="unknown dataset format"):
        adapter_traits("no_such_format")
    raw = tmp_path / "raw"
    tables = simulate_platform(SimulationConfig(n_accounts=150, days=1, seed=3))
    write_tables(tables, raw)
    with pytest.raises(ValueError, match="raw_dir"):
        load_with_adapter("my_sim", {"format": "synthetic", "tasks": ["bot"]}, tmp_path)
    card = ingest_dataset("my_sim", {"format": "synthetic", "tasks": ["bot"]}, tmp_path / "out", raw_dir=raw)
    assert card["counts"]["accounts"]["read"] == len(tables["accounts"]) == 150
