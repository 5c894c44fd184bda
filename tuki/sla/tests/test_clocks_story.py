"""A ticket's clocks through a working day and a half, checked by hand.

Helsinki office hours are Mon-Fri 08:00-16:00; the policy gives 1 h for the first response,
2 h for each next response and 8 h for resolution (business time).
"""

from __future__ import annotations

import pytest

from tuki.sla.models import ClockChange, ClockState, Metric, SlaClock
from tuki.sla.tests.conftest import hel
from tuki.tickets import services
from tuki.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def clock(ticket: Ticket, metric: str, cycle: int = 1) -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, metric=metric, cycle=cycle)


def test_a_ticket_paused_twice(desk, sla, frozen):
    # Mon 09:00 registered: 8 h of business time would end Tue 09:00 (7 h Mon + 1 h Tue).
    ticket = services.create_ticket(desk.operator, title="Printer", requester=desk.requester)
    assert clock(ticket, Metric.RESOLUTION).deadline == hel(4, 9)
    assert clock(ticket, Metric.FIRST_RESPONSE).deadline == hel(3, 10)

    # 09:30 the operator answers: first response met after 30 minutes.
    frozen.at(hel(3, 9, 30))
    services.take_ticket(desk.operator, ticket)
    services.add_comment(desk.operator, ticket, "Looking into it.")
    first = clock(ticket, Metric.FIRST_RESPONSE)
    assert (first.state, first.elapsed_minutes) == (ClockState.MET, 30)

    # 10:00-13:00 waiting for the customer (pause 1: 3 business hours).
    frozen.at(hel(3, 10))
    services.change_status(desk.operator, ticket, "pending_customer")
    resolution = clock(ticket, Metric.RESOLUTION)
    assert (resolution.state, resolution.deadline, resolution.elapsed_minutes) == (
        ClockState.PAUSED,
        None,
        60,
    )
    frozen.at(hel(3, 13))
    services.add_comment(desk.requester, ticket, "Here are the logs.")  # wakes the ticket
    assert clock(ticket, Metric.RESOLUTION).deadline == hel(4, 12)  # 09:00 + 3 h

    # 15:00 Mon - 10:00 Tue waiting again (pause 2: 1 h Mon + 2 h Tue of business time).
    frozen.at(hel(3, 15))
    services.change_status(desk.operator, ticket, "pending_customer")
    assert clock(ticket, Metric.RESOLUTION).elapsed_minutes == 180  # 09-10 and 13-15
    frozen.at(hel(4, 10))
    services.change_status(desk.operator, ticket, "in_progress")
    resolution = clock(ticket, Metric.RESOLUTION)
    # 300 minutes left from Tue 10:00: Tue 15:00. By hand: Mon 09-16 and Tue 08-15 are 14 h,
    # minus 3 h + 3 h paused = 8 h.
    assert resolution.deadline == hel(4, 15)
    assert resolution.pause_spans() == [(hel(3, 10), hel(3, 13)), (hel(3, 15), hel(4, 10))]

    # Tue 14:30 resolved: met with 450 of 480 minutes used.
    frozen.at(hel(4, 14, 30))
    services.resolve_ticket(desk.operator, ticket, code="solved")
    resolution = clock(ticket, Metric.RESOLUTION)
    assert (resolution.state, resolution.elapsed_minutes) == (ClockState.MET, 450)
    assert resolution.stopped_at == hel(4, 14, 30)
    changes = list(resolution.logs.values_list("what", flat=True))
    assert changes == [
        ClockChange.STARTED,
        ClockChange.PAUSED,
        ClockChange.RESUMED,
        ClockChange.PAUSED,
        ClockChange.RESUMED,
        ClockChange.MET,
    ]

    # The requester's message at 13:00 started a next-response clock (2 h) that nobody
    # answered: 13-15 Mon and 10-14:30 Tue is 6.5 h, so resolving stopped it late, and the
    # breach was recorded once although no worker ran.
    answer = clock(ticket, Metric.NEXT_RESPONSE)
    assert (answer.state, answer.elapsed_minutes) == (ClockState.BREACHED, 390)
    breaches = TicketEvent.objects.filter(ticket=ticket, action="sla_breached")
    assert list(breaches.values_list("field", "actor_kind")) == [("next_response", "sla")]
