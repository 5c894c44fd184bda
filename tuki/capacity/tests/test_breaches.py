"""One ticket per breach: opened on ok → warning, raised on warning → critical, noted and
resolved (if nobody worked it) on the way back past the hysteresis margin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tuki.capacity import services
from tuki.capacity.models import Direction, Series, State
from tuki.capacity.tests.conftest import post, send, token_client
from tuki.cmdb import services as cmdb_services
from tuki.cmdb.models import AffectedItem
from tuki.tickets import services as ticket_services
from tuki.tickets.models import (
    ActorKind,
    Comment,
    EventAction,
    Kind,
    StatusCategory,
    Ticket,
    TicketEvent,
)

pytestmark = pytest.mark.django_db


def series(ci, metric="disk_used_pct") -> Series:
    return Series.objects.select_related("ticket").get(ci=ci, metric=metric)


def test_a_hundred_samples_above_the_threshold_open_one_ticket(desk, server, disk_threshold):
    result = send(desk, server, [50.0, 60.0] + [85.0] * 100)
    assert [(c.old, c.new) for c in result.changes] == [("ok", "warning")]
    send(desk, server, [86.0] * 50)  # a later batch of the same breach
    ticket = Ticket.objects.get()
    assert ticket.kind == Kind.INCIDENT
    assert ticket.group == desk.network_hel  # the item's support group
    assert (ticket.impact, ticket.urgency, ticket.priority) == (3, 2, 4)
    assert "db01" in ticket.title and "disk_used_pct" in ticket.title
    assert AffectedItem.objects.filter(ticket=ticket, ci=server).exists()
    created = TicketEvent.objects.get(ticket=ticket, action=EventAction.CREATED)
    assert created.actor is None and created.actor_kind == ActorKind.SYSTEM
    s = series(server)
    assert (s.state, s.ticket_id, s.last_value) == (State.WARNING, ticket.pk, 86.0)


def test_one_ticket_through_the_api_for_a_batch_of_a_hundred(desk, server, disk_threshold):
    now = timezone.now()
    batch = [
        {
            "ci": server.pk,
            "metric": "disk_used_pct",
            "value": 85 + i % 3,
            "unit": "%",
            "at": (now - timedelta(minutes=100 - i)).isoformat(),
        }
        for i in range(100)
    ]
    response = post(token_client(desk.specialist), batch)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["accepted"] == 100
    assert [(c["old"], c["new"]) for c in body["changes"]] == [("ok", "warning")]
    assert body["changes"][0]["ticket"] == Ticket.objects.get().number


def test_critical_raises_the_same_ticket_with_a_note(desk, server, disk_threshold):
    send(desk, server, [85.0] * 3)
    ticket = series(server).ticket
    result = send(desk, server, [95.0] * 3)
    assert [(c.old, c.new) for c in result.changes] == [("warning", "critical")]
    assert Ticket.objects.count() == 1
    ticket.refresh_from_db()
    assert (ticket.impact, ticket.urgency, ticket.priority) == (2, 1, 2)
    fields = set(
        TicketEvent.objects.filter(ticket=ticket, action=EventAction.FIELD).values_list(
            "field", flat=True
        )
    )
    assert {"urgency", "impact", "priority"} <= fields
    note = Comment.objects.get(ticket=ticket, is_internal=True)
    assert "critical level" in note.body
    # Down to warning and up again: still the one ticket.
    send(desk, server, [85.0, 96.0])
    assert Ticket.objects.count() == 1 and series(server).state == State.CRITICAL


def test_straight_to_critical_opens_a_high_priority_ticket(desk, server, disk_threshold):
    send(desk, server, [97.0])
    ticket = Ticket.objects.get()
    assert (ticket.impact, ticket.urgency) == (2, 1)
    assert series(server).state == State.CRITICAL


def test_recovery_waits_for_the_hysteresis_margin_then_resolves(desk, server, disk_threshold):
    send(desk, server, [85.0] * 3)
    ticket = series(server).ticket
    send(desk, server, [78.0, 76.0])  # under 80, not under 80 - 5: still breached
    assert series(server).state == State.WARNING
    result = send(desk, server, [74.0])
    assert [(c.old, c.new) for c in result.changes] == [("warning", "ok")]
    ticket.refresh_from_db()
    assert ticket.status.category == StatusCategory.RESOLVED
    assert Comment.objects.filter(ticket=ticket, body__startswith="Back to normal").exists()
    s = series(server)
    assert (s.state, s.ticket_id) == (State.OK, None)
    # A later breach is a new one: a new ticket.
    send(desk, server, [88.0])
    assert Ticket.objects.count() == 2
    assert series(server).ticket_id != ticket.pk


def test_a_worked_ticket_is_noted_but_left_open(desk, server, disk_threshold):
    send(desk, server, [85.0])
    ticket = series(server).ticket
    ticket_services.take_ticket(desk.specialist, ticket)
    send(desk, server, [60.0])
    ticket.refresh_from_db()
    assert ticket.status.category != StatusCategory.RESOLVED
    assert Comment.objects.filter(ticket=ticket, body__startswith="Back to normal").exists()
    assert series(server).state == State.OK


def test_samples_older_than_the_last_do_not_move_the_state(desk, server, disk_threshold):
    send(desk, server, [50.0])
    send(desk, server, [95.0], start=timezone.now() - timedelta(days=1))
    assert series(server).state == State.OK and series(server).last_value == 50.0
    assert not Ticket.objects.exists()


def test_maintenance_opens_nothing(desk, server, disk_threshold):
    now = timezone.now()
    cmdb_services.plan_maintenance(
        desk.admin, server, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    send(desk, server, [95.0] * 5)
    assert not Ticket.objects.exists() and series(server).state == State.OK


def test_an_items_own_threshold_wins_and_below_works(desk, server, disk_threshold):
    services.create_threshold(
        desk.admin,
        ci=server,
        metric="disk_used_pct",
        warning=95.0,
        critical=None,
        group=desk.apps,
    )
    send(desk, server, [90.0])
    assert not Ticket.objects.exists()  # the class's 80 does not apply to db01
    services.create_threshold(
        desk.admin,
        ci=server,
        metric="free_gb",
        warning=20.0,
        critical=5.0,
        direction=Direction.BELOW,
    )
    send(desk, server, [30.0, 19.0], metric="free_gb")
    ticket = Ticket.objects.get()
    assert ticket.group == desk.network_hel  # no group of its own: the item's
    assert series(server, "free_gb").state == State.WARNING
    send(desk, server, [4.0], metric="free_gb")
    assert series(server, "free_gb").state == State.CRITICAL


def test_a_threshold_with_its_group_and_category_routes_the_ticket(desk, server):
    services.create_threshold(
        desk.admin,
        ci=server,
        metric="seats_used",
        warning=90,
        critical=100,
        group=desk.apps,
        category=desk.vpn,
    )
    send(desk, server, [91.0], metric="seats_used")
    ticket = Ticket.objects.get()
    assert (ticket.group, ticket.category) == (desk.apps, desk.vpn)


def test_a_refused_ticket_write_leaves_no_half_batch(desk, server, disk_threshold):
    with pytest.raises(services.BatchRefused):
        services.record_samples(
            desk.admin,
            [
                services.SampleIn(ci=server.pk, metric="disk_used_pct", value=95.0),
                services.SampleIn(ci=server.pk, metric="bad metric!", value=1.0),
            ],
        )
    assert not Series.objects.exists() and not Ticket.objects.exists()
