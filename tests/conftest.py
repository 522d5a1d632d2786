"""Shared fixtures: paths, the shared-data root, and a small simulated platform."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_DATA = Path(os.environ.get("SPREADWATCH_DATA") or (REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"shared datasets not found at {SHARED_DATA} (set SPREADWATCH_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def small_platform():
    """A small simulated platform validated into canonical tables (seeded, so deterministic)."""
    from spreadwatch.schema import validate_tables
    from spreadwatch.simulate import SimulationConfig, simulate_platform

    tables = simulate_platform(SimulationConfig(n_accounts=1500, days=5, seed=3))
    report = validate_tables(tables)
    assert len(report.rejected) == 0, report.problems()
    return report.tables
