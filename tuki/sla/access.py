"""Reading clocks: which a person may see, and in one query with everything explained."""

from __future__ import annotations

from datetime import datetime

from tuki.sla.explain import ClockView, views_for
from tuki.sla.models import Metric, SlaClockLog
from tuki.tickets.models import Ticket


def sees_internal_targets(user: object) -> bool:
    """OLA clocks are the provider's own business: agents and administrators only."""
    return bool(getattr(user, "is_agent", False) or getattr(user, "is_superuser", False))


def clock_views(ticket: Ticket, user: object, now: datetime | None = None) -> list[ClockView]:
    """The ticket's clocks with their explained history, in one query.

    The caller has fetched `ticket` through tickets.access, so the user may see it.
    """
    logs = SlaClockLog.objects.filter(clock__ticket=ticket).select_related(
        "clock", "clock__calendar", "clock__group"
    )
    if not sees_internal_targets(user):
        logs = logs.exclude(clock__metric=Metric.OLA)
    return views_for(list(logs.order_by("at", "id")), now)
