"""CI's second database (SQLite) runs only what may differ by database (tuki/conftest.py,
testing.md "Two databases"): the tests of the apps whose code asks which database it is on,
and tests marked `each_database`. This keeps that list complete: code that branches on the
database is in a listed app, or its tests are named here and marked `each_database`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tuki.conftest import DATABASE_SPECIFIC_APPS, runs_on_second_database

ROOT = Path(__file__).resolve().parents[2]  # the tuki package
ASKS_DATABASE = re.compile(r"\.vendor\b")
# Code outside those apps that branches on the database -> its tests marked each_database.
MODULE_TESTS = {
    "tickets/views/queue.py": [
        "tickets/tests/test_views_queue.py",
        "tickets/tests/test_views_queue_custom_fields.py",
    ],
}


def branching_modules() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue  # migrations run on every test database, both kinds
        if relative.name == "conftest.py":
            continue
        if ASKS_DATABASE.search(path.read_text(encoding="utf-8")):
            found.append(relative.as_posix())
    return found


def test_code_that_asks_which_database_is_tested_on_both():
    modules = branching_modules()
    assert "search/engine.py" in modules  # the scan finds them
    unlisted = [
        m
        for m in modules
        if m.split("/")[0] not in DATABASE_SPECIFIC_APPS and m not in MODULE_TESTS
    ]
    assert not unlisted, (
        f"{unlisted} branch on the database: add the app to DATABASE_SPECIFIC_APPS "
        "(tuki/conftest.py) or name the module's tests in MODULE_TESTS and mark them "
        "each_database"
    )
    for module, tests in MODULE_TESTS.items():
        assert module in modules, f"{module} no longer branches on the database"
        for test in tests:
            assert "pytest.mark.each_database" in (ROOT / test).read_text(), test


class _Item:
    """Just enough of a pytest item for the rule."""

    def __init__(self, path: str, *marks: str) -> None:
        self.path = ROOT / path
        self._marks = set(marks)

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self._marks else None


@pytest.mark.parametrize(
    ("path", "marks", "runs"),
    [
        ("search/tests/test_engine.py", (), True),
        ("tickets/tests/test_services.py", (), False),
        ("tickets/tests/test_views_queue.py", ("each_database",), True),
        ("live/tests/test_browser_live.py", ("browser", "each_database"), True),
        ("sla/tests/test_browser_sla.py", ("browser",), False),
        ("server/tests/test_walk_roles.py", ("slow", "any_database"), False),
        ("conftest.py", (), False),
    ],
)
def test_the_second_database_runs_what_may_differ(path, marks, runs):
    assert runs_on_second_database(_Item(path, *marks)) is runs  # type: ignore[arg-type]
