"""The problem's workflow guard (tuki/tickets/guards.py): a problem may not be closed while
its incidents keep coming back (docs/problems.md, "Closing a problem").

Closing (a move to a status of the closed category other than "cancelled") is refused while
a linked incident is still active, or was opened or reopened less than the problem's quiet
period ago. Cancelling a problem is always allowed: nothing was fixed.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.lib.dates import absolute
from tuki.lib.errors import ServiceError
from tuki.problems.models import Problem, default_quiet_days
from tuki.problems.services import linked_incidents
from tuki.tickets import guards
from tuki.tickets.models import EventAction, Kind, Status, StatusCategory, TicketEvent

if TYPE_CHECKING:
    from tuki.accounts.models import User
    from tuki.tickets.models import Ticket

KEY = "problems.quiet-incidents"
CANCELLED = "cancelled"


def last_comeback(incidents_of: int) -> list[tuple[str, bool, datetime.datetime]]:
    """Each linked incident's number, whether it is active, and when it last opened or
    reopened (two queries)."""
    done = Status.objects.filter(
        category__in=(StatusCategory.RESOLVED, StatusCategory.CLOSED)
    ).values_list("name", flat=True)
    reopened = (
        TicketEvent.objects.filter(
            ticket=OuterRef("pk"), action=EventAction.STATUS, old_value__in=list(done)
        )
        .values("ticket")
        .annotate(at=Max("created_at"))
        .values("at")
    )
    rows = (
        linked_incidents(incidents_of)
        .annotate(reopened_at=Subquery(reopened))
        .select_related("status")
        .order_by("pk")
    )
    return [(t.number, t.is_active, max(t.created_at, t.reopened_at or t.created_at)) for t in rows]


def check_quiet(ticket: Ticket, old: Status, new: Status, actor: User | None) -> None:
    if new.category != StatusCategory.CLOSED or new.key == CANCELLED:
        return
    quiet = Problem.objects.filter(pk=ticket.pk).values_list("quiet_days", flat=True).first()
    days = quiet if quiet is not None else default_quiet_days()
    now = timezone.now()
    incidents = last_comeback(ticket.pk)
    for number, active, _since in incidents:
        if active:
            raise ServiceError(
                _("%(number)s is still open: resolve it before closing the problem.")
                % {"number": number},
                field="status",
                code="incident_active",
            )
    if incidents:
        # The incident that came back last says until when.
        number, _active, since = max(incidents, key=lambda row: row[2])
        until = since + datetime.timedelta(days=days)
        if until > now:
            raise ServiceError(
                _(
                    "%(number)s came back less than %(days)d days ago: the problem may be "
                    "closed from %(until)s."
                )
                % {"number": number, "days": days, "until": absolute(until)},
                field="status",
                code="incidents_recurring",
            )


GUARD = guards.Guard(key=KEY, kinds=(Kind.PROBLEM,), check=check_quiet)
