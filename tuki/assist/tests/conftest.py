"""A small constructed log of suggestions for the accuracy page's tests (figures worked out
by hand in test_accuracy.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from tuki.accounts.models import User
from tuki.assist import services
from tuki.assist.models import Kind, Suggestion
from tuki.conftest import Desk, make_user
from tuki.tickets import services as tickets
from tuki.tickets.models import Channel, ResolutionCode, Ticket


@dataclass
class Log:
    desk: Desk
    manager: User  # manages the service desk group
    analyst: User  # an agent granted reports.view_reports
    tickets: dict[str, Ticket]


def _ticket(desk: Desk, title: str) -> Ticket:
    return tickets.create_ticket(
        desk.operator,
        title=title,
        requester=desk.requester,
        channel=Channel.PHONE,
        category=desk.vpn,
        impact=2,
        urgency=2,
    )


def _shown(ticket: Ticket, kind: str, value: object, top: list[object]) -> Suggestion:
    suggested = services.Suggested(
        kind=kind,
        value=str(value),
        confidence=0.6,
        top=[(str(v), round(0.6 - i * 0.2, 1)) for i, v in enumerate(top)],
        reason=[],
        model_id=None,  # type: ignore[arg-type]  # a suggestion whose model is gone
    )
    return services.log_suggestion(ticket, suggested)


def _decide(desk: Desk, row: Suggestion, accepted: bool) -> None:
    services.record_outcome(row, accepted=accepted, actor=desk.operator)


def _resolve(desk: Desk, ticket: Ticket) -> Ticket:
    return tickets.resolve_ticket(desk.admin, ticket, code=ResolutionCode.values[0])


@pytest.fixture
def log(desk: Desk) -> Log:
    """Group suggestions on five tickets (SD the service desk, NH Network Helsinki, AP
    Applications):

    - t1: NH accepted; escalated to NH; resolved (right, first group NH: avoided);
    - t2: NH rejected; escalated to AP, then NH; resolved (right, first AP: avoidable);
    - t3: AP accepted; escalated to AP, then NH; resolved (wrong, accepted: caused; NH in top 3);
    - t4: NH pending; escalated to NH; still open (not settled);
    - t5: SD rejected; resolved at the desk (right, never moved: right first);
    - t1 again later: AP pending (shown, but only a ticket's first suggestion is scored);
    - an old one, 40 days ago, rejected (only in the 90 days).

    Category and priority: t1's right (VPN, its priority), t2's wrong category.
    """
    sd, nh, ap = desk.service_desk, desk.network_hel, desk.apps
    manager = make_user("deskmanager@tuki.test", "Mia Manager", is_agent=True)
    sd.manager = manager
    sd.save(update_fields=["manager"])
    analyst = make_user("analyst@tuki.test", "Aino Analyst", is_agent=True)
    analyst.user_permissions.add(Permission.objects.get(codename="view_reports"))
    made = {name: _ticket(desk, f"Ticket {name}") for name in ("t1", "t2", "t3", "t4", "t5")}
    t1, t2, t3, t4, t5 = made.values()
    _decide(desk, _shown(t1, Kind.GROUP, nh.pk, [nh.pk, ap.pk, sd.pk]), True)
    _decide(desk, _shown(t2, Kind.GROUP, nh.pk, [nh.pk, sd.pk]), False)
    _decide(desk, _shown(t3, Kind.GROUP, ap.pk, [ap.pk, nh.pk, sd.pk]), True)
    _shown(t4, Kind.GROUP, nh.pk, [nh.pk])
    _decide(desk, _shown(t5, Kind.GROUP, sd.pk, [sd.pk]), False)
    _shown(t1, Kind.GROUP, ap.pk, [ap.pk])
    old = _shown(t5, Kind.GROUP, ap.pk, [ap.pk])
    _decide(desk, old, False)
    Suggestion.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    _decide(desk, _shown(t1, Kind.CATEGORY, desk.vpn.pk, [desk.vpn.pk]), True)
    _shown(t2, Kind.CATEGORY, desk.vpn.parent_id, [desk.vpn.parent_id])
    _shown(t1, Kind.PRIORITY, t1.priority, [t1.priority])
    tickets.escalate_ticket(desk.operator, t1, group=nh)
    tickets.escalate_ticket(desk.operator, t2, group=ap)
    tickets.escalate_ticket(desk.other_agent, Ticket.objects.get(pk=t2.pk), group=nh)
    tickets.escalate_ticket(desk.operator, t3, group=ap)
    tickets.escalate_ticket(desk.other_agent, Ticket.objects.get(pk=t3.pk), group=nh)
    tickets.escalate_ticket(desk.operator, t4, group=nh)
    for ticket in (t1, t2, t3, t5):
        _resolve(desk, Ticket.objects.get(pk=ticket.pk))
    return Log(desk, manager, analyst, {k: Ticket.objects.get(pk=t.pk) for k, t in made.items()})
