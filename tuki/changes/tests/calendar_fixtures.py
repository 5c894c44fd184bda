"""Hand-made calendars for the change calendar's tests: a small configuration database (an
application that runs on a server and needs a database), and changes planned on it.

Import the fixtures into a test module: `from tuki.changes.tests.calendar_fixtures import *`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tuki.accounts.models import User
from tuki.changes import scheduling
from tuki.changes.models import Change
from tuki.cmdb import services as cmdb_services
from tuki.cmdb.models import CIClass, ConfigurationItem
from tuki.conftest import Desk, ensure_cmdb
from tuki.tickets import services as ticket_services
from tuki.tickets.models import Ticket

__all__ = ["Plant", "at", "guard", "make_change", "plant"]

# A Monday far enough ahead that "now" (or TUKI_TEST_NOW) is always before it.
DAY = datetime(2030, 3, 4, tzinfo=UTC)


def at(hour: float, day: int = 0) -> datetime:
    return DAY + timedelta(days=day, minutes=round(hour * 60))


@dataclass
class Plant:
    app: ConfigurationItem  # runs on server, depends on db
    server: ConfigurationItem
    db: ConfigurationItem
    other: ConfigurationItem  # unrelated


def make_change(
    desk: Desk,
    title: str,
    items: list[ConfigurationItem],
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    implementer: User | None = None,
    change_type: str = "normal",
    restricted: bool = False,
    group=None,
) -> Change:
    ticket: Ticket = ticket_services.create_ticket(
        desk.operator,
        title=title,
        requester=desk.requester,
        kind="change",
        group=group,
        restricted=restricted,
    )
    change, _ = Change.objects.get_or_create(ticket=ticket, defaults={"change_type": change_type})
    if change.change_type != change_type:
        Change.objects.filter(pk=change.pk).update(change_type=change_type)
        change.change_type = change_type
    if items:
        cmdb_services.name_affected(desk.admin, ticket, items)
    if start is not None:
        scheduling.set_window(desk.admin, change, start=start, end=end, implementer=implementer)
    return change


@pytest.fixture
def plant(desk: Desk) -> Plant:
    ensure_cmdb()

    def item(name: str, key: str) -> ConfigurationItem:
        return cmdb_services.create_item(
            desk.admin, name=name, ci_class=CIClass.objects.get(key=key)
        )

    app = item("app-02", "application_service")
    server = item("srv-01", "server")
    db = item("db-01", "database")
    other = item("mail-01", "server")
    cmdb_services.add_relation(desk.admin, app, "runs_on", server)
    cmdb_services.add_relation(desk.admin, app, "depends_on", db)
    return Plant(app, server, db, other)


@pytest.fixture
def guard() -> Iterator[None]:
    # ChangesConfig.ready() registers it; registering again is harmless, and it stays
    # registered for the tests that follow on this worker.
    scheduling.register_guards()
    yield
