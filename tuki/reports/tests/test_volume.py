"""Volume from the facts the ticket services keep current."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from tuki.reports.indicators import Filters, compute, tickets_behind
from tuki.reports.models import TicketFact
from tuki.tickets import services
from tuki.tickets.models import Channel


def _make(desk, title, channel=Channel.WEB):
    return services.create_ticket(
        desk.operator, title=title, requester=desk.requester, channel=channel
    )


def test_tickets_registered_today_count_by_channel(
    desk, analyst, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a = _make(desk, "One", Channel.PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        b = _make(desk, "Two", Channel.EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        c = _make(desk, "Three", Channel.PHONE)
    assert TicketFact.objects.count() == 3
    today = timezone.localdate()
    filters = Filters(start=today, end=today)
    result = compute(analyst, "volume", filters, by="channel")
    assert result.total.value == 3 and result.total.count == 3
    rows = {r.key: (r.value, r.count, r.label) for r in result.rows}
    assert rows == {"phone": (2, 2, "Phone"), "email": (1, 1, "Email")}
    behind = tickets_behind(analyst, "volume", filters, "channel", "phone")
    assert sorted(behind.values_list("pk", flat=True)) == sorted([a.pk, c.pk])
    assert b.pk not in behind.values_list("pk", flat=True)
    empty = compute(analyst, "volume", Filters(start=date(2000, 1, 1), end=date(2000, 1, 31)))
    assert empty.total.count == 0


def test_a_requester_counts_only_their_own_tickets(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _make(desk, "Mine")
    today = timezone.localdate()
    assert compute(desk.outsider, "volume", Filters(start=today, end=today)).total.count == 0
    assert compute(desk.requester, "volume", Filters(start=today, end=today)).total.count == 1
