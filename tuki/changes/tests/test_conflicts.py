"""Conflicts on hand-made calendars: each kind with the reason it gives, and what is no
conflict (windows that only touch, cancelled changes)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuki.changes import conflicts, scheduling
from tuki.changes.conflicts import ConflictKind
from tuki.changes.tests.calendar_fixtures import *  # noqa: F403
from tuki.changes.tests.calendar_fixtures import at, make_change
from tuki.cmdb import services as cmdb_services
from tuki.tickets import services as ticket_services


def kinds(found):
    return sorted(c.kind for c in found)


def test_another_change_on_the_same_item_at_the_same_time_conflicts(desk, plant):
    first = make_change(desk, "Patch db", [plant.db], at(10), at(12))
    mine = make_change(desk, "Tune db", [plant.db], at(11), at(13))
    found = conflicts.check(mine)
    assert kinds(found) == [ConflictKind.SAME_ITEM]
    assert found[0].ticket_id == first.pk
    assert f"CHG-{first.pk}" in found[0].message and "db-01" in found[0].message


def test_a_change_on_a_related_item_conflicts_and_names_the_relation(desk, plant):
    first = make_change(desk, "Patch db", [plant.db], at(10), at(12))
    mine = make_change(desk, "Deploy app", [plant.app], at(11), at(12))
    [found] = conflicts.check(mine)
    assert found.kind == ConflictKind.RELATED_ITEM
    assert found.message.startswith(f"CHG-{first.pk} is scheduled ")
    assert "on db-01: app-02 depends on db-01" in found.message


def test_the_relation_counts_both_ways(desk, plant):
    make_change(desk, "Deploy app", [plant.app], at(10), at(12))
    mine = make_change(desk, "Reboot server", [plant.server], at(9), at(11))
    [found] = conflicts.check(mine)
    assert found.kind == ConflictKind.RELATED_ITEM
    assert "app-02 runs on srv-01" in found.message


def test_a_removed_relation_relates_nothing(desk, plant):
    make_change(desk, "Patch db", [plant.db], at(10), at(12))
    mine = make_change(desk, "Deploy app", [plant.app], at(11), at(12))
    relation = plant.app.relations_out.get(target=plant.db)
    cmdb_services.remove_relation(desk.admin, relation)
    assert conflicts.check(mine) == []


def test_windows_that_only_touch_do_not_conflict(desk, plant):
    make_change(desk, "Patch db", [plant.db], at(10), at(12))
    mine = make_change(desk, "Tune db", [plant.db], at(12), at(13))
    assert conflicts.check(mine) == []
    before = make_change(desk, "Back up db", [plant.db], at(8), at(10))
    assert conflicts.check(before) == []


def test_cancelled_changes_are_ignored(desk, plant):
    first = make_change(desk, "Patch db", [plant.db], at(10), at(12))
    mine = make_change(desk, "Tune db", [plant.db], at(11), at(13))
    ticket_services.change_status(desk.admin, first.ticket, "cancelled")
    assert conflicts.check(mine) == []


def test_unrelated_items_do_not_conflict(desk, plant):
    make_change(desk, "Patch db", [plant.db], at(10), at(12))
    mine = make_change(desk, "Mail server", [plant.other], at(10), at(12))
    assert conflicts.check(mine) == []


def test_a_change_without_a_window_has_no_conflicts(desk, plant):
    mine = make_change(desk, "Tune db", [plant.db])
    assert conflicts.check(mine) == []


def test_the_implementer_busy_elsewhere_conflicts(desk, plant):
    other = make_change(desk, "Mail", [plant.other], at(10), at(12), implementer=desk.specialist)
    mine = make_change(desk, "Db", [plant.db], at(11), at(13), implementer=desk.specialist)
    [found] = conflicts.check(mine)
    assert found.kind == ConflictKind.IMPLEMENTER_BUSY
    assert f"CHG-{other.pk}" in found.message
    free = make_change(desk, "Db too", [plant.db], at(14), at(15), implementer=desk.lead)
    assert conflicts.check(free) == []


def test_a_global_blackout_holds_every_change(desk, plant):
    scheduling.create_blackout(desk.admin, name="Year end", starts_at=at(0), ends_at=at(0, 2))
    mine = make_change(desk, "Mail", [plant.other], at(10), at(12))
    [found] = conflicts.check(mine)
    assert found.kind == ConflictKind.BLACKOUT and found.blocking
    assert "Year end" in found.message and "every item" in found.message


def test_a_blackout_on_an_item_holds_only_changes_naming_it(desk, plant):
    scheduling.create_blackout(
        desk.admin,
        name="Db migration",
        kind="freeze",
        starts_at=at(0),
        ends_at=at(0, 2),
        items=[plant.db],
    )
    held = make_change(desk, "Db", [plant.db, plant.other], at(10), at(12))
    free = make_change(desk, "Mail", [plant.other], at(13), at(14))
    [found] = conflicts.check(held)
    assert found.kind == ConflictKind.BLACKOUT
    assert "Freeze Db migration" in found.message and "holds db-01" in found.message
    assert conflicts.check(free) == []


def test_an_emergency_change_in_a_blackout_that_allows_it_is_warned_not_blocked(desk, plant):
    scheduling.create_blackout(desk.admin, name="Sales", starts_at=at(0), ends_at=at(0, 2))
    mine = make_change(desk, "Fix", [plant.db], at(10), at(12), change_type="emergency")
    [found] = conflicts.check(mine)
    assert not found.blocking and "Emergency changes are allowed" in found.message


def test_outside_the_items_maintenance_windows_conflicts(desk, plant):
    cmdb_services.plan_maintenance(desk.admin, plant.db, starts_at=at(20), ends_at=at(23))
    inside = make_change(desk, "Db", [plant.db], at(21), at(22))
    assert conflicts.check(inside) == []
    outside = make_change(desk, "Db later", [plant.db], at(22), at(24))
    [found] = conflicts.check(outside)
    assert found.kind == ConflictKind.OUTSIDE_MAINTENANCE
    assert "db-01 has maintenance windows" in found.message
    # an item without windows is never "outside" them
    assert conflicts.check(make_change(desk, "Mail", [plant.other], at(1), at(2))) == []


def test_a_change_the_viewer_may_not_see_is_not_named(desk, plant):
    hidden = make_change(
        desk, "Secret", [plant.db], at(10), at(12), restricted=True, group=desk.network_hel
    )
    mine = make_change(desk, "Db", [plant.db], at(11), at(13))
    [found] = conflicts.check(mine, desk.other_agent)
    assert f"CHG-{hidden.pk}" not in found.message and found.ticket_id is None
    [named] = conflicts.check(mine, desk.admin)
    assert f"CHG-{hidden.pk}" in named.message


def test_the_check_takes_a_fixed_number_of_queries(desk, plant):
    mine = make_change(desk, "Db", [plant.db, plant.app], at(10), at(12), implementer=desk.lead)
    with CaptureQueriesContext(connection) as few:
        conflicts.check(mine)
    for hour in range(6):
        make_change(desk, f"Other {hour}", [plant.server, plant.db], at(9 + hour * 0.5), at(13))
    scheduling.create_blackout(desk.admin, name="B", starts_at=at(0), ends_at=at(0, 1))
    cmdb_services.plan_maintenance(desk.admin, plant.db, starts_at=at(9), ends_at=at(14))
    with CaptureQueriesContext(connection) as many:
        found = conflicts.check(mine)
    assert len(found) >= 13
    assert len(few.captured_queries) <= len(many.captured_queries) <= 11


class TestFreeSlots:
    def test_free_slots_skip_busy_intervals(self, desk, plant):
        make_change(desk, "Patch db", [plant.db], at(10), at(12, 0))
        mine = make_change(desk, "Tune db", [plant.db], at(10), at(11))
        slots = conflicts.free_slots(mine, count=3, after=at(9))
        assert slots[0] == (at(9), at(10))
        assert slots[1] == (at(12), at(13))
        assert slots[2] == (at(13), at(14))

    def test_free_slots_skip_blackouts(self, desk, plant):
        scheduling.create_blackout(desk.admin, name="Night", starts_at=at(9), ends_at=at(15))
        mine = make_change(desk, "Tune db", [plant.db], at(10), at(12))
        slots = conflicts.free_slots(mine, count=2, after=at(8, 0))
        assert slots == [(at(15), at(17)), (at(17), at(19))]

    def test_an_emergency_change_may_take_a_slot_in_a_blackout_that_allows_it(self, desk, plant):
        scheduling.create_blackout(desk.admin, name="Night", starts_at=at(9), ends_at=at(15))
        mine = make_change(desk, "Fix", [plant.db], at(10), at(12), change_type="emergency")
        assert conflicts.free_slots(mine, count=1, after=at(9))[0] == (at(9), at(11))

    def test_free_slots_keep_inside_maintenance_windows(self, desk, plant):
        cmdb_services.plan_maintenance(desk.admin, plant.db, starts_at=at(22), ends_at=at(23))
        cmdb_services.plan_maintenance(desk.admin, plant.db, starts_at=at(22, 1), ends_at=at(24, 1))
        mine = make_change(desk, "Db", [plant.db], at(10), at(12))
        slots = conflicts.free_slots(mine, count=2, after=at(8))
        assert slots == [(at(22, 1), at(24, 1))]

    def test_a_slot_found_is_free_of_conflicts(self, desk, plant):
        make_change(desk, "Patch db", [plant.db], at(10), at(11, 0))
        make_change(desk, "Deploy app", [plant.app], at(11), at(12, 0))
        mine = make_change(desk, "Tune db", [plant.db], at(10), at(11))
        start, end = conflicts.free_slots(mine, count=1, after=at(10))[0]
        assert start == at(12)
        scheduling.set_window(desk.admin, mine, start=start, end=end)
        assert conflicts.check(mine) == []

    @pytest.mark.parametrize("horizon", [1, 3])
    def test_free_slots_stay_within_the_horizon(self, desk, plant, horizon):
        scheduling.create_blackout(desk.admin, name="All", starts_at=at(0), ends_at=at(0, 30))
        mine = make_change(desk, "Db", [plant.db], at(10), at(12))
        assert conflicts.free_slots(mine, horizon_days=horizon, after=at(1)) == []
