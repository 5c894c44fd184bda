"""Changing the rules moves the open clocks, once per transaction, after commit."""

from __future__ import annotations

import pytest
from django.db import connection

from tuki.sla.models import ClockChange, Metric, SlaClock
from tuki.sla.receivers import _Recompute
from tuki.sla.tests.conftest import hel
from tuki.tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(desk, sla, frozen):
    ticket = services.create_ticket(desk.operator, title="VPN", requester=desk.requester)
    # The fixtures' own rule changes would have been recomputed when their transaction
    # committed; the test's transaction never commits, so forget that pending work.
    connection.run_on_commit = [
        entry for entry in connection.run_on_commit if not isinstance(entry[1], _Recompute)
    ]
    return ticket


def resolution(ticket) -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, metric=Metric.RESOLUTION)


def test_a_new_target_recomputes_open_tickets(
    sla, ticket, frozen, django_capture_on_commit_callbacks
):
    frozen.at(hel(3, 9, 30))
    target = sla.policy.targets.get(priority=ticket.priority)
    target.resolution_minutes = 120
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        target.save()
        sla.policy.save()
    # Two saves, one recomputation (the other callback plans the moved timers).
    assert [type(c) for c in callbacks].count(_Recompute) == 1
    clock = resolution(ticket)
    assert clock.deadline == hel(3, 11)
    log = clock.logs.last()
    assert (log.what, log.why) == (ClockChange.RECOMPUTED, "policy")


def test_new_office_hours_recompute_the_clocks_counting_by_them(
    sla, ticket, frozen, django_capture_on_commit_callbacks
):
    sla.office.week = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    frozen.tick(seconds=1)  # Calendar.schedule() caches per (row, updated_at)
    with django_capture_on_commit_callbacks(execute=True):
        sla.office.save()
    clock = resolution(ticket)
    assert clock.deadline == hel(3, 17)  # 09:00-17:00 is the whole 8 h
    assert clock.logs.last().details == {"calendar": "Helsinki office"}
