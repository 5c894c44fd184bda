"""What an item's order is promised: the SLA policy its ticket will run under and the time
it allows (docs/catalogue.md, "Service level").

An item has no SLA field of its own: its ticket's kind, category (hence service) and the
requester's organisation (hence agreement) choose the policy, exactly as for any ticket
(tuki/sla/matching.py). This module asks the same matcher about the ticket an order would
make, so the portal can tell a requester when to expect the delivery and the console can
show an administrator which policy an item falls under, before anyone orders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from tuki.accounts.models import User
from tuki.calendars.arithmetic import add_business_minutes
from tuki.calendars.models import Calendar
from tuki.catalogue.models import CatalogueItem
from tuki.sla.matching import Rules
from tuki.sla.models import Metric, SlaPolicy
from tuki.tickets.models import Ticket
from tuki.tickets.services import compute_priority


@dataclass(frozen=True)
class Promise:
    policy: SlaPolicy
    priority: int
    minutes: int  # business minutes to resolve (deliver)
    calendar: Calendar
    due: datetime  # if ordered at `at`


def promise(
    item: CatalogueItem, requester: User | None, at: datetime | None = None
) -> Promise | None:
    """The delivery target of an order of `item` by `requester` placed at `at` (now), or
    None when no policy applies or it sets no resolution target for the priority."""
    at = at or timezone.now()
    ticket = Ticket(kind=item.kind, category=item.ticket_category, created_at=at)
    ticket.priority = compute_priority(ticket.impact, ticket.urgency)
    if requester is not None:
        ticket.organisation_id = requester.organisation_id
    match = Rules.load().match(ticket)
    if match is None:
        return None
    minutes = match.rules.target_minutes(Metric.RESOLUTION, ticket.priority)
    if not minutes:
        return None
    calendar = Calendar.objects.filter(pk=match.calendar_id).first()
    if calendar is None:
        return None
    try:
        due = add_business_minutes(calendar.schedule(), at, minutes)
    except (ValueError, OverflowError):
        return None
    return Promise(match.policy, ticket.priority, minutes, calendar, due)
