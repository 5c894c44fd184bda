"""Planning a change's window, writing blackout periods, and the guard that keeps changes
from starting inside a blackout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tuki.changes import scheduling, services as change_services
from tuki.changes.conflicts import ConflictKind
from tuki.changes.models import BlackoutPeriod, Change, ChangeSettings
from tuki.changes.tests.calendar_fixtures import *  # noqa: F403
from tuki.changes.tests.calendar_fixtures import at, make_change
from tuki.changes.tests.conftest import approve, board_template
from tuki.lib.errors import ServiceError
from tuki.tickets import services as ticket_services
from tuki.tickets.models import EventAction, Ticket, TicketEvent


def test_setting_the_window_writes_it_records_events_and_returns_the_conflicts(desk, plant):
    other = make_change(desk, "Patch db", [plant.db], at(10), at(12))
    mine = make_change(desk, "Tune db", [plant.db])
    found = scheduling.set_window(
        desk.operator, mine, start=at(11), end=at(13), implementer=desk.lead
    )
    assert [c.kind for c in found] == [ConflictKind.SAME_ITEM]
    assert found[0].ticket_id == other.pk
    mine.refresh_from_db()
    assert (mine.planned_start, mine.planned_end, mine.implementer) == (at(11), at(13), desk.lead)
    events = TicketEvent.objects.filter(ticket_id=mine.pk, action=EventAction.FIELD)
    assert set(events.values_list("field", flat=True)) >= {
        "planned_start",
        "planned_end",
        "implementer",
    }
    assert events.get(field="implementer").new_value == "Liisa Lead"


def test_only_what_changed_is_recorded_and_the_implementer_is_kept_unless_given(desk, plant):
    mine = make_change(desk, "Tune db", [plant.db], at(10), at(12), implementer=desk.lead)
    count = TicketEvent.objects.filter(ticket_id=mine.pk).count()
    scheduling.set_window(desk.admin, mine, start=at(10), end=at(13))
    mine.refresh_from_db()
    assert mine.implementer == desk.lead
    assert TicketEvent.objects.filter(ticket_id=mine.pk).count() == count + 1
    scheduling.set_window(desk.admin, mine, start=at(10), end=at(13), implementer=None)
    mine.refresh_from_db()
    assert mine.implementer is None


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (at(12), at(10), "planned_end"),
        (at(12), at(12), "planned_end"),
        (None, at(12), "planned_start"),
        (at(12), None, "planned_end"),
    ],
)
def test_a_window_that_does_not_end_after_it_starts_is_refused_by_field(
    desk, plant, start, end, field
):
    mine = make_change(desk, "Tune db", [plant.db], at(8), at(9))
    with pytest.raises(ServiceError) as refused:
        scheduling.set_window(desk.admin, mine, start=start, end=end)
    assert refused.value.field == field
    mine.refresh_from_db()
    assert (mine.planned_start, mine.planned_end) == (at(8), at(9))


def test_a_requester_cannot_be_the_implementer(desk, plant):
    mine = make_change(desk, "Tune db", [plant.db])
    with pytest.raises(ServiceError) as refused:
        scheduling.set_window(desk.admin, mine, start=at(8), end=at(9), implementer=desk.requester)
    assert refused.value.field == "implementer"


def test_who_cannot_see_or_work_the_change_cannot_plan_it(desk, plant):
    restricted = make_change(desk, "Secret", [plant.db], restricted=True, group=desk.network_hel)
    with pytest.raises(PermissionDenied):
        scheduling.set_window(desk.other_agent, restricted, start=at(8), end=at(9))
    with pytest.raises(PermissionDenied):
        scheduling.set_window(desk.requester, restricted, start=at(8), end=at(9))
    assert Change.objects.get(pk=restricted.pk).planned_start is None


class TestBlackouts:
    def test_staff_write_blackouts_and_agents_may_not(self, desk, plant):
        with pytest.raises(PermissionDenied):
            scheduling.create_blackout(desk.lead, name="No", starts_at=at(0), ends_at=at(1))
        desk.lead.is_staff = True
        desk.lead.save()
        made = scheduling.create_blackout(
            desk.lead, name=" Sale ", starts_at=at(0), ends_at=at(1), items=[plant.db]
        )
        assert made.name == "Sale" and list(made.items.all()) == [plant.db]
        edited = scheduling.update_blackout(
            desk.lead, made, name="Sale", kind="freeze", starts_at=at(0), ends_at=at(2)
        )
        assert edited.kind == "freeze" and not edited.items.exists()
        with pytest.raises(PermissionDenied):
            scheduling.delete_blackout(desk.specialist, made)
        scheduling.delete_blackout(desk.lead, made)
        assert not BlackoutPeriod.objects.exists()

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"name": ""}, "name"),
            ({"name": "x" * 201}, "name"),
            ({"kind": "holiday"}, "kind"),
            ({"ends_at": at(0)}, "ends_at"),
        ],
    )
    def test_a_bad_blackout_is_refused_by_field(self, desk, fields, field):
        values = {"name": "Sale", "starts_at": at(0), "ends_at": at(1), **fields}
        with pytest.raises(ServiceError) as refused:
            scheduling.create_blackout(desk.admin, **values)
        assert refused.value.field == field
        assert not BlackoutPeriod.objects.exists()


class TestGuard:
    def start(self, desk, change):
        """Approved by its board (the ECAB for an emergency), then started."""
        settings = ChangeSettings.load()
        if settings.cab is None:
            settings.cab = board_template("CAB", desk.lead.pk)
            settings.ecab = board_template("ECAB", desk.lead.pk)
            settings.save()
        change = Change.objects.select_related("ticket").get(pk=change.pk)
        change_services.request_cab_approval(desk.admin, change)
        approve(change, desk.lead)
        ticket = Ticket.objects.get(pk=change.pk)
        assert ticket.status.key == "scheduled"
        return ticket_services.change_status(desk.admin, ticket, "in_progress")

    def blackout(self, desk, items=(), allow_emergency=True):
        now = timezone.now()
        return scheduling.create_blackout(
            desk.admin,
            name="Year end",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=1),
            items=items,
            allow_emergency=allow_emergency,
        )

    def test_a_change_may_not_start_inside_a_global_blackout(self, desk, plant, guard):
        self.blackout(desk)
        change = make_change(desk, "Db", [plant.db])
        with pytest.raises(ServiceError) as refused:
            self.start(desk, change)
        assert refused.value.field == "status" and "Year end" in refused.value.message
        change.ticket.refresh_from_db()
        assert change.ticket.status.key == "scheduled"

    def test_a_blackout_on_an_item_holds_only_changes_naming_it(self, desk, plant, guard):
        self.blackout(desk, items=[plant.db])
        with pytest.raises(ServiceError):
            self.start(desk, make_change(desk, "Db", [plant.db]))
        assert self.start(desk, make_change(desk, "Mail", [plant.other])).status.key == (
            "in_progress"
        )

    def test_an_emergency_change_may_start_if_the_blackout_allows_it(self, desk, plant, guard):
        self.blackout(desk)
        change = make_change(desk, "Fix", [plant.db], change_type="emergency")
        assert self.start(desk, change).status.key == "in_progress"

    def test_an_emergency_change_is_refused_if_the_blackout_does_not_allow_it(
        self, desk, plant, guard
    ):
        self.blackout(desk, allow_emergency=False)
        change = make_change(desk, "Fix", [plant.db], change_type="emergency")
        with pytest.raises(ServiceError):
            self.start(desk, change)

    def test_without_a_blackout_now_the_change_starts(self, desk, plant, guard):
        scheduling.create_blackout(desk.admin, name="Later", starts_at=at(0), ends_at=at(1))
        assert self.start(desk, make_change(desk, "Db", [plant.db])).status.key == "in_progress"
