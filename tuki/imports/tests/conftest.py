from __future__ import annotations

from pathlib import Path

import pytest

from tuki.conftest import ensure_workflow

DATA = Path(__file__).with_name("data")


@pytest.fixture(autouse=True)
def workflow(db: None) -> None:
    """The seeded statuses the importer maps onto: a flush before (a transactional test, the
    demo module's teardown) on the same worker removes them."""
    ensure_workflow()


@pytest.fixture
def servicenow_log() -> Path:
    """Six incidents of the UCI log (a reopen, waits for the user, a priority change and
    reassignments, a self-service one, a reassignment the source counted without a group
    change, one with two `-100` rows), a row with an unreadable date (line 39) and an
    incident whose only row is bad (line 40)."""
    return DATA / "servicenow_log.csv"


@pytest.fixture
def tickets_csv() -> Path:
    return DATA / "tickets.csv"
